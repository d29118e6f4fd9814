package com.zenlogic.customerservice.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The delivery-time SSRF check (a public name that resolves inside) and the backoff's bounds. */
class WebhookTargetsTest {
  @Test
  void aPublicNameThatReachedAnInternalAddressIsRefusedUnlessItsHostIsAllowed() throws Exception {
    WebhookTargets targets = new WebhookTargets(Set.of("127.0.0.1"));
    for (String internal : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fd12::1", "fe80::1", "::ffff:10.0.0.1")) {
      assertFalse(targets.mayConnect("crm.example.com", InetAddress.getByName(internal)), internal);
    }
    for (String external : List.of("93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:2800:220:1:248:1893:25c8:1946")) {
      assertTrue(targets.mayConnect("crm.example.com", InetAddress.getByName(external)), external);
    }
    assertTrue(targets.mayConnect("127.0.0.1", InetAddress.getByName("127.0.0.1")), "an allowed host");
  }

  @Test
  void theBackoffDoublesPerFailureWithJitterAndStopsAtTheMaximum() {
    WebhooksConfig c = WebhooksConfig.from(new ConfigReader(new JsonObject()
        .put("WEBHOOKS_BACKOFF_BASE_MS", 1000).put("WEBHOOKS_BACKOFF_MAX_MS", 60_000)));
    assertEquals(500, c.backoffMillis(1, 0));
    assertEquals(1000, c.backoffMillis(1, 1));
    assertEquals(2000, c.backoffMillis(2, 0.0) * 2);
    assertEquals(4000, c.backoffMillis(3, 1));
    assertEquals(60_000, c.backoffMillis(7, 1), "capped");
    assertEquals(60_000, c.backoffMillis(60, 1), "no overflow after many failures");
    assertEquals(30_000, c.backoffMillis(60, 0), "never less than half");
  }
}
