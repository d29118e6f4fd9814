package com.zenlogic.customerservice.webhooks;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.metrics.WebhookMetrics;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import io.vertx.sqlclient.Tuple;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: the real service, real PostgreSQL, and real HTTP receivers started here (the
 * only fake: the subscriber's system). Short backoff and breaker settings so retries take milliseconds.
 */
class WebhooksTest {
  static final Map<String, Object> CONFIG = Map.of(
      "WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1",
      "WEBHOOKS_MAX_ATTEMPTS", 3,
      "WEBHOOKS_BACKOFF_BASE_MS", 50,
      "WEBHOOKS_BACKOFF_MAX_MS", 200,
      "WEBHOOKS_BREAKER_MAX_FAILURES", 4,
      "WEBHOOKS_BREAKER_RESET_SECONDS", 3,
      "WEBHOOKS_ENDPOINT_IN_FLIGHT", 1,
      "WEBHOOKS_POLL_MS", 100,
      "WEBHOOKS_TIMEOUT_MS", 2000);

  static TestApp app;
  static Vertx receivers;

  UUID org;
  Http admin;
  Http writer;
  final List<Receiver> started = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("webhooks", CONFIG);
    receivers = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    receivers.close().await(10, TimeUnit.SECONDS);
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    admin = new Http(app.config.httpPort()).as(app.token(org, "webhooks:admin"));
    writer = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write"));
  }

  @AfterEach
  void stopReceivers() throws Exception {
    for (Receiver r : started) {
      r.server.close().await(5, TimeUnit.SECONDS);
    }
  }

  /** One request as the receiver saw it, and what it answered. */
  record Received(String eventId, String eventType, String signature, String delivery, String attempt, String body, int answered) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** A subscriber's endpoint: answers 503 while failures are left (or always, when dead), else 204; records every request. */
  final class Receiver {
    final HttpServer server;
    final List<Received> requests = new ArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean dead;

    Receiver() throws Exception {
      server = receivers.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
        int status = dead || failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : 204;
        synchronized (requests) {
          requests.add(new Received(req.getHeader("X-Zenlogic-Event-Id"), req.getHeader("X-Zenlogic-Event-Type"),
              req.getHeader("X-Zenlogic-Signature"), req.getHeader("X-Zenlogic-Delivery-Id"), req.getHeader("X-Zenlogic-Delivery-Attempt"),
              body.toString(StandardCharsets.UTF_8), status));
        }
        req.response().setStatusCode(status).end(status == 503 ? "receiver down for maintenance" : "");
      })).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
      started.add(this);
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort() + "/hooks";
    }

    List<Received> all() {
      synchronized (requests) {
        return List.copyOf(requests);
      }
    }

    List<Received> accepted() {
      return all().stream().filter(r -> r.answered() == 204).toList();
    }
  }

  JsonObject subscribe(Receiver r, String... types) {
    Http.Reply created = admin.post("/api/v1/webhooks", new JsonObject().put("url", r.url())
        .put("event_types", new JsonArray(List.of(types))).put("description", "test receiver"));
    assertEquals(201, created.status, created.toString());
    return created.json();
  }

  String createCustomer(String firstName) {
    Http.Reply r = writer.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", firstName)
        .put("last_name", "Rojas"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  void renameCustomer(String id, String firstName) {
    Http.Reply r = writer.patch("/api/v1/customers/" + id, new JsonObject().put("first_name", firstName), null);
    assertEquals(200, r.status, r.toString());
  }

  /** The events of this organization's outbox for the customer, in the order they were recorded. */
  List<String> recordedEventIds(String customerId) {
    String ids = app.db.scalar(org, "SELECT string_agg(event_id::text, ',' ORDER BY id) FROM outbox WHERE aggregate_id = '"
        + customerId + "'");
    return List.of(ids.split(","));
  }

  static void assertInvalid(Http.Reply r, String field) {
    assertEquals(400, r.status, r.toString());
    assertEquals("VALIDATION_FAILED", r.error().getString("code"), r.toString());
    assertEquals(field, r.error().getString("field"), r.toString());
  }

  @Test
  void subscriptionsAreCreatedReadChangedAndDeletedAndTheSecretIsShownOnlyOnce() throws Exception {
    Receiver r = new Receiver();
    JsonObject created = subscribe(r, "customer.created", "customer.updated");
    String id = created.getString("id");
    assertTrue(created.getString("secret").startsWith("whsec_"), created.encode());
    assertEquals(List.of("customer.created", "customer.updated"), created.getJsonArray("event_types").getList());
    assertEquals("closed", created.getString("circuit"));
    assertTrue(created.getBoolean("enabled"));

    Http.Reply read = admin.get("/api/v1/webhooks/" + id);
    assertEquals(200, read.status, read.toString());
    assertFalse(read.json().containsKey("secret"), read.body);
    assertEquals(r.url(), read.json().getString("url"));
    Http.Reply list = admin.get("/api/v1/webhooks");
    assertEquals(1, list.json().getJsonArray("items").size());
    assertFalse(list.body.contains(created.getString("secret")), "the list never shows the secret");

    Http.Reply patched = admin.patch("/api/v1/webhooks/" + id, new JsonObject().put("enabled", false).putNull("description")
        .put("event_types", new JsonArray().add("loyalty.points.earned")), null);
    assertEquals(200, patched.status, patched.toString());
    assertFalse(patched.json().getBoolean("enabled"));
    assertNull(patched.json().getString("description"));
    assertEquals(List.of("loyalty.points.earned"), patched.json().getJsonArray("event_types").getList());
    assertFalse(patched.body.contains("secret"));

    Http.Reply rotated = admin.patch("/api/v1/webhooks/" + id, new JsonObject().put("secret", "a-secret-of-my-own-0123456789"), null);
    assertEquals(200, rotated.status, rotated.toString());
    assertFalse(rotated.body.contains("a-secret-of-my-own"), "a new secret is not echoed");

    assertEquals(204, admin.delete("/api/v1/webhooks/" + id).status);
    assertEquals(404, admin.get("/api/v1/webhooks/" + id).status);
    assertEquals("WEBHOOK_NOT_FOUND", admin.delete("/api/v1/webhooks/" + id).error().getString("code"));
  }

  @Test
  void badSubscriptionsAre400NamingTheFieldAndInternalTargetsAreRefused() throws Exception {
    JsonObject good = new JsonObject().put("url", "https://crm.example.com/hooks").put("event_types", new JsonArray().add("customer.created"));
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("url", "http://crm.example.com/hooks")), "url");
    for (String internal : List.of("https://10.0.0.5/hooks", "https://169.254.169.254/latest/meta-data", "https://localhost/x",
        "https://127.0.0.2:8007/api", "https://[::1]/x", "https://[fd00::1]/x", "https://2130706433/x", "https://0x7f.1/x",
        "https://db/x", "https://redis.internal/x", "https://192.168.1.10/x", "https://100.64.0.1/x", "https://user:pw@crm.example.com/x",
        "ftp://crm.example.com/x", "not a url")) {
      assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("url", internal)), "url");
    }
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("event_types", new JsonArray().add("customer.created").add("customer.nope"))),
        "event_types[1]");
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("event_types", new JsonArray().add("order.completed"))), "event_types[0]");
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("event_types", new JsonArray())), "event_types");
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("secret", "short")), "secret");
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("description", "nul \u0000 here")), "description");
    assertInvalid(admin.post("/api/v1/webhooks", new JsonObject().put("event_types", new JsonArray().add("customer.created"))), "url");
    assertInvalid(admin.post("/api/v1/webhooks", good.copy().put("colour", "blue")), "colour");
    assertEquals(0, admin.get("/api/v1/webhooks").json().getJsonArray("items").size(), "nothing was saved");

    Http.Reply ok = admin.post("/api/v1/webhooks", good);
    assertEquals(201, ok.status, ok.toString());
    String id = ok.json().getString("id");
    assertInvalid(admin.patch("/api/v1/webhooks/" + id, new JsonObject().putNull("url"), null), "url");
    assertInvalid(admin.patch("/api/v1/webhooks/" + id, new JsonObject().put("url", "https://10.1.2.3/"), null), "url");
    assertInvalid(admin.get("/api/v1/webhooks/not-a-uuid"), "id");
    assertInvalid(admin.get("/api/v1/webhooks/" + id + "/deliveries?cursor=bm9wZQ"), "cursor");
  }

  @Test
  void anotherOrganizationSees404AndAnotherPermission403() throws Exception {
    String id = subscribe(new Receiver(), "customer.created").getString("id");
    Http other = new Http(app.config.httpPort()).as(app.token(UUID.randomUUID(), "webhooks:admin"));
    assertEquals(404, other.get("/api/v1/webhooks/" + id).status);
    assertEquals(404, other.patch("/api/v1/webhooks/" + id, new JsonObject().put("enabled", false), null).status);
    assertEquals(404, other.get("/api/v1/webhooks/" + id + "/deliveries").status);
    assertEquals(404, other.post("/api/v1/webhooks/" + id + "/deliveries/1/redeliver", null).status);
    assertEquals(404, other.delete("/api/v1/webhooks/" + id).status);
    assertEquals(0, other.get("/api/v1/webhooks").json().getJsonArray("items").size());
    Http.Reply forbidden = writer.get("/api/v1/webhooks");
    assertEquals(403, forbidden.status, forbidden.toString());
    assertEquals(200, admin.get("/api/v1/webhooks/" + id).status, "still there for its owner");
  }

  @Test
  void aDeliveryIsTheRabbitMqEnvelopeSignedSoTheReceiverCanVerifyItWithTheSecret() throws Exception {
    Receiver r = new Receiver();
    String secret = subscribe(r, "customer.created").getString("secret");
    String customer = createCustomer("Ana");
    waitFor(() -> r.accepted().size() == 1, "the delivery");
    Received got = r.all().get(0);
    JsonObject envelope = got.json();
    assertEquals(Set.of("event_id", "event_type", "schema_version", "occurred_at", "organization_id", "source", "correlation_id", "data"),
        envelope.fieldNames());
    assertEquals("customer.created", envelope.getString("event_type"));
    assertEquals(org.toString(), envelope.getString("organization_id"));
    assertEquals(customer, envelope.getJsonObject("data").getString("id"));
    assertEquals(envelope.getString("event_id"), got.eventId(), "the event id header, for the receiver's de-duplication");
    assertEquals(recordedEventIds(customer), List.of(got.eventId()), "the outbox's event id, not a new one");
    assertEquals("customer.created", got.eventType());
    assertEquals("1", got.attempt());

    // What a receiver does, written here without the service's code: t=..., v1=hex(HMAC-SHA256(secret, t + "." + body)).
    String[] parts = got.signature().split(",");
    assertTrue(parts[0].startsWith("t=") && parts[1].startsWith("v1="), got.signature());
    long t = Long.parseLong(parts[0].substring(2));
    assertTrue(Math.abs(System.currentTimeMillis() / 1000 - t) < 60, "a current timestamp");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + got.body()).getBytes(StandardCharsets.UTF_8)));
    assertEquals(expected, parts[1].substring(3));
    assertTrue(Signatures.verify(secret, got.signature(), got.body().getBytes(StandardCharsets.UTF_8), t, 300));
    assertFalse(Signatures.verify("another-secret-another-secret", got.signature(), got.body().getBytes(StandardCharsets.UTF_8), t, 300));
    assertFalse(Signatures.verify(secret, got.signature(), (got.body() + " ").getBytes(StandardCharsets.UTF_8), t, 300),
        "a changed body fails");
    assertFalse(Signatures.verify(secret, got.signature(), got.body().getBytes(StandardCharsets.UTF_8), t + 600, 300),
        "an old timestamp fails (replay)");

    Http.Reply log = admin.get("/api/v1/webhooks/" + subscribe(new Receiver(), "customer.deleted").getString("id") + "/deliveries");
    assertEquals(0, log.json().getJsonArray("items").size(), "a subscription created later has no past events");
  }

  @Test
  void onlySubscribedTypesAreDeliveredAndAPausedSubscriptionHoldsItsDeliveries() throws Exception {
    Receiver r = new Receiver();
    String id = subscribe(r, "customer.updated").getString("id");
    String customer = createCustomer("Ana");
    renameCustomer(customer, "Anita");
    waitFor(() -> r.accepted().size() == 1, "the update");
    assertEquals("customer.updated", r.all().get(0).eventType());

    assertEquals(200, admin.patch("/api/v1/webhooks/" + id, new JsonObject().put("enabled", false), null).status);
    renameCustomer(customer, "Anabel");
    Thread.sleep(800);
    assertEquals(1, r.all().size(), "nothing is sent while paused");
    assertEquals(1, admin.get("/api/v1/webhooks/" + id + "/deliveries?status=pending").json().getJsonArray("items").size());
    assertEquals(200, admin.patch("/api/v1/webhooks/" + id, new JsonObject().put("enabled", true), null).status);
    waitFor(() -> r.accepted().size() == 2, "the held update after resuming");
    assertEquals(List.of("customer.updated", "customer.updated"), r.all().stream().map(Received::eventType).toList());
    assertEquals(204, admin.delete("/api/v1/webhooks/" + id).status);
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM webhook_deliveries"), "the log goes with the subscription");
    renameCustomer(customer, "Ana María");
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM webhook_deliveries"), "and nothing is recorded for it any more");
  }

  @Test
  void aCustomersEventsArriveInOrderWhenTheReceiverFailsThenRecovers() throws Exception {
    Receiver r = new Receiver();
    r.failuresLeft.set(2);
    subscribe(r, "customer.created", "customer.updated");
    String ana = createCustomer("Ana");
    renameCustomer(ana, "Anita");
    renameCustomer(ana, "Anabel");
    String bea = createCustomer("Bea");
    renameCustomer(bea, "Beatriz");
    waitFor(() -> r.accepted().size() == 5, "all five events");
    for (String customer : List.of(ana, bea)) {
      List<String> order = recordedEventIds(customer);
      List<String> accepted = r.accepted().stream().map(Received::eventId).filter(order::contains).toList();
      assertEquals(order, accepted, "accepted in the order recorded");
      // Not even an attempt of a later event before the earlier one was accepted.
      List<String> tried = r.all().stream().map(Received::eventId).filter(order::contains).distinct().toList();
      assertEquals(order, tried, "tried in the order recorded");
    }
    assertEquals(2, r.all().stream().filter(x -> x.answered() == 503).count());
    for (Received ok : r.accepted()) {
      long failedBefore = r.all().stream().filter(x -> x.answered() == 503 && x.eventId().equals(ok.eventId())).count();
      assertEquals(String.valueOf(failedBefore + 1), ok.attempt(), "each request says which attempt it is");
    }
  }

  @Test
  void aDeliveryIsRetriedWithBackoffThenDeadLetteredVisibleInTheLogAndRedelivered() throws Exception {
    Receiver r = new Receiver();
    r.dead = true;
    String id = subscribe(r, "customer.created", "customer.updated").getString("id");
    double deadBefore = WebhookMetrics.count(WebhookMetrics.DEAD_LETTERED);
    String ana = createCustomer("Ana");
    waitFor(() -> r.all().size() == 3, "three attempts");
    waitFor(() -> admin.get("/api/v1/webhooks/" + id + "/deliveries?status=dead").json().getJsonArray("items").size() == 1,
        "the dead letter in the log");
    renameCustomer(ana, "Anita");
    String bea = createCustomer("Bea");
    Thread.sleep(600);
    assertEquals(3, r.all().stream().filter(x -> x.eventId().equals(recordedEventIds(ana).get(0))).count(), "exactly three attempts");
    assertFalse(r.all().stream().anyMatch(x -> x.eventId().equals(recordedEventIds(ana).get(1))),
        "Ana's later event waits behind her dead letter");
    assertTrue(WebhookMetrics.count(WebhookMetrics.DEAD_LETTERED) >= deadBefore + 1);
    String metrics = new Http(app.config.httpPort()).get("/metrics").body;
    assertTrue(metrics.contains("customer_webhook_deliveries_total{outcome=\"dead_lettered\"}"), "counted at /metrics");
    assertTrue(metrics.contains("customer_webhook_deliveries_total{outcome=\"failed\"}"), "counted at /metrics");

    JsonObject dead = admin.get("/api/v1/webhooks/" + id + "/deliveries?status=dead").json().getJsonArray("items").getJsonObject(0);
    assertEquals("dead", dead.getString("status"));
    assertEquals(3, dead.getInteger("attempts"));
    assertEquals(503, dead.getInteger("response_code"));
    assertEquals("HTTP 503: receiver down for maintenance", dead.getString("last_error"));
    assertNotNull(dead.getString("dead_at"));
    assertEquals(recordedEventIds(ana).get(0), dead.getString("event_id"));

    Http.Reply notDead = admin.post("/api/v1/webhooks/" + id + "/deliveries/999999999/redeliver", null);
    assertEquals(404, notDead.status, notDead.toString());

    r.dead = false;
    // Bea's first event is not behind Ana's: it went on (or goes on, once the endpoint answers again).
    waitFor(() -> r.accepted().stream().anyMatch(x -> x.eventId().equals(recordedEventIds(bea).get(0))), "Bea's event");
    Http.Reply again = admin.post("/api/v1/webhooks/" + id + "/deliveries/" + dead.getLong("id") + "/redeliver", null);
    assertEquals(202, again.status, again.toString());
    assertEquals("pending", again.json().getString("status"));
    assertEquals(0, again.json().getInteger("attempts"));
    waitFor(() -> r.accepted().stream().filter(x -> recordedEventIds(ana).contains(x.eventId())).count() == 2, "Ana's two events");
    assertEquals(recordedEventIds(ana), r.accepted().stream().map(Received::eventId).filter(recordedEventIds(ana)::contains).toList(),
        "redelivered first, then the event that waited");
    Http.Reply twice = admin.post("/api/v1/webhooks/" + id + "/deliveries/" + dead.getLong("id") + "/redeliver", null);
    assertEquals(422, twice.status, twice.toString());
    assertEquals("WEBHOOK_DELIVERY_NOT_DEAD", twice.error().getString("code"));

    JsonObject page1 = admin.get("/api/v1/webhooks/" + id + "/deliveries?limit=2").json();
    assertEquals(2, page1.getJsonArray("items").size());
    JsonObject page2 = admin.get("/api/v1/webhooks/" + id + "/deliveries?limit=2&cursor=" + page1.getString("next_cursor")).json();
    assertEquals(1, page2.getJsonArray("items").size());
    assertNull(page2.getString("next_cursor"));
    assertTrue(page1.getJsonArray("items").getJsonObject(1).getLong("id") > page2.getJsonArray("items").getJsonObject(0).getLong("id"),
        "newest first");
  }

  @Test
  void theBreakerOpensOnADeadEndpointAndOtherEndpointsAreUnaffected() throws Exception {
    Receiver deadEnd = new Receiver();
    deadEnd.dead = true;
    Receiver healthy = new Receiver();
    String deadId = subscribe(deadEnd, "customer.created").getString("id");
    String healthyId = subscribe(healthy, "customer.created").getString("id");
    for (int i = 0; i < 6; i++) {
      createCustomer("Cliente" + i);
    }
    waitFor(() -> healthy.accepted().size() == 6, "the healthy endpoint gets every event");
    waitFor(() -> deadEnd.all().size() == 4, "four failures");
    waitFor(() -> "open".equals(admin.get("/api/v1/webhooks/" + deadId).json().getString("circuit")), "the circuit shown open");
    Thread.sleep(1500);
    assertEquals(4, deadEnd.all().size(), "nothing is sent while the circuit is open");
    assertEquals("closed", admin.get("/api/v1/webhooks/" + healthyId).json().getString("circuit"));
    JsonArray log = admin.get("/api/v1/webhooks/" + deadId + "/deliveries").json().getJsonArray("items");
    assertEquals(6, log.size());
    assertEquals(0, log.stream().filter(d -> "dead".equals(((JsonObject) d).getString("status"))).count(),
        "an open circuit spends no attempts: nothing is dead-lettered meanwhile");

    deadEnd.dead = false;
    waitFor(() -> deadEnd.accepted().size() == 6, "after the reset, one probe closes the circuit and the backlog drains", 20_000);
    waitFor(() -> "closed".equals(admin.get("/api/v1/webhooks/" + deadId).json().getString("circuit")), "the circuit shown closed");
  }

  @Test
  void eventsWrittenSetBasedLikeTheRfmBatchAreDeliveredTooInTheirOrder() throws Exception {
    Receiver r = new Receiver();
    subscribe(r, "customer.segment.changed");
    UUID customer = UUID.fromString(createCustomer("Ana"));
    String rows = "SELECT gen_random_uuid() AS event_id, $1::uuid AS organization_id, $2::uuid AS aggregate_id, 'rfm-test' AS correlation_id,"
        + " now() AS occurred_at, jsonb_build_object('n', g) AS data FROM generate_series(1, 3) g";
    String sql = "WITH rows AS (" + rows + "), recorded AS (" + Outbox.insertEachRowOf("rows", "customer.segment.changed", 1)
        + ") SELECT count(*) FROM recorded";
    Db db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 2,
        "webhooks-test");
    try {
      db.withTenant(org, conn -> conn.preparedQuery(sql).execute(Tuple.of(org, customer))).await(10, TimeUnit.SECONDS);
    } finally {
      db.close().await(10, TimeUnit.SECONDS);
    }
    waitFor(() -> r.accepted().size() == 3, "the three set-based events");
    assertEquals(List.of(1, 2, 3), r.accepted().stream().map(x -> x.json().getJsonObject("data").getInteger("n")).toList());
    assertEquals(Set.of("customer.segment.changed"), Set.copyOf(r.all().stream().map(Received::eventType).toList()),
        "the customer.created of the same customer was not subscribed");
  }

  @Test
  void discardingADeadLetterLetsThatCustomersLaterEventsGoAndKeepsItInTheLog() throws Exception {
    Receiver r = new Receiver();
    r.dead = true;
    String id = subscribe(r, "customer.created", "customer.updated").getString("id");
    String ana = createCustomer("Ana");
    waitFor(() -> admin.get("/api/v1/webhooks/" + id + "/deliveries?status=dead").json().getJsonArray("items").size() == 1,
        "the dead letter");
    renameCustomer(ana, "Anita");
    r.dead = false;
    Thread.sleep(500);
    assertEquals(0, r.accepted().size(), "the update waits behind the dead letter");
    long deadId = admin.get("/api/v1/webhooks/" + id + "/deliveries?status=dead").json().getJsonArray("items").getJsonObject(0).getLong("id");
    Http.Reply discarded = admin.post("/api/v1/webhooks/" + id + "/deliveries/" + deadId + "/discard", null);
    assertEquals(200, discarded.status, discarded.toString());
    assertEquals("discarded", discarded.json().getString("status"));
    assertNotNull(discarded.json().getString("discarded_at"));
    waitFor(() -> r.accepted().size() == 1, "the update, once the dead letter is discarded");
    assertEquals(recordedEventIds(ana).get(1), r.accepted().get(0).eventId());
    assertEquals(1, admin.get("/api/v1/webhooks/" + id + "/deliveries?status=discarded").json().getJsonArray("items").size());
    Http.Reply again = admin.post("/api/v1/webhooks/" + id + "/deliveries/" + deadId + "/discard", null);
    assertEquals(422, again.status, again.toString());
    assertInvalid(admin.post("/api/v1/webhooks/" + id + "/deliveries/abc/discard", null), "delivery_id");
  }
}
