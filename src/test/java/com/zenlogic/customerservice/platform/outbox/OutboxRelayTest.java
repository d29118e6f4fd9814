package com.zenlogic.customerservice.platform.outbox;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay against the real RabbitMQ (own vhost): one refused message is parked without holding up
 * other customers, a customer's later events wait behind it, unroutable messages are detected by
 * basic.return, and customer_events is a plain exchange any other service can declare.
 */
class OutboxRelayTest {
  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static TestBroker.Checked published = new TestBroker.Checked();
  static final String REJECTING_QUEUE = "test-rejects-updates";

  UUID org = UUID.randomUUID();
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "relay");
    // What this test listens to: customer and loyalty events, not credit events (those are unroutable here).
    String capture = "test-capture-relay";
    broker.client.exchangeDeclare("customer_events", "topic", true, false)
        .compose(v -> broker.client.queueDeclare(capture, false, true, true))
        .compose(v -> broker.client.queueBind(capture, "customer_events", "customer.#"))
        .compose(v -> broker.client.queueBind(capture, "customer_events", "loyalty.#"))
        .compose(v -> broker.client.basicConsumer(capture, new QueueOptions().setAutoAck(true)))
        .onSuccess(c -> c.handler(published::arrived))
        .await(20, TimeUnit.SECONDS);
    // A full queue that rejects new messages makes the broker nack every customer.updated: a per-message refusal.
    broker.client.queueDeclare(REJECTING_QUEUE, true, false, false,
            new JsonObject().put("x-max-length", 0).put("x-overflow", "reject-publish"))
        .compose(v -> broker.client.queueBind(REJECTING_QUEUE, "customer_events", "customer.updated"))
        .await(20, TimeUnit.SECONDS);
    app = TestApp.start("relay", Map.of("AMQP_URL", broker.url(), "OUTBOX_MAX_ATTEMPTS", 3));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    broker.close();
    helper.close();
  }

  Http admin() {
    if (admin == null) {
      admin = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write", "loyalty:read",
          "loyalty:write", "credit:read", "credit:write", "credit:approve"));
    }
    return admin;
  }

  String customer(String name) {
    Http.Reply r = admin().post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", name)
        .put("last_name", "Test"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  void earn(String customer, String transaction, String amount) {
    Http.Reply r = admin().post("/api/v1/customers/" + customer + "/loyalty/earn", new JsonObject().put("transaction_id", transaction)
        .put("amount", amount));
    assertEquals(200, r.status, r.toString());
  }

  List<JsonObject> eventsOf(String customer) {
    return published.stream().map(m -> m.body().toJsonObject())
        .filter(e -> org.toString().equals(e.getString("organization_id")) && customer.equals(customerOf(e)))
        .toList();
  }

  static String customerOf(JsonObject e) {
    JsonObject data = e.getJsonObject("data");
    return data.getString("customer_id", data.getString("id"));
  }

  String scalarAsRelay(String query) {
    try (java.sql.Connection c = app.db.connectAs(app.db.owner().user(), app.db.owner().password());
         java.sql.Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.outbox_relay', 'on', true)");
      try (java.sql.ResultSet rs = st.executeQuery(query)) {
        String v = rs.next() ? rs.getString(1) : null;
        c.commit();
        return v;
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(query + ": " + e.getMessage(), e);
    }
  }

  @Test
  void noTriggerOnTheOutboxSendsANotify() {
    // NOTIFY serializes every commit through PostgreSQL's global notification lock (issue 15, V20);
    // the readers are woken in process (OutboxSignal) instead. A trigger function that notifies is back if this fails.
    assertEquals("0", scalarAsRelay("SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        + "WHERE t.tgrelid = 'outbox'::regclass AND NOT t.tgisinternal AND p.prosrc ILIKE '%notify%'"));
  }

  @Test
  void aRefusedMessageIsParkedWhileOtherCustomersFlowAndItsCustomersLaterEventsWaitBehindIt() throws Exception {
    String a = customer("Ana");
    Http.Reply patched = admin().patch("/api/v1/customers/" + a, new JsonObject().put("first_name", "Anita"), null);
    assertEquals(200, patched.status, patched.toString());
    earn(a, "a-1", "10.00");
    String b = customer("Beto");
    earn(b, "b-1", "20.00");
    earn(b, "b-2", "30.00");

    waitFor(() -> eventsOf(b).size() == 3, "B's three events flow past A's refused update", 15_000);
    waitFor(() -> "1".equals(scalarAsRelay("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL AND organization_id = '"
        + org + "'")), "A's update parked after 3 attempts", 20_000);
    String parkedId = scalarAsRelay("SELECT event_id FROM outbox WHERE parked_at IS NOT NULL AND organization_id = '" + org + "'");
    assertEquals("3", scalarAsRelay("SELECT attempts FROM outbox WHERE event_id = '" + parkedId + "'"));
    assertTrue(scalarAsRelay("SELECT last_error FROM outbox WHERE event_id = '" + parkedId + "'").contains("refused"));
    // A nack means "not every bound queue took it": the capture queue got a copy per attempt, all with the row's event id.
    List<JsonObject> attempts = eventsOf(a).stream().filter(e -> e.getString("event_type").equals("customer.updated")).toList();
    assertEquals(3, attempts.size(), "one publication per attempt, no more");
    assertTrue(attempts.stream().allMatch(e -> e.getString("event_id").equals(parkedId)), "every attempt carries the row's event id");
    assertTrue(eventsOf(a).stream().noneMatch(e -> e.getString("event_type").equals("loyalty.points.earned")),
        "A's earn waits behind its parked update");
    assertEquals(3, eventsOf(b).stream().map(e -> e.getString("event_id")).distinct().count(), "B's events went out once each");

    JsonObject outbox = new Http(app.config.httpPort()).get("/health/ready").json().getJsonArray("checks").stream()
        .map(JsonObject.class::cast).filter(c -> c.getString("id").equals("outbox")).findFirst().orElseThrow()
        .getJsonObject("data");
    assertEquals(1L, outbox.getLong("parked"), outbox.encode());
    assertTrue(outbox.getString("first_parked").startsWith(parkedId + " customer.updated"), outbox.encode());
    waitFor(() -> new Http(app.config.httpPort()).get("/metrics").body.lines()
        .anyMatch(l -> l.startsWith("customer_outbox_parked ") && !l.endsWith(" 0.0")), "parked gauge", 10_000);
    assertTrue(new Http(app.config.httpPort()).get("/metrics").body.contains("customer_outbox_failed_total"));

    // The operator removes the cause, then sends the parked row back: same event id, then A's earn after it.
    broker.client.queueUnbind(REJECTING_QUEUE, "customer_events", "customer.updated").await(10, TimeUnit.SECONDS);
    Http.Reply retried = new Http(app.config.httpPort()).post("/ops/outbox/retry-parked?event_id=" + parkedId, null);
    assertEquals(200, retried.status, retried.toString());
    assertEquals(1, retried.json().getInteger("retried"));
    waitFor(() -> eventsOf(a).size() == 6, "A's update then its earn", 15_000);
    List<JsonObject> aEvents = eventsOf(a);
    assertEquals(List.of("customer.created", "customer.updated", "customer.updated", "customer.updated", "customer.updated",
        "loyalty.points.earned"), aEvents.stream().map(e -> e.getString("event_type")).toList(),
        "A's earn goes out only after its update was confirmed");
    assertEquals(parkedId, aEvents.get(4).getString("event_id"), "the event id of the outbox row, not a fresh one");
    assertEquals("0", scalarAsRelay("SELECT count(*) FROM outbox WHERE organization_id = '" + org + "' AND published_at IS NULL"));
    broker.client.queueBind(REJECTING_QUEUE, "customer_events", "customer.updated").await(10, TimeUnit.SECONDS);
  }

  @Test
  void anUnroutableEventIsCountedAndKeptAndDoesNotHoldUpTheCustomer() throws Exception {
    double before = EventMetrics.counted("customer_outbox_unroutable", "event_type", "credit.approved", null, null);
    String c = customer("Carla");
    Http.Reply line = admin().post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "1000")
        .put("currency", "CLP"));
    assertTrue(line.status < 300, line.toString());
    Http.Reply approved = admin().post("/api/v1/customers/" + c + "/credit/line/approve", null);
    assertTrue(approved.status < 300, approved.toString());
    earn(c, "c-1", "15.00");
    waitFor(() -> eventsOf(c).size() == 2, "Carla's created and earned, past her unroutable credit events", 15_000);
    waitFor(() -> EventMetrics.counted("customer_outbox_unroutable", "event_type", "credit.approved", null, null) > before,
        "the return is counted", 10_000);
    String kept = scalarAsRelay("SELECT count(*) FROM outbox WHERE organization_id = '" + org + "' AND event_type = 'credit.approved' "
        + "AND published_at IS NOT NULL AND returned_at IS NOT NULL");
    assertEquals("1", kept, "kept, marked returned, republishable");
    assertEquals("0", scalarAsRelay("SELECT count(*) FROM outbox WHERE organization_id = '" + org + "' AND parked_at IS NOT NULL"));
  }

  @Test
  void anotherServiceCanDeclareCustomerEventsPlainlyFromItsOwnConnection() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.url());
    try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
      // What the issue's other service runs: exchange_declare('customer_events', 'topic', durable=True).
      assertNotNull(channel.exchangeDeclare("customer_events", "topic", true));
      assertNotNull(channel.exchangeDeclarePassive("customer_events"));
      assertTrue(channel.isOpen(), "no 406 PRECONDITION_FAILED closed the channel");
    }
  }

  @Test
  void anExchangeLeftWithTheOldAlternateExchangeArgumentIsReportedAndPublishingGoesOn() throws Exception {
    try (TestBroker old = TestBroker.create(helper, "relay-old")) {
      // What an older version left behind on an existing broker.
      old.client.exchangeDeclare("customer_events", "topic", true, false,
          new JsonObject().put("alternate-exchange", "customer_events.unrouted")).await(10, TimeUnit.SECONDS);
      old.client.queueDeclare("old-capture", true, false, false).compose(v -> old.client.queueBind("old-capture", "customer_events", "#"))
          .await(10, TimeUnit.SECONDS);
      try (ConfirmedPublisher publisher = new ConfirmedPublisher(old.url(), "customer_events", "customer_events.unrouted",
          "customer_events_unrouted")) {
        publisher.open();
        com.rabbitmq.client.AMQP.BasicProperties props = new com.rabbitmq.client.AMQP.BasicProperties.Builder().messageId("m-1").build();
        List<ConfirmedPublisher.Result> results = publisher.publish(List.of(new ConfirmedPublisher.Message("m-1", "customer.created",
            props, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))), 5000);
        assertEquals(ConfirmedPublisher.Outcome.ROUTED, results.get(0).outcome(), results.toString());
      }
      assertEquals(1L, old.client.messageCount("old-capture").await(10, TimeUnit.SECONDS));
    }
  }
}
