package com.zenlogic.customerservice.platform.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

/**
 * The readiness check every role registers: a node that fell out of the cluster receives no bus
 * traffic (an api node could not reach the engines), so the orchestrator should take it out of
 * rotation and restart it. A single process (CLUSTER=false) is always "single".
 */
public final class ClusterMembership {
  private ClusterMembership() {}

  public static void register(HealthChecks ready, Vertx vertx) {
    ready.register("cluster", promise -> {
      ClusterManager manager = ((VertxInternal) vertx).clusterManager();
      boolean member = manager == null || manager.isActive();
      promise.complete(member ? Status.OK(new JsonObject().put("node", manager == null ? "single" : manager.getNodeId()))
          : Status.KO(new JsonObject().put("error", "not a cluster member")));
    });
  }
}
