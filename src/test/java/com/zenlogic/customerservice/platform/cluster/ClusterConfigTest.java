package com.zenlogic.customerservice.platform.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.cluster.ClusterConfig.NodeRole;
import com.zenlogic.customerservice.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
  @Test
  void withoutClusterKeysTheProcessIsSingleAndRunsEverything() {
    ClusterConfig c = ClusterConfig.from(new JsonObject());
    assertFalse(c.enabled());
    assertEquals(NodeRole.ALL, c.role());
    assertEquals(30, c.jobLeaseSeconds());
    assertEquals(List.of("127.0.0.1:5701"), c.members());
  }

  @Test
  void theClusterKeysAreReadAsGiven() {
    ClusterConfig c = ClusterConfig.from(new JsonObject().put("CLUSTER", "true").put("CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5702")
        .put("CLUSTER_HOST", "10.0.0.1").put("CLUSTER_PORT", "5701").put("CLUSTER_BUS_PORT", "15701")
        .put("CLUSTER_BUS_PUBLIC_PORT", "25701").put("NODE_ROLE", "Worker").put("NODE_NAME", "w1").put("JOB_LEASE_SECONDS", "12"));
    assertTrue(c.enabled());
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5702"), c.members());
    assertEquals(15701, c.busPort());
    assertEquals(25701, c.busPublicPort());
    assertEquals(NodeRole.WORKER, c.role());
    assertFalse(c.role().servesApi());
    assertTrue(c.role().runsEngines());
    assertEquals("w1", c.nodeName());
    assertEquals(12, c.jobLeaseSeconds());
  }

  @Test
  void wrongValuesNameTheirKey() {
    // An api node without the clustered bus would reach no engine.
    assertTrue(assertThrows(ConfigException.class, () -> ClusterConfig.from(new JsonObject().put("NODE_ROLE", "api")))
        .getMessage().startsWith("Invalid configuration NODE_ROLE:"));
    assertTrue(assertThrows(ConfigException.class, () -> ClusterConfig.from(new JsonObject().put("CLUSTER", "true")
        .put("CLUSTER_MEMBERS", "host-without-port"))).getMessage().contains("CLUSTER_MEMBERS"));
    assertTrue(assertThrows(ConfigException.class, () -> ClusterConfig.from(new JsonObject().put("CLUSTER", "yes")))
        .getMessage().contains("CLUSTER"));
    assertTrue(assertThrows(ConfigException.class, () -> ClusterConfig.from(new JsonObject().put("JOB_LEASE_SECONDS", "1")))
        .getMessage().contains("JOB_LEASE_SECONDS"));
    assertTrue(assertThrows(ConfigException.class, () -> ClusterConfig.from(new JsonObject().put("CLUSTER", "true")
        .put("NODE_ROLE", "cook"))).getMessage().contains("NODE_ROLE"));
  }
}
