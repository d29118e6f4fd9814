package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TcpProxy;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * REST writes per organization: 1 per second with a burst of 3, kept in Redis so that two API
 * processes share one budget; reads are not limited; a refused write changes nothing.
 */
class WriteRateLimitTest {
  static Vertx helper;
  static TcpProxy redis;
  static TestApp app;
  static TestApp sibling;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    redis = new TcpProxy(helper, 6379);
    app = TestApp.start("ratelimit", Map.of("REDIS_URL", "redis://127.0.0.1:" + redis.port(),
        "CACHE_KEY_PREFIX", "rl-" + UUID.randomUUID().toString().substring(0, 8),
        "RATE_LIMIT_WRITES_PER_SECOND", 1, "RATE_LIMIT_BURST", 3));
    sibling = TestApp.startSibling(app);
  }

  @AfterAll
  static void stop() throws Exception {
    sibling.close();
    app.close();
    redis.close();
    helper.close();
  }

  static Http admin(TestApp on, UUID org) {
    return new Http(on.config.httpPort()).as(on.token(org, "customers:read", "customers:write"));
  }

  static Http.Reply create(Http http, int i) {
    return http.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana" + i)
        .put("last_name", "Rojas"));
  }

  long customers(UUID org) {
    return app.db.count(org, "SELECT count(*) FROM customers");
  }

  @Test
  void theWriteOverTheBurstIsRefusedWith429AndRetryAfterAndWritesNothingWhileOthersAndReadsPass() throws Exception {
    UUID org = UUID.randomUUID();
    Http a = admin(app, org);
    String first = null;
    for (int i = 0; i < 3; i++) {
      Http.Reply r = create(a, i);
      assertEquals(201, r.status);
      first = first == null ? r.json().getString("id") : first;
    }
    Http.Reply refused = create(a, 3);
    assertEquals(429, refused.status, refused.toString());
    assertEquals("RATE_LIMITED", refused.json().getJsonObject("error").getString("code"));
    String retryAfter = refused.header("Retry-After");
    assertNotNull(retryAfter, "Retry-After");
    long seconds = Long.parseLong(retryAfter);
    assertTrue(seconds >= 1 && seconds <= 2, retryAfter);
    assertEquals("Too many writes for this organization, retry in " + seconds + " s",
        refused.json().getJsonObject("error").getString("message"));
    assertEquals(3, customers(org), "the refused write wrote nothing");
    Http.Reply patch = a.patch("/api/v1/customers/" + first, new JsonObject().put("notes", "changed"), null);
    assertEquals(429, patch.status, "PATCH is a write");
    assertEquals(429, a.delete("/api/v1/customers/" + first).status, "DELETE is a write");
    assertEquals(429, a.put("/api/v1/customers/" + first + "/preferences", new JsonObject()).status, "PUT is a write");
    JsonObject unchanged = a.get("/api/v1/customers/" + first).json();
    assertEquals(1, unchanged.getInteger("version"));
    assertEquals(null, unchanged.getString("notes"));

    for (int i = 0; i < 10; i++) {
      assertEquals(200, a.get("/api/v1/customers/search?q=Ana").status, "reads are not limited");
    }
    UUID other = UUID.randomUUID();
    Http b = admin(app, other);
    for (int i = 0; i < 3; i++) {
      assertEquals(201, create(b, i).status, "another organization has its own budget");
    }

    Thread.sleep(seconds * 1000 + 50);
    assertEquals(201, create(a, 4).status, "after Retry-After the next write passes");
    assertEquals(4, customers(org));
  }

  @Test
  void twoApiProcessesShareOneBudgetThroughRedis() throws Exception {
    UUID org = UUID.randomUUID();
    assertEquals(201, create(admin(app, org), 0).status);
    assertEquals(201, create(admin(sibling, org), 1).status);
    assertEquals(201, create(admin(app, org), 2).status);
    Http.Reply refused = create(admin(sibling, org), 3);
    assertEquals(429, refused.status, "the sibling saw the first process's writes: " + refused);
    assertEquals(429, create(admin(app, org), 4).status);
    assertEquals(3, customers(org));
  }

  @Test
  void withRedisUnreachableEachProcessLimitsOnItsOwnInsteadOfRefusingOrLettingAllThrough() throws Exception {
    UUID org = UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      assertEquals(201, create(admin(sibling, org), i).status);
    }
    assertEquals(429, create(admin(sibling, org), 3).status, "the shared budget is spent");
    redis.cut();
    try {
      // Redis would refuse this organization now; this process's own budget is untouched.
      Http a = admin(app, org);
      for (int i = 10; i < 13; i++) {
        Http.Reply r = create(a, i);
        assertEquals(201, r.status, r.toString());
      }
      Http.Reply refused = create(a, 13);
      assertEquals(429, refused.status, refused.toString());
      assertNotNull(refused.header("Retry-After"));
      assertEquals(6, customers(org));
    } finally {
      redis.restore();
    }
  }

  @Test
  void theLimitIsConfiguredAndZeroTurnsItOff() {
    AppConfig defaults = AppConfig.from(new JsonObject());
    assertEquals(200, defaults.http().writesPerSecond());
    assertEquals(400, defaults.http().writeBurst());
    assertEquals(0, AppConfig.from(new JsonObject().put("RATE_LIMIT_WRITES_PER_SECOND", 0)).http().writesPerSecond());
    assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put("RATE_LIMIT_WRITES_PER_SECOND", -1)));
    assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put("RATE_LIMIT_BURST", 0)));
  }
}
