package com.zenlogic.customerservice.contracts;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyProgram;
import com.zenlogic.customerservice.loyalty.LoyaltyService;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.EventContract;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * asyncapi.yaml is the truth about the events: the service is driven through every kind of change,
 * every message it puts on customer_events validates against the document (TestBroker.capture
 * checks each one, for every test that captures), the published types seen are exactly the
 * declared ones, every event type constant in src/main is declared, and each consumed message's
 * example, fed to the real consumer, is applied.
 */
class AsyncApiContractTest {
  static final String[] ALL = {"customers:read", "customers:write", "customers:admin", "loyalty:read", "loyalty:write", "loyalty:admin",
      "credit:read", "credit:write", "credit:approve", "segments:read", "segments:admin", "analytics:read"};
  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static List<RabbitMQMessage> published;
  static EventContract contract = EventContract.get();

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "asyncapi");
    published = broker.capture();
    app = TestApp.start("asyncapi", Map.of("AMQP_URL", broker.url(), "LOYALTY_JOBS_FIRST_RUN_SECONDS", 1_000_000,
        "IMPORT_SPOOL_DIR", java.nio.file.Files.createTempDirectory("asyncapi-imports").toString()));
    waitFor(() -> queueExists("customer_payment_queue"), "consumers declared their queues");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    broker.close();
    helper.close();
  }

  static boolean queueExists(String queue) {
    try {
      broker.client.messageCount(queue).await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  static List<JsonObject> events(UUID org) {
    return published.stream().map(m -> m.body().toJsonObject())
        .filter(e -> org.toString().equals(e.getString("organization_id"))).collect(Collectors.toList());
  }

  static Set<String> typesSeen(UUID org) {
    return events(org).stream().map(e -> e.getString("event_type")).collect(Collectors.toCollection(TreeSet::new));
  }

  static JsonObject ok(Http.Reply r) {
    assertTrue(r.status / 100 == 2, r.toString());
    return r.json() == null ? new JsonObject() : r.json();
  }

  @Test
  void theDocumentIsAsyncApi3WithChannelsOperationsAndAPayloadForEveryMessage() throws Exception {
    Map<String, Object> raw;
    try (var in = getClass().getClassLoader().getResourceAsStream("asyncapi.yaml")) {
      raw = new Yaml().load(in);
    }
    JsonObject doc = contract.document;
    assertTrue(String.valueOf(raw.get("asyncapi")).startsWith("3."), "asyncapi: " + raw.get("asyncapi"));
    assertFalse(doc.getJsonObject("channels").isEmpty());
    assertFalse(doc.getJsonObject("operations").isEmpty());
    JsonObject messages = doc.getJsonObject("components").getJsonObject("messages");
    for (String id : messages.fieldNames()) {
      JsonObject m = messages.getJsonObject(id);
      assertNotNull(m.getJsonObject("payload"), id + " has a payload");
      assertFalse(m.getJsonArray("examples", new JsonArray()).isEmpty(), id + " has an example");
    }
    for (String id : doc.getJsonObject("operations").fieldNames()) {
      JsonObject op = doc.getJsonObject("operations").getJsonObject(id);
      assertTrue(Set.of("send", "receive").contains(op.getString("action")), id);
      String channel = op.getJsonObject("channel").getString("$ref").replace("#/channels/", "");
      assertNotNull(doc.getJsonObject("channels").getJsonObject(channel), id + " names channel " + channel);
    }
    assertEquals(Set.of("order.completed", "order.cancelled", "pos.transaction.completed", "payment.received"),
        contract.consumed().keySet());
    contract.consumed().values().forEach(m -> assertEquals(Map.of("order.completed", "order_events", "order.cancelled", "order_events",
        "pos.transaction.completed", "pos_events", "payment.received", "payment_events").get(m.routingKey()), m.exchange()));
    contract.published().values().forEach(m -> assertEquals("customer_events", m.exchange(), m.routingKey()));
  }

  @Test
  void theDocumentIsServedAtAsyncapiYamlBesideOpenapiYamlWithoutAToken() throws Exception {
    Http anonymous = new Http(app.config.httpPort());
    Http.Reply served = anonymous.get("/asyncapi.yaml");
    assertEquals(200, served.status);
    assertEquals("application/yaml", served.header("Content-Type"));
    try (var in = getClass().getClassLoader().getResourceAsStream("asyncapi.yaml")) {
      assertEquals(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), served.body);
    }
    assertEquals(200, anonymous.get("/openapi.yaml").status);
  }

  @Test
  void everyExampleOfTheDocumentValidatesAgainstItsOwnSchema() {
    contract.published().values().forEach(m -> m.examples().forEach(ex -> {
      JsonObject e = (JsonObject) ex;
      contract.checkPublished(m.routingKey(), e.getJsonObject("payload").encode(), e.getJsonObject("headers").getMap());
    }));
    contract.consumed().values().forEach(m -> m.examples().forEach(ex ->
        contract.checkConsumed(m.routingKey(), ((JsonObject) ex).getJsonObject("payload"))));
  }

  @Test
  void aPayloadThatBreaksTheContractIsRejected() {
    JsonObject good = contract.published().get("loyalty.points.earned").examples().getJsonObject(0).getJsonObject("payload");
    JsonObject floatAmount = good.copy();
    floatAmount.getJsonObject("data").put("amount", 25990.0);
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> contract.checkPublished("loyalty.points.earned", floatAmount.encode(), null));
    assertTrue(e.getMessage().contains("/data/amount"), e.getMessage());
    JsonObject missing = good.copy();
    missing.getJsonObject("data").remove("points_balance");
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> contract.checkPublished("loyalty.points.earned", missing.encode(), null));
    org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> contract.checkPublished("loyalty.points.unknown", good.encode(), null));
  }

  /** Event types in src/main: the *Events classes' constants, and the constants or literals given to Outbox.record, Posting.event and insertEachRowOf. */
  @Test
  void everyEventTypeTheCodeCanPublishIsDeclared() throws IOException {
    Set<String> inCode = new TreeSet<>();
    Pattern constant = Pattern.compile("static final String (\\w+) = \"([a-z][a-z_.]*)\"");
    Pattern recorded = Pattern.compile("Outbox\\.record\\([^,]+,[^,]+,\\s*(\\w+)\\s*,");
    Pattern setBased = Pattern.compile("insertEachRowOf\\(\"\\w+\", \"([a-z][a-z_.]*)\"");
    Pattern literal = Pattern.compile("(?:Outbox\\.record\\([^,]+,[^,]+,|\\.event\\()\\s*\"([a-z][a-z_.]*)\"");
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String text = Files.readString(f);
        Map<String, String> constants = new java.util.HashMap<>();
        Matcher c = constant.matcher(text);
        while (c.find()) {
          constants.put(c.group(1), c.group(2));
          if (f.getFileName().toString().endsWith("Events.java")) {
            inCode.add(c.group(2));
          }
        }
        Matcher r = recorded.matcher(text);
        while (r.find()) {
          if (constants.containsKey(r.group(1))) {
            inCode.add(constants.get(r.group(1)));
          }
        }
        Matcher s = setBased.matcher(text);
        while (s.find()) {
          inCode.add(s.group(1));
        }
        Matcher l = literal.matcher(text);
        while (l.find()) {
          inCode.add(l.group(1));
        }
      }
    }
    assertTrue(inCode.size() >= 21, "found " + inCode);
    assertTrue(inCode.contains("customer.segment.changed"), inCode.toString());
    assertEquals(inCode, contract.publishedTypes(), "event types in src/main vs published in asyncapi.yaml");
  }

  @Test
  void everyKindOfChangePublishesEventsThatMatchTheDocumentAndCoverIt() throws Exception {
    UUID org = UUID.randomUUID();
    Http h = new Http(app.config.httpPort()).as(app.token(org, ALL));
    String c = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas").put("email", "ana@example.cl").put("phone", "+56941234567").put("birthdate", "1990-04-01")
        .put("tags", new JsonArray().add("vip")))).getString("id");
    ok(h.patch("/api/v1/customers/" + c, new JsonObject().put("notes", "prefers mornings"), null));
    ok(h.post("/api/v1/customers/" + c + "/addresses", new JsonObject().put("kind", "shipping").put("line1", "Av. Providencia 1234")));
    ok(h.put("/api/v1/customers/" + c + "/preferences", new JsonObject().put("restrictions", new JsonArray().add("gluten"))));
    String program = ok(h.post("/api/v1/loyalty/punch-card-programs", new JsonObject().put("name", "Café").put("category", "coffee")
        .put("stamps_required", 2).put("reward", "Un café"))).getString("id");
    assertNotNull(program);
    ok(h.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "20000.50")
        .put("channel", "pos").put("items", new JsonArray().add(new JsonObject().put("category", "coffee").put("quantity", 2)))));
    ok(h.post("/api/v1/customers/" + c + "/loyalty/redeem", new JsonObject().put("points", 100).put("reference_id", "r-1")));
    ok(h.post("/api/v1/customers/" + c + "/loyalty/adjust", new JsonObject().put("points", 5).put("reason", "goodwill")));
    ok(h.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("reason", "void")));
    ok(h.post("/api/v1/customers/" + c + "/purchases", new JsonObject().put("reference", "buy-1").put("amount", "120")));
    ok(h.post("/api/v1/segments/recalculate", null));

    ok(h.post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "500").put("currency", "CLP")));
    ok(h.post("/api/v1/customers/" + c + "/credit/line/approve", null));
    ok(h.patch("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "600"), null));
    ok(h.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "o-1").put("amount", "50")));
    h.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "o-2").put("amount", "5000"));
    ok(h.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "o-3").put("amount", "40")));
    ok(h.post("/api/v1/customers/" + c + "/credit/release", new JsonObject().put("order_id", "o-3")));
    ok(h.post("/api/v1/customers/" + c + "/credit/payments", new JsonObject().put("payment_reference", "p-1").put("amount", "60")));
    ok(h.post("/api/v1/customers/" + c + "/credit/line/suspend", null));
    ok(h.post("/api/v1/customers/" + c + "/credit/line/close", null));

    // The scheduled loyalty work, driven with a moved clock on the same database (the app's relay publishes).
    DbUrl runtime = DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword());
    Db db = Db.create(app.vertx, runtime, 2, "asyncapi-test");
    try {
      Caller caller = new Caller(UUID.fromString(org.toString()), "tester", null, Set.of("loyalty:admin"), "contract-test");
      String gold = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", "Ferretería Sur")))
          .getString("id");
      MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofDays(500)));
      LoyaltyService past = new LoyaltyService(db, CustomerChangeListener.NONE, clock);
      past.earn(new LoyaltyMessages.Earn(caller, UUID.fromString(gold), "big", new BigDecimal("6000"), null, "pos", List.of()))
          .await(30, TimeUnit.SECONDS);
      clock.advance(Duration.ofDays(400));
      past.reviewTiers(org).await(30, TimeUnit.SECONDS);
      clock.advance(Duration.ofDays(31));
      assertTrue(past.reviewTiers(org).await(30, TimeUnit.SECONDS) >= 1);
      LoyaltyService now = new LoyaltyService(db, CustomerChangeListener.NONE, java.time.Clock.systemUTC());
      assertTrue(now.expirePoints(org).await(30, TimeUnit.SECONDS) > 0);

      // Points earned 340 days ago expire in 25: one expiring notice; some of them go to c by transfer.
      String saver = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Lea")
          .put("last_name", "Paz"))).getString("id");
      new LoyaltyService(db, CustomerChangeListener.NONE, new MutableClock(Instant.now().minus(Duration.ofDays(340))))
          .earn(new LoyaltyMessages.Earn(caller, UUID.fromString(saver), "old", new BigDecimal("500"), null, "pos", List.of()))
          .await(30, TimeUnit.SECONDS);
      now.saveProgram(caller, LoyaltyProgram.DEFAULT.withTransfers(true, null)).await(30, TimeUnit.SECONDS);
      ok(h.post("/api/v1/loyalty/transfers", new JsonObject().put("transfer_id", "tr-1").put("from_customer_id", saver)
          .put("to_customer_id", c).put("points", 100).put("reason", "household")));
      assertTrue(now.notifyExpiringPoints(org, 100).await(30, TimeUnit.SECONDS) >= 1);

      // A partial return that takes a silver account below 1000 qualifying points: a downgrade warning.
      String returner = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ines")
          .put("last_name", "Mora"))).getString("id");
      ok(h.post("/api/v1/customers/" + returner + "/loyalty/earn", new JsonObject().put("transaction_id", "t-ret").put("amount", "1200")
          .put("channel", "pos")));
      ok(h.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-ret").put("return_id", "ret-1").put("amount", "600")
          .put("reason", "returned")));
      // Points redeemed on a sale that is then voided as a whole come back: refunded.
      ok(h.post("/api/v1/customers/" + returner + "/loyalty/earn", new JsonObject().put("transaction_id", "t-spend").put("amount", "300")
          .put("channel", "pos")));
      ok(h.post("/api/v1/customers/" + returner + "/loyalty/redeem", new JsonObject().put("points", 100).put("reference_id", "t-spend")));
      ok(h.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-spend").put("reason", "void")));
      // With a 7-day return window, points earned 10 days ago are released by the job: available.
      now.saveProgram(caller, LoyaltyProgram.DEFAULT.withTransfers(true, null).withPendingDays(7)).await(30, TimeUnit.SECONDS);
      new LoyaltyService(db, CustomerChangeListener.NONE, new MutableClock(Instant.now().minus(Duration.ofDays(10))))
          .earn(new LoyaltyMessages.Earn(caller, UUID.fromString(returner), "t-pend", new BigDecimal("200"), null, "pos", List.of()))
          .await(30, TimeUnit.SECONDS);
      assertTrue(now.releasePendingPoints(org).await(30, TimeUnit.SECONDS) >= 1);
    } finally {
      db.close().await(10, TimeUnit.SECONDS);
    }

    String duplicate = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Eva")
        .put("last_name", "Lagos"))).getString("id");
    ok(h.post("/api/v1/customers/" + duplicate + "/merge", new JsonObject().put("into", c)));
    ok(h.delete("/api/v1/customers/" + c));
    String erased = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Eva").put("last_name", "Lagos")))
        .getString("id");
    ok(h.post("/api/v1/customers/" + erased + "/erase", null));
    java.net.http.HttpResponse<String> imported = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
        .newBuilder(java.net.URI.create("http://127.0.0.1:" + app.config.httpPort() + "/api/v1/imports"))
        .header("Authorization", "Bearer " + app.token(org, ALL)).header("Content-Type", "text/csv")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("external_id,customer_type,first_name,last_name\nI-1,person,Ida,Paz\n"))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(202, imported.statusCode(), imported.body());

    Set<String> declared = contract.publishedTypes();
    try {
      waitFor(() -> typesSeen(org).containsAll(declared), "every declared event type on customer_events");
    } catch (AssertionError e) {
      Set<String> missing = new TreeSet<>(declared);
      missing.removeAll(typesSeen(org));
      throw new AssertionError("not seen: " + missing, e);
    }
    List<RabbitMQMessage> mine = published.stream()
        .filter(m -> org.toString().equals(m.body().toJsonObject().getString("organization_id"))).toList();
    for (RabbitMQMessage m : mine) {
      contract.checkPublished(m.envelope().getRoutingKey(), m.body().toString(), m.properties().getHeaders());
      assertEquals(m.envelope().getRoutingKey(), m.properties().getType());
      assertEquals(m.body().toJsonObject().getString("event_id"), m.properties().getMessageId());
    }
    assertEquals(declared, typesSeen(org), "published types are exactly the declared ones");
  }

  @Test
  void theDocumentsExampleOfEveryConsumedEventIsAppliedByTheRealConsumer() throws Exception {
    UUID org = UUID.randomUUID();
    Http h = new Http(app.config.httpPort()).as(app.token(org, ALL));
    String c = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Rut").put("last_name", "Soto"))).getString("id");
    ok(h.post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "900000").put("currency", "CLP")));
    ok(h.post("/api/v1/customers/" + c + "/credit/line/approve", null));
    ok(h.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "o-pay").put("amount", "1000")));
    Map<String, String> effect = Map.of("order.completed", "loyalty.points.earned", "order.cancelled", "loyalty.points.reversed",
        "pos.transaction.completed", "loyalty.points.earned", "payment.received", "credit.payment.recorded");
    int earned = 0;
    for (String type : List.of("order.completed", "order.cancelled", "pos.transaction.completed", "payment.received")) {
      EventContract.Message m = contract.consumed().get(type);
      JsonObject event = m.examples().getJsonObject(0).getJsonObject("payload").copy();
      event.put("organization_id", org.toString()).put("event_id", UUID.randomUUID().toString());
      event.getJsonObject("data").put("customer_id", c);
      contract.checkConsumed(type, event);
      int before = (int) events(org).stream().filter(e -> e.getString("event_type").equals(effect.get(type))).count();
      broker.publish(m.exchange(), type, event.getString("event_id"), event).await(10, TimeUnit.SECONDS);
      waitFor(() -> events(org).stream().filter(e -> e.getString("event_type").equals(effect.get(type))).count() == before + 1,
          type + " applied: " + effect.get(type));
      if (effect.get(type).equals("loyalty.points.earned")) {
        earned++;
      }
    }
    assertEquals(2, earned);
    JsonObject payment = events(org).stream().filter(e -> e.getString("event_type").equals("credit.payment.recorded")).findFirst()
        .orElseThrow().getJsonObject("data");
    assertEquals("PAY-9", payment.getString("payment_reference"));
    assertEquals("150000.00", payment.getString("amount"));
    assertEquals("1000.00", payment.getString("applied"));
    JsonObject pos = events(org).stream().filter(e -> e.getString("event_type").equals("loyalty.points.earned")
        && "T-1001".equals(e.getJsonObject("data").getString("transaction_id"))).findFirst().orElseThrow().getJsonObject("data");
    assertEquals("25990.00", pos.getString("amount"));
  }
}
