package com.zenlogic.customerservice.consumers;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import com.zenlogic.customerservice.platform.outbox.EventMetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TcpProxy;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the consumers treat what cannot be applied: unstorable text and unusable amounts go to the
 * dead-letter queue at once with the reason (never retried); a database outage is retried and then
 * applied; a cancellation that overtakes its completion leaves the state of in-order delivery.
 * The database is reached through a cuttable proxy.
 */
class ConsumerFailuresTest {
  static final String ORDER = "customer_order_consumer";
  static Vertx helper;
  static TestBroker broker;
  static TcpProxy pg;
  static TestApp app;

  UUID org;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "consumers");
    pg = new TcpProxy(helper, 5432);
    com.zenlogic.customerservice.support.TestDatabase direct = com.zenlogic.customerservice.support.TestDatabase.create("consumers");
    String proxied = direct.url().replace(":5432/", ":" + pg.port() + "/");
    app = TestApp.startOn(direct, "consumers", Map.of("AMQP_URL", broker.url(), "DB_URL", proxied));
    waitFor(() -> queueExists("customer_payment_queue") && queueExists("customer_order_queue"), "queues declared", 30_000);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    broker.close();
    pg.close();
    helper.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    admin = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write", "loyalty:read",
        "loyalty:write", "credit:read", "credit:write", "credit:approve"));
  }

  static boolean queueExists(String queue) {
    try {
      broker.client.messageCount(queue).await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  String customer() {
    Http.Reply r = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Soto"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  String envelope(String type, String data) {
    return "{\"event_id\":\"" + UUID.randomUUID() + "\",\"event_type\":\"" + type + "\",\"occurred_at\":\""
        + Instant.now().minusSeconds(60) + "\",\"organization_id\":\"" + org + "\",\"correlation_id\":\"c-1\",\"data\":" + data + "}";
  }

  void publish(String exchange, String key, String messageId, String body) throws Exception {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").messageId(messageId)
        .deliveryMode(2).build();
    broker.client.exchangeDeclare(exchange, "topic", true, false)
        .compose(v -> broker.client.basicPublish(exchange, key, props, Buffer.buffer(body))).await(10, TimeUnit.SECONDS);
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  record DeadLetter(String messageId, String reason, Object deliveryCount) {}

  /** The next n dead letters of a queue, by message id; fails if they do not all arrive within the bound. */
  static Map<String, DeadLetter> deadLetters(String queue, int n, long millis) throws Exception {
    Map<String, DeadLetter> out = new HashMap<>();
    long deadline = System.currentTimeMillis() + millis;
    while (out.size() < n) {
      RabbitMQMessage m = broker.client.basicGet(EventConsumerVerticle.deadLetterQueue(queue), true).await(5, TimeUnit.SECONDS);
      if (m == null) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("only " + out.size() + " of " + n + " dead letters within " + millis + " ms: " + out.keySet());
        }
        Thread.sleep(50);
        continue;
      }
      Map<String, Object> h = m.properties().getHeaders();
      out.put(m.properties().getMessageId(), new DeadLetter(m.properties().getMessageId(),
          h == null || h.get("x-error-reason") == null ? null : h.get("x-error-reason").toString(),
          h == null ? null : h.get("x-delivery-count")));
    }
    return out;
  }

  /** Quorum queues count earlier deliveries in x-delivery-count: absent or 0 means this was the first. */
  static boolean firstDelivery(DeadLetter d) {
    return d.deliveryCount() == null || ((Number) d.deliveryCount()).longValue() == 0;
  }

  static double retried(String consumer) {
    return EventMetrics.counted("customer_events_consumed", "consumer", consumer, "outcome", EventMetrics.RETRIED);
  }

  @Test
  void unstorableTextAnywhereInAnEventIsDeadLetteredAtOnceNamingTheField() throws Exception {
    String c = customer();
    double retriedBefore = retried(ORDER);
    String base = "\"customer_id\":\"" + c + "\",\"total_amount\":10";
    publish("order_events", "order.completed", "nul-data", envelope("order.completed", "{" + base + ",\"order_id\":\"o\\u0000-1\"}"));
    publish("order_events", "order.completed", "surrogate-item", envelope("order.completed", "{" + base
        + ",\"order_id\":\"o-2\",\"items\":[{\"product_id\":\"p\",\"category\":\"caf\\ud800\"}]}"));
    publish("order_events", "order.completed", "nul-key", envelope("order.completed", "{" + base + ",\"order_id\":\"o-3\",\"x\\u0000\":1}"));
    publish("order_events", "order.completed", "surrogate-envelope", envelope("order.completed", "{" + base + ",\"order_id\":\"o-4\"}")
        .replace("\"correlation_id\":\"c-1\"", "\"correlation_id\":\"\\udc00c\""));
    Map<String, DeadLetter> dead = deadLetters("customer_order_queue", 4, 10_000);
    assertTrue(dead.get("nul-data").reason().startsWith("data.order_id: must not contain the NUL character"), dead.toString());
    assertTrue(dead.get("surrogate-item").reason().startsWith("data.items[0].category: must not contain a lone UTF-16 surrogate"),
        dead.toString());
    assertTrue(dead.get("nul-key").reason().contains("key that must not contain the NUL"), dead.toString());
    assertTrue(dead.get("surrogate-envelope").reason().startsWith("correlation_id: must not contain a lone"), dead.toString());
    for (DeadLetter d : dead.values()) {
      assertTrue(firstDelivery(d), "dead-lettered on the first delivery: " + d);
    }
    assertEquals(retriedBefore, retried(ORDER), "nothing was retried");
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger"));
  }

  @Test
  void anUnusableAmountIsAPermanentFailureDeadLetteredAtOnce() throws Exception {
    String c = customer();
    double orderRetries = retried(ORDER);
    double paymentRetries = retried("customer_payment_consumer");
    Map<String, String> amounts = Map.of("exp-huge", "\"1e8000000\"", "exp-giant", "\"1e999999999\"", "negative", "\"-1\"",
        "text", "\"abc\"", "number-overflow", "1e400", "digits", "123456789012345678901234567890", "object", "{\"v\":1}");
    long started = System.currentTimeMillis();
    for (Map.Entry<String, String> a : amounts.entrySet()) {
      publish("order_events", "order.completed", a.getKey(), envelope("order.completed", "{\"customer_id\":\"" + c
          + "\",\"order_id\":\"" + a.getKey() + "\",\"total_amount\":" + a.getValue() + "}"));
    }
    // A field of the wrong JSON type (it used to escape as a ClassCastException, which was retried).
    publish("order_events", "order.completed", "wrong-type", envelope("order.completed", "{\"customer_id\":\"" + c
        + "\",\"order_id\":\"wt\",\"total_amount\":5,\"local_id\":5}"));
    publish("payment_events", "payment.received", "pay-abc", envelope("payment.received", "{\"customer_id\":\"" + c
        + "\",\"payment_reference\":\"r-1\",\"amount\":\"1e8000000\"}"));
    Map<String, DeadLetter> dead = deadLetters("customer_order_queue", amounts.size() + 1, 10_000);
    assertEquals("data.local_id: must be a string of at most 200 characters", dead.get("wrong-type").reason());
    Map<String, DeadLetter> deadPayment = deadLetters("customer_payment_queue", 1, 10_000);
    assertTrue(System.currentTimeMillis() - started < 10_000);
    for (String id : amounts.keySet()) {
      assertTrue(dead.get(id).reason().startsWith("data.total_amount: "), dead.get(id).toString());
      assertTrue(firstDelivery(dead.get(id)), "first delivery: " + dead.get(id));
    }
    assertTrue(deadPayment.get("pay-abc").reason().startsWith("data.amount: "), deadPayment.toString());
    assertEquals(orderRetries, retried(ORDER));
    assertEquals(paymentRetries, retried("customer_payment_consumer"));
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger"));
  }

  @Test
  void aCancellationThatOvertakesItsCompletionEndsInTheStateOfInOrderDelivery() throws Exception {
    String outOfOrder = customer();
    String inOrder = customer();
    String completedData = "{\"customer_id\":\"%s\",\"order_id\":\"%s\",\"total_amount\":\"250.00\"}";
    String cancelledData = "{\"customer_id\":\"%s\",\"order_id\":\"%s\"}";
    // In order: completed, then cancelled.
    publish("order_events", "order.completed", "in-done", envelope("order.completed", completedData.formatted(inOrder, "o-in")));
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'in-done'") == 2, "in-order completion", 10_000);
    assertEquals(1, sql("SELECT purchase_count FROM customer_stats WHERE customer_id = '" + inOrder + "'"));
    publish("order_events", "order.cancelled", "in-cancel", envelope("order.cancelled", cancelledData.formatted(inOrder, "o-in")));
    // Out of order: cancelled first, then completed, then the completion once more under another message id.
    publish("order_events", "order.cancelled", "out-cancel", envelope("order.cancelled", cancelledData.formatted(outOfOrder, "o-out")));
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'out-cancel'") == 3, "early cancellation", 10_000);
    publish("order_events", "order.completed", "out-done", envelope("order.completed", completedData.formatted(outOfOrder, "o-out")));
    publish("order_events", "order.completed", "out-done-again", envelope("order.completed", completedData.formatted(outOfOrder, "o-out")));
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id IN ('in-cancel', 'out-done', 'out-done-again')") == 3 + 2 + 2,
        "all applied", 10_000);
    for (String c : List.of(inOrder, outOfOrder)) {
      assertEquals(0, sql("SELECT coalesce((SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'), 0)"), c);
      assertEquals(0, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + c + "'"), c);
      assertEquals(0, sql("SELECT count(*) FROM purchases WHERE customer_id = '" + c + "'"), "no purchase left for " + c);
      assertEquals(0, sql("SELECT coalesce(max(purchase_count), 0) FROM customer_stats WHERE customer_id = '" + c + "'"), c);
      assertEquals("0.00", app.db.scalar(org, "SELECT coalesce(max(total_spent), 0.00) FROM customer_stats WHERE customer_id = '"
          + c + "'"), c);
    }
    assertEquals("none", app.db.scalar(org, "SELECT segment FROM customer_stats WHERE customer_id = '" + inOrder + "'"),
        "the cancelled order left RFM too");
    Http.Reply history = admin.get("/api/v1/customers/" + inOrder + "/purchases");
    if (history.status == 200) {
      assertEquals(0, history.json().getJsonArray("items").size(), history.toString());
    }
    assertEquals(2, sql("SELECT count(*) FROM order_cancellations"));
  }

  @Test
  void aDatabaseOutageIsRetriedAndTheMessageAppliedOnceItReturns() throws Exception {
    String c = customer();
    double before = retried(ORDER);
    pg.cut();
    try {
      publish("order_events", "order.completed", "during-outage", envelope("order.completed",
          "{\"customer_id\":\"" + c + "\",\"order_id\":\"o-outage\",\"total_amount\":\"42.00\"}"));
      waitFor(() -> retried(ORDER) > before, "a retry while the database is away", 15_000);
    } finally {
      pg.restore();
    }
    waitFor(() -> {
      try {
        return sql("SELECT count(*) FROM inbox WHERE message_id = 'during-outage'") == 2;
      } catch (RuntimeException e) {
        return false;
      }
    }, "applied after the outage", 30_000);
    assertEquals(42, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
  }

  @Test
  void inboxRowsOlderThanTheRetentionArePrunedAndRecentOnesKept() throws Exception {
    try (java.sql.Connection conn = app.db.connectAs(app.db.owner().user(), app.db.owner().password());
         java.sql.Statement st = conn.createStatement()) {
      conn.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      st.execute("INSERT INTO inbox (organization_id, consumer, message_id, processed_at) VALUES "
          + "('" + org + "', 'prune-test', 'old-1', now() - interval '20 days'), "
          + "('" + org + "', 'prune-test', 'old-2', now() - interval '15 days'), "
          + "('" + org + "', 'prune-test', 'new-1', now() - interval '13 days'), "
          // The engines' rows of the same consumer go too; another consumer sharing the prefix stays.
          + "('" + org + "', 'prune-test:loyalty', 'old-3', now() - interval '20 days'), "
          + "('" + org + "', 'prune-test:loyalty', 'new-2', now() - interval '1 day'), "
          + "('" + org + "', 'prune-tester', 'old-4', now() - interval '20 days')");
      conn.commit();
    }
    Db db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 2,
        "prune-test");
    try {
      assertEquals(3L, EventConsumerVerticle.pruneInbox(db.pool(), "prune-test", 14).await(10, TimeUnit.SECONDS));
      assertEquals(1, sql("SELECT count(*) FROM inbox WHERE consumer = 'prune-test'"));
      assertEquals(1, sql("SELECT count(*) FROM inbox WHERE consumer = 'prune-test:loyalty'"));
      assertEquals(1, sql("SELECT count(*) FROM inbox WHERE consumer = 'prune-tester'"));
      assertEquals(0L, EventConsumerVerticle.pruneInbox(db.pool(), "prune-test", 14).await(10, TimeUnit.SECONDS));
    } finally {
      db.close();
    }
  }
}
