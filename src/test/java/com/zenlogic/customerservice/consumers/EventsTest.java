package com.zenlogic.customerservice.consumers;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TcpProxy;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox relay and the three consumers against the real RabbitMQ, on a vhost of this class's own, through a cuttable proxy. */
class EventsTest {
  static Vertx helper;
  static TestBroker broker;
  static TcpProxy amqp;
  static TestApp app;
  static GrpcTestClient grpc;
  static List<RabbitMQMessage> published;

  UUID org;
  String token;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "events");
    published = broker.capture();
    amqp = new TcpProxy(helper, 5672);
    app = TestApp.start("events", Map.of("AMQP_URL", TestBroker.url(broker.vhost, amqp.port())));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    waitFor(() -> queueExists("customer_payment_queue"), "consumers declared their queues");
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
    amqp.close();
    broker.close();
    helper.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "credit:read", "credit:write",
        "credit:approve");
    admin = new Http(app.config.httpPort()).as(token);
  }

  static boolean queueExists(String queue) {
    try {
      broker.client.messageCount(queue).await(5, java.util.concurrent.TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  List<JsonObject> eventsOf(String type) {
    return published.stream().map(m -> m.body().toJsonObject())
        .filter(e -> e.getString("organization_id").equals(org.toString()) && e.getString("event_type").equals(type))
        .collect(Collectors.toList());
  }

  String customer() {
    return admin.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", "Ferretería Sur"))
        .json().getString("id");
  }

  JsonObject envelope(String type, JsonObject data) {
    return new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", type)
        .put("schema_version", 1).put("occurred_at", Instant.now().minusSeconds(3600).toString()).put("organization_id", org.toString())
        .put("source", "order-service").put("correlation_id", "c-" + UUID.randomUUID()).put("data", data);
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  @Test
  void eachChangeIsPublishedOnceWithTheFullEnvelope() throws Exception {
    String id = customer();
    admin.patch("/api/v1/customers/" + id, new JsonObject().put("trade_name", "Sur"), null);
    waitFor(() -> eventsOf("customer.updated").size() == 1, "customer.updated");
    JsonObject created = eventsOf("customer.created").get(0);
    assertEquals(1, eventsOf("customer.created").size());
    for (String field : List.of("event_id", "event_type", "schema_version", "occurred_at", "organization_id", "source",
        "correlation_id", "data")) {
      assertNotNull(created.getValue(field), field);
    }
    assertEquals("customer-service", created.getString("source"));
    assertEquals(id, created.getJsonObject("data").getString("id"));
    RabbitMQMessage message = published.stream().filter(m -> m.body().toJsonObject().getString("event_id")
        .equals(created.getString("event_id"))).findFirst().orElseThrow();
    assertEquals(created.getString("event_id"), message.properties().getMessageId());
    assertEquals("application/json", message.properties().getContentType());
    assertEquals("customer.created", message.envelope().getRoutingKey());
    assertEquals(2, (int) message.properties().getDeliveryMode());
  }

  @Test
  void writesDuringABrokerOutageAreAllPublishedWhenItReturns() throws Exception {
    amqp.cut();
    try {
      for (int i = 0; i < 100; i++) {
        assertEquals(201, admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person")
            .put("first_name", "Cliente").put("last_name", "n" + i)).status);
      }
      JsonObject outbox = new Http(app.config.httpPort()).get("/health/ready").json().getJsonArray("checks").stream()
          .map(JsonObject.class::cast).filter(c -> c.getString("id").equals("outbox")).findFirst().orElseThrow();
      assertTrue(outbox.getJsonObject("data").getLong("depth") >= 100, outbox.encode());
    } finally {
      amqp.restore();
    }
    waitFor(() -> eventsOf("customer.created").size() >= 100, "100 events after the broker returned");
    Thread.sleep(1500);
    List<JsonObject> events = eventsOf("customer.created");
    assertEquals(100, events.size(), "none twice");
    assertEquals(100, events.stream().map(e -> e.getString("event_id")).distinct().count());
    assertEquals(0, sql("SELECT count(*) FROM outbox WHERE published_at IS NULL"));
  }

  @Test
  void theSameMessageDeliveredTwiceIsAppliedOnce() throws Exception {
    String c = customer();
    JsonObject event = envelope("order.completed", new JsonObject().put("customer_id", c).put("order_id", "o-1").put("total_amount", 120.50));
    broker.publish("order_events", "order.completed", "m-1", event).await();
    broker.publish("order_events", "order.completed", "m-1", event).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'm-1'") == 2, "applied by loyalty and segmentation");
    Thread.sleep(500);
    assertEquals(120, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE reference = 'o-1'"));
    assertEquals(1, sql("SELECT count(*) FROM purchases WHERE reference = 'order:o-1' AND source = 'order' "
        + "AND abs(extract(epoch FROM occurred_at - '" + event.getString("occurred_at") + "'::timestamptz)) < 0.001"),
        "history keeps when it happened");
  }

  @Test
  void pointsFromAddLoyaltyPointsAndTheLaterPosEventCountOnce() throws Exception {
    String c = customer();
    assertTrue(grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(c)
        .setTransactionId("txn_456").setAmount(100.00).setPointsRate(1).build(), token).ok());
    broker.publish("pos_events", "pos.transaction.completed", "pos-1", envelope("pos.transaction.completed", new JsonObject()
        .put("customer_id", c).put("transaction_id", "txn_456").put("totals", new JsonObject().put("total_amount", 100.00)))).await();
    broker.publish("pos_events", "pos.transaction.completed", "pos-anon", envelope("pos.transaction.completed", new JsonObject()
        .put("transaction_id", "txn_anon").put("totals", new JsonObject().put("total_amount", 10.00)))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id IN ('pos-1', 'pos-anon')") == 3,
        "both consumed (the sale by loyalty and segmentation, the anonymous one by the consumer)");
    assertEquals(100, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
  }

  @Test
  void aMalformedMessageIsDeadLetteredWithAReasonAndTheNextOneIsProcessed() throws Exception {
    String c = customer();
    broker.publishRaw("order_events", "order.completed", "bad-1", "{not json").await();
    broker.publishNonConforming("order_events", "order.completed", "no-org", envelope("order.completed", new JsonObject()
        .put("customer_id", c).put("order_id", "x").put("total_amount", 5)).put("organization_id", (String) null)).await();
    broker.publish("order_events", "order.completed", "unknown-customer", envelope("order.completed", new JsonObject()
        .put("customer_id", UUID.randomUUID().toString()).put("order_id", "y").put("total_amount", 5))).await();
    broker.publish("order_events", "order.completed", "good-1", envelope("order.completed", new JsonObject()
        .put("customer_id", c).put("order_id", "o-good").put("total_amount", 42))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'good-1'") == 2, "the good message behind");
    assertEquals(42, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    List<String> reasons = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonObject dead = null;
      for (int tries = 0; dead == null && tries < 50; tries++) {
        dead = broker.take("customer_order_queue.dead");
        if (dead == null) {
          Thread.sleep(100);
        }
      }
      assertNotNull(dead, "dead letter " + i);
      reasons.add(dead.getString("reason"));
    }
    assertTrue(reasons.stream().anyMatch(r -> r.contains("not a JSON object")), reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.contains("organization_id")), reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.contains("No customer")), reasons.toString());
  }

  @Test
  void aCancelledOrderTakesBackItsPointsAndFreesItsCredit() throws Exception {
    String c = customer();
    admin.post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "5000").put("currency", "CLP"));
    admin.post("/api/v1/customers/" + c + "/credit/line/approve", null);
    assertTrue(admin.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "o-9").put("amount", "800"))
        .json().getBoolean("approved"));
    broker.publish("order_events", "order.completed", "done-9", envelope("order.completed", new JsonObject()
        .put("customer_id", c).put("order_id", "o-9").put("total_amount", "800.00"))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'done-9'") == 2, "completed");
    broker.publish("order_events", "order.cancelled", "cancel-9", envelope("order.cancelled", new JsonObject()
        .put("customer_id", c).put("order_id", "o-9"))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'cancel-9'") == 3, "cancelled by loyalty, credit and segmentation");
    assertEquals(0, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals("0.00", app.db.scalar(org, "SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"));
    waitFor(() -> eventsOf("loyalty.points.reversed").size() == 1 && eventsOf("credit.released").size() == 1, "events out");
  }

  @Test
  void aCancelledOrderGivesBackThePointsSpentOnItOnceWhateverHowOftenTheCancellationArrives() throws Exception {
    String c = customer();
    String base = "/api/v1/customers/" + c + "/loyalty";
    assertEquals(200, admin.post(base + "/earn", new JsonObject().put("transaction_id", "t-old").put("amount", "1000")).status);
    broker.publish("order_events", "order.completed", "done-10", envelope("order.completed", new JsonObject()
        .put("customer_id", c).put("order_id", "o-10").put("total_amount", "800.00"))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'done-10'") == 2, "completed");
    assertEquals(200, admin.post(base + "/redeem", new JsonObject().put("points", 300).put("reference_id", "o-10")).status);
    assertEquals(1500, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    JsonObject cancelled = envelope("order.cancelled", new JsonObject().put("customer_id", c).put("order_id", "o-10"));
    broker.publish("order_events", "order.cancelled", "cancel-10", cancelled).await();
    broker.publish("order_events", "order.cancelled", "cancel-10", cancelled).await();
    broker.publish("order_events", "order.cancelled", "cancel-10-again", envelope("order.cancelled", new JsonObject()
        .put("customer_id", c).put("order_id", "o-10"))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id LIKE 'cancel-10%'") == 6, "both cancellations applied");
    assertEquals(1000, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"),
        "1000 + 800 earned - 300 spent - 800 taken back + 300 given back");
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'refund' AND points = 300"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'reverse' AND points = -800"));
    waitFor(() -> eventsOf("loyalty.points.refunded").size() == 1, "refunded published");
    JsonObject refunded = eventsOf("loyalty.points.refunded").get(0).getJsonObject("data");
    assertEquals(300, refunded.getLong("points"));
    assertEquals("o-10", refunded.getString("reference"));
    assertEquals(1000, refunded.getLong("points_balance"));
  }

  @Test
  void aPaymentReceivedTwiceIsRecordedOnce() throws Exception {
    String c = customer();
    admin.post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "1000").put("currency", "CLP"));
    admin.post("/api/v1/customers/" + c + "/credit/line/approve", null);
    admin.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "o-1").put("amount", "600"));
    JsonObject data = new JsonObject().put("customer_id", c).put("amount", 250.00).put("payment_reference", "pay-77");
    broker.publish("payment_events", "payment.received", "p-a", envelope("payment.received", data)).await();
    broker.publish("payment_events", "payment.received", "p-b", envelope("payment.received", data)).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id IN ('p-a', 'p-b')") == 2, "both consumed");
    assertEquals("350.00", app.db.scalar(org, "SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"));
    assertEquals(1, sql("SELECT count(*) FROM credit_ledger WHERE entry_type = 'payment'"));
  }
}
