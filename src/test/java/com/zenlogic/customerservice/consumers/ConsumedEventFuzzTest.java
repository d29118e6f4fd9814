package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.platform.outbox.EventMetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generative test of the three consumers: thousands of malformed and hostile events (wrong types,
 * missing fields, U+0000 and lone surrogates, huge numbers and exponents, unknown customers, other
 * tenants, duplicates, cancellations before their completion, garbage bytes, non-JSON, huge and
 * deeply nested bodies) mixed with valid ones over order_events, pos_events and payment_events.
 *
 * <p>Each event must be applied once (its inbox row) or dead-lettered with a reason, with nothing
 * stuck (the queues drain within the bound) and no redelivery loop (every message is delivered once,
 * nothing is retried, no dead letter carries an earlier delivery). Seeded: the seed is printed and
 * -Dfuzz.seed=... replays a run; -Dfuzz.cases=... changes the count.
 */
class ConsumedEventFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", new Random().nextLong());
  static final int CASES = Integer.getInteger("fuzz.cases", 2400);
  static final String[] CONSUMERS = {"customer_order_consumer", "customer_pos_consumer", "customer_payment_consumer"};
  static final String[] QUEUES = {"customer_order_queue", "customer_pos_queue", "customer_payment_queue"};

  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static final UUID ORG = UUID.randomUUID();
  static final UUID OTHER_ORG = UUID.randomUUID();
  static final List<String> customers = new ArrayList<>();
  static final List<String> creditCustomers = new ArrayList<>();
  static final List<String> otherTenantCustomers = new ArrayList<>();

  enum Expect { APPLY, DEAD, EITHER }

  /** messageId: the AMQP message id (may be null); dedupId: what the consumer deduplicates on (that, else the event_id). */
  record Sent(String fuzzId, String exchange, String routingKey, String messageId, byte[] body, Expect expect, String kind,
              String dedupId) {
    Sent(String fuzzId, String exchange, String routingKey, String messageId, byte[] body, Expect expect, String kind) {
      this(fuzzId, exchange, routingKey, messageId, body, expect, kind, messageId);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    System.out.println("ConsumedEventFuzzTest seed=" + SEED + " cases=" + CASES + " (replay with -Dfuzz.seed=" + SEED + ")");
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "fuzz");
    app = TestApp.start("fuzz", Map.of("AMQP_URL", broker.url()));
    Http admin = new Http(app.config.httpPort()).as(app.token(ORG, "customers:read", "customers:write", "credit:read",
        "credit:write", "credit:approve"));
    for (int i = 0; i < 12; i++) {
      customers.add(create(admin, "c" + i));
    }
    for (int i = 0; i < 4; i++) {
      String c = create(admin, "credit" + i);
      admin.post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", "900000").put("currency", "CLP"));
      admin.post("/api/v1/customers/" + c + "/credit/line/approve", null);
      Http.Reply used = admin.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", "setup-" + i)
          .put("amount", "800000"));
      assertTrue(used.status < 300 && used.json().getBoolean("approved"), used.toString());
      creditCustomers.add(c);
    }
    Http other = new Http(app.config.httpPort()).as(app.token(OTHER_ORG, "customers:read", "customers:write"));
    for (int i = 0; i < 3; i++) {
      otherTenantCustomers.add(create(other, "other" + i));
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (!queuesExist()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("consumers did not declare their queues");
      }
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    broker.close();
    helper.close();
  }

  static String create(Http http, String name) {
    Http.Reply r = http.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", name)
        .put("last_name", "Fuzz"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  static boolean queuesExist() {
    try {
      for (String q : QUEUES) {
        broker.client.messageCount(q).await(5, java.util.concurrent.TimeUnit.SECONDS);
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void everyHostileOrMalformedEventIsAppliedOnceOrDeadLetteredWithAReasonAndNothingLoops() throws Exception {
    Random random = new Random(SEED);
    Generator gen = new Generator(random);
    List<Sent> sent = new ArrayList<>();
    while (sent.size() < CASES) {
      sent.addAll(gen.next(sent));
    }
    Map<String, Double> before = counters();

    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.url());
    long started = System.currentTimeMillis();
    try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      for (String ex : List.of("order_events", "pos_events", "payment_events")) {
        channel.exchangeDeclare(ex, "topic", true);
      }
      for (Sent s : sent) {
        AMQP.BasicProperties.Builder props = new AMQP.BasicProperties.Builder().deliveryMode(2)
            .headers(Map.of("x-fuzz-id", s.fuzzId()));
        if (s.messageId() != null) {
          props.messageId(s.messageId());
        }
        channel.basicPublish(s.exchange(), s.routingKey(), props.build(), s.body());
      }
      channel.waitForConfirmsOrDie(30_000);

      // Drain: every message must reach a final state within the bound.
      Map<String, String> deadReasons = new HashMap<>();
      Map<String, Integer> deadCopies = new HashMap<>();
      List<String> redelivered = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 60_000;
      while (true) {
        for (String q : QUEUES) {
          GetResponse r;
          while ((r = channel.basicGet(EventConsumerVerticle.deadLetterQueue(q), true)) != null) {
            Map<String, Object> h = r.getProps().getHeaders();
            String id = String.valueOf(h.get("x-fuzz-id"));
            deadReasons.put(id, h.get("x-error-reason") == null ? null : h.get("x-error-reason").toString());
            deadCopies.merge(id, 1, Integer::sum);
            Object count = h.get("x-delivery-count");
            if (count instanceof Number n && n.longValue() > 0) {
              redelivered.add(id + " (" + n + ")");
            }
          }
        }
        double settled = delta(before, counters(), "applied") + delta(before, counters(), "duplicate")
            + delta(before, counters(), "dead_lettered");
        long ready = 0;
        for (String q : QUEUES) {
          ready += channel.messageCount(q);
        }
        if (settled >= sent.size() && ready == 0 && deadCopies.values().stream().mapToInt(Integer::intValue).sum()
            >= delta(before, counters(), "dead_lettered")) {
          break;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("seed=" + SEED + ": stuck: " + settled + " of " + sent.size() + " settled, " + ready
              + " still queued after 60 s; counters " + counters());
        }
        Thread.sleep(100);
      }
      long elapsed = System.currentTimeMillis() - started;

      Set<String> applied = inbox();
      List<String> problems = new ArrayList<>();
      Map<String, Integer> byKind = new HashMap<>();
      int dead = 0;
      int appliedCount = 0;
      for (Sent s : sent) {
        byKind.merge(s.kind(), 1, Integer::sum);
        boolean isDead = deadReasons.containsKey(s.fuzzId());
        boolean isApplied = s.dedupId() != null && applied.contains(s.dedupId());
        if (isDead) {
          dead++;
          String reason = deadReasons.get(s.fuzzId());
          if (reason == null || reason.isBlank()) {
            problems.add(s.kind() + " " + s.fuzzId() + ": dead-lettered without a reason");
          }
          if (s.expect() == Expect.APPLY) {
            problems.add(s.kind() + " " + s.fuzzId() + ": expected applied, dead-lettered: " + reason);
          }
        } else if (isApplied) {
          appliedCount++;
          if (s.expect() == Expect.DEAD) {
            problems.add(s.kind() + " " + s.fuzzId() + ": expected dead-lettered, applied");
          }
        } else {
          problems.add(s.kind() + " " + s.fuzzId() + ": neither applied nor dead-lettered");
        }
        if (deadCopies.getOrDefault(s.fuzzId(), 0) > 1) {
          problems.add(s.kind() + " " + s.fuzzId() + ": dead-lettered " + deadCopies.get(s.fuzzId()) + " times");
        }
      }
      Map<String, Double> after = counters();
      double retried = delta(before, after, "retried");
      double deliveries = delta(before, after, "applied") + delta(before, after, "duplicate") + delta(before, after, "dead_lettered");
      problems.addAll(invariants());
      System.out.printf("ConsumedEventFuzzTest seed=%d: %d events (%d applied, %d dead-lettered, %d duplicates acked) in %d ms; "
              + "retried %.0f, redelivered dead letters %d; kinds %s%n", SEED, sent.size(), appliedCount, dead,
          (long) delta(before, after, "duplicate"), elapsed, retried, redelivered.size(), byKind);
      assertTrue(problems.isEmpty(), "seed=" + SEED + ": " + problems.size() + " problems, first: "
          + problems.subList(0, Math.min(20, problems.size())));
      assertEquals(0, redelivered.size(), "seed=" + SEED + ": dead letters after redeliveries: " + redelivered);
      assertEquals(0.0, retried, "seed=" + SEED + ": retries (no dependency was down)");
      assertEquals(sent.size(), (long) deliveries, "seed=" + SEED + ": each message delivered exactly once");
    }
  }

  /** Σ ledger = balance per account, no effect in the other tenant, no points or purchase left for a cancelled order. */
  static List<String> invariants() {
    List<String> problems = new ArrayList<>();
    long mismatched = app.db.count(ORG, """
        SELECT count(*) FROM loyalty_accounts a WHERE a.balance <> (SELECT coalesce(sum(points), 0) FROM loyalty_ledger l
          WHERE l.organization_id = a.organization_id AND l.customer_id = a.customer_id)""");
    if (mismatched > 0) {
      problems.add(mismatched + " loyalty accounts whose balance differs from their ledger");
    }
    long leaked = app.db.count(OTHER_ORG, "SELECT (SELECT count(*) FROM loyalty_ledger) + (SELECT count(*) FROM purchases) "
        + "+ (SELECT count(*) FROM inbox)");
    if (leaked > 0) {
      problems.add(leaked + " rows written in the other tenant");
    }
    long cancelledButEarned = app.db.count(ORG, """
        SELECT count(*) FROM order_cancellations c WHERE
          (SELECT coalesce(sum(points), 0) FROM loyalty_ledger l WHERE l.reference = c.order_id AND l.entry_type IN ('earn', 'reverse')) <> 0
          OR EXISTS (SELECT 1 FROM purchases p WHERE p.reference = 'order:' || c.order_id)""");
    if (cancelledButEarned > 0) {
      problems.add(cancelledButEarned + " cancelled orders that still hold points or a purchase");
    }
    long statsOff = app.db.count(ORG, """
        SELECT count(*) FROM customer_stats s WHERE s.purchase_count <> (SELECT count(*) FROM purchases p
          WHERE p.organization_id = s.organization_id AND p.customer_id = s.customer_id)""");
    if (statsOff > 0) {
      problems.add(statsOff + " customers whose statistics count other purchases than their history");
    }
    return problems;
  }

  static Set<String> inbox() throws Exception {
    Set<String> ids = new HashSet<>();
    try (java.sql.Connection c = app.db.connectAs(app.db.owner().user(), app.db.owner().password());
         java.sql.Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + ORG + "', true)");
      try (java.sql.ResultSet rs = st.executeQuery("SELECT message_id FROM inbox")) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      c.commit();
    }
    return ids;
  }

  static Map<String, Double> counters() {
    Map<String, Double> out = new HashMap<>();
    for (String outcome : List.of("applied", "duplicate", "dead_lettered", "retried")) {
      double sum = 0;
      for (String consumer : CONSUMERS) {
        sum += EventMetrics.counted("customer_events_consumed", "consumer", consumer, "outcome", outcome);
      }
      out.put(outcome, sum);
    }
    return out;
  }

  static double delta(Map<String, Double> before, Map<String, Double> after, String outcome) {
    return after.get(outcome) - before.get(outcome);
  }

  /** Builds one or a few related events at a time; the kinds are weighted so the valid ones keep the state interesting. */
  static final class Generator {
    private final Random random;
    private int n;
    private final List<String> completedOrders = new ArrayList<>();
    private final Map<String, String> orderCustomers = new HashMap<>();

    Generator(Random random) {
      this.random = random;
    }

    List<Sent> next(List<Sent> sentSoFar) {
      int kind = random.nextInt(22);
      return switch (kind) {
        case 0, 1, 2 -> List.of(orderCompleted(customer(), "order-" + id(), amount(), Expect.APPLY, "valid-order"));
        case 3 -> {
          String order = random.nextBoolean() && !completedOrders.isEmpty()
              ? completedOrders.get(random.nextInt(completedOrders.size())) : "order-" + id();
          yield List.of(orderCancelled(orderCustomers.getOrDefault(order, customer()), order, Expect.APPLY, "valid-cancel"));
        }
        case 4, 5 -> List.of(pos(random.nextInt(5) == 0 ? null : customer(), "txn-" + id(), amount(), Expect.APPLY, "valid-pos"));
        case 6 -> List.of(payment(creditCustomers.get(random.nextInt(creditCustomers.size())), "pay-" + id(),
            new java.math.BigDecimal(1 + random.nextInt(500)).toPlainString(), Expect.APPLY, "valid-payment"));
        case 7 -> {
          // A redelivery of an earlier message: same message id, same body.
          if (sentSoFar.isEmpty()) {
            yield List.of();
          }
          Sent earlier = sentSoFar.get(random.nextInt(sentSoFar.size()));
          yield List.of(new Sent(fuzzId(), earlier.exchange(), earlier.routingKey(), earlier.messageId(), earlier.body(),
              earlier.dedupId() == null ? Expect.DEAD : Expect.EITHER, "duplicate", earlier.dedupId()));
        }
        case 8 -> {
          String order = "order-" + id();
          String c = customer();
          // The cancellation overtakes its completion.
          yield List.of(orderCancelled(c, order, Expect.APPLY, "cancel-first"),
              orderCompleted(c, order, amount(), Expect.APPLY, "complete-after-cancel"));
        }
        case 9 -> List.of(mutated(missingField(), Expect.EITHER, "missing-field"));
        case 10 -> List.of(mutated(wrongType(), Expect.EITHER, "wrong-type"));
        case 11 -> List.of(unstorable());
        case 12 -> List.of(hugeNumber());
        case 13 -> List.of(unknownCustomer(UUID.randomUUID().toString(), "unknown-customer"));
        case 14 -> List.of(unknownCustomer(otherTenantCustomers.get(random.nextInt(otherTenantCustomers.size())), "other-tenant"));
        case 15 -> {
          byte[] garbage = new byte[1 + random.nextInt(300)];
          random.nextBytes(garbage);
          yield List.of(raw(garbage, Expect.DEAD, "garbage-bytes"));
        }
        case 16 -> List.of(raw(pick("not json", "{\"event_type\":", "[1,2,3]", "null", "42", "\"text\"", "{}", "{\"data\":[]}")
            .getBytes(StandardCharsets.UTF_8), Expect.DEAD, "non-json"));
        case 17 -> {
          StringBuilder big = new StringBuilder("{\"data\":{\"customer_id\":\"").append(customer()).append("\",\"pad\":\"");
          big.append("x".repeat(300 * 1024)).append("\"},\"organization_id\":\"").append(ORG).append("\"}");
          yield List.of(raw(big.toString().getBytes(StandardCharsets.UTF_8), Expect.DEAD, "huge-body"));
        }
        case 18 -> {
          int depth = 1500 + random.nextInt(3000);
          String nested = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
          yield List.of(raw(("{\"organization_id\":\"" + ORG + "\",\"data\":" + nested + "}").getBytes(StandardCharsets.UTF_8),
              Expect.DEAD, "deep-nesting"));
        }
        case 19 -> {
          // Neither an AMQP message id nor an event_id: nothing to deduplicate on.
          JsonObject e = envelope("order.completed", new JsonObject().put("customer_id", customer()).put("order_id", "o-" + id())
              .put("total_amount", amount()));
          e.remove("event_id");
          yield List.of(new Sent(fuzzId(), "order_events", "order.completed", null, bytes(e), Expect.DEAD, "no-ids"));
        }
        case 20 -> {
          // An event type the queue does not handle, on its routing key: acknowledged, no effect.
          JsonObject e = envelope(pick("order.shipped", "pos.transaction.voided", "payment.failed", ""), new JsonObject()
              .put("customer_id", customer()).put("order_id", "o-" + id()));
          String[] route = pick(new String[][] {{"order_events", "order.completed"}, {"pos_events", "pos.transaction.completed"},
              {"payment_events", "payment.received"}});
          yield List.of(new Sent(fuzzId(), route[0], route[1], e.getString("event_id"), bytes(e), Expect.APPLY, "other-type"));
        }
        default -> List.of(orderCompleted(customer(), "order-" + id(), pick("1e3", "0.5", "12.30", "+5", " 7 ", "00010.10"),
            Expect.EITHER, "odd-amount"));
      };
    }

    private Sent orderCompleted(String customer, String order, Object amount, Expect expect, String kind) {
      // Only orders of known customers are cancelled later as "valid": cancelling for an unknown customer is refused.
      if (expect != Expect.DEAD) {
        completedOrders.add(order);
        orderCustomers.put(order, customer);
      }
      JsonObject data = new JsonObject().put("customer_id", customer).put("order_id", order).put("total_amount", amount);
      if (random.nextBoolean()) {
        data.put("items", new JsonArray().add(new JsonObject().put("product_id", "p" + random.nextInt(5)).put("category", "cafe")
            .put("quantity", 1 + random.nextInt(3))));
      }
      return event("order_events", "order.completed", envelope("order.completed", data), expect, kind);
    }

    private Sent orderCancelled(String customer, String order, Expect expect, String kind) {
      return event("order_events", "order.cancelled", envelope("order.cancelled", new JsonObject().put("customer_id", customer)
          .put("order_id", order)), expect, kind);
    }

    private Sent pos(String customer, String transaction, Object amount, Expect expect, String kind) {
      JsonObject data = new JsonObject().put("transaction_id", transaction).put("totals", new JsonObject().put("total_amount", amount))
          .put("local_id", "local-" + random.nextInt(3));
      if (customer != null) {
        data.put("customer_id", customer);
      }
      return event("pos_events", "pos.transaction.completed", envelope("pos.transaction.completed", data), expect, kind);
    }

    private Sent payment(String customer, String reference, Object amount, Expect expect, String kind) {
      return event("payment_events", "payment.received", envelope("payment.received", new JsonObject().put("customer_id", customer)
          .put("payment_reference", reference).put("amount", amount)), expect, kind);
    }

    /** A valid event of a random queue, as a starting point for a mutation. */
    private Sent base() {
      return switch (random.nextInt(3)) {
        case 0 -> orderCompleted(customer(), "order-" + id(), amount(), Expect.APPLY, "base");
        case 1 -> pos(customer(), "txn-" + id(), amount(), Expect.APPLY, "base");
        default -> payment(creditCustomers.get(random.nextInt(creditCustomers.size())), "pay-" + id(), "1.00", Expect.APPLY, "base");
      };
    }

    private Sent mutated(java.util.function.UnaryOperator<JsonObject> mutation, Expect expect, String kind) {
      Sent b = base();
      JsonObject e = new JsonObject(new String(b.body(), StandardCharsets.UTF_8));
      e = mutation.apply(e);
      String eventId = e.getValue("event_id") instanceof String s ? s : null;
      String amqpId = random.nextInt(4) == 0 ? null : b.messageId();
      return new Sent(fuzzId(), b.exchange(), b.routingKey(), amqpId, bytes(e), expect, kind, amqpId != null ? amqpId : eventId);
    }

    private java.util.function.UnaryOperator<JsonObject> missingField() {
      return e -> {
        JsonObject target = random.nextBoolean() ? e : e.getJsonObject("data");
        List<String> keys = new ArrayList<>(target.fieldNames());
        target.remove(keys.get(random.nextInt(keys.size())));
        return e;
      };
    }

    private java.util.function.UnaryOperator<JsonObject> wrongType() {
      return e -> {
        JsonObject target = random.nextBoolean() ? e : e.getJsonObject("data");
        List<String> keys = new ArrayList<>(target.fieldNames());
        String key = keys.get(random.nextInt(keys.size()));
        Object replacement = pick(new Object[] {12345, -1, 1.5e300, true, new JsonArray().add(1), new JsonObject().put("x", 1),
            "", "null", Long.MAX_VALUE});
        target.put(key, replacement);
        return e;
      };
    }

    private Sent unstorable() {
      Sent b = base();
      String bad = pick("\\u0000", "\\ud800", "\\udfff", "a\\u0000b", "\\ud83d");
      String text = new String(b.body(), StandardCharsets.UTF_8);
      // Into a value or a key, anywhere a string is.
      String mutated = switch (random.nextInt(4)) {
        case 0 -> text.replaceFirst("\"correlation_id\":\"", "\"correlation_id\":\"" + java.util.regex.Matcher.quoteReplacement(bad));
        case 1 -> text.replaceFirst("\"data\":\\{", "\"data\":{\"note\":\"" + java.util.regex.Matcher.quoteReplacement(bad) + "\",");
        case 2 -> text.replaceFirst("\"data\":\\{", "\"data\":{\"k" + java.util.regex.Matcher.quoteReplacement(bad) + "\":1,");
        default -> text.replaceFirst("\"source\":\"", "\"source\":\"" + java.util.regex.Matcher.quoteReplacement(bad));
      };
      return new Sent(fuzzId(), b.exchange(), b.routingKey(), b.messageId(), mutated.getBytes(StandardCharsets.UTF_8),
          Expect.DEAD, "unstorable-text");
    }

    private Sent hugeNumber() {
      Object amount = pick(new Object[] {"1e8000000", "1e999999999", "-1", "abc", "1E+2147483647", "9".repeat(60), "0.001",
          "1000000000.01", "NaN", "Infinity", "1e-999999999"});
      return switch (random.nextInt(3)) {
        case 0 -> orderCompleted(customer(), "order-" + id(), amount, Expect.DEAD, "huge-number");
        case 1 -> pos(customer(), "txn-" + id(), amount, Expect.DEAD, "huge-number");
        default -> payment(creditCustomers.get(random.nextInt(creditCustomers.size())), "pay-" + id(), amount, Expect.DEAD,
            "huge-number");
      };
    }

    private Sent unknownCustomer(String customer, String kind) {
      return switch (random.nextInt(3)) {
        case 0 -> orderCompleted(customer, "order-" + id(), amount(), Expect.DEAD, kind);
        case 1 -> pos(customer, "txn-" + id(), amount(), Expect.DEAD, kind);
        default -> payment(customer, "pay-" + id(), "1.00", Expect.DEAD, kind);
      };
    }

    private Sent raw(byte[] body, Expect expect, String kind) {
      String[] route = pick(new String[][] {{"order_events", "order.completed"}, {"pos_events", "pos.transaction.completed"},
          {"payment_events", "payment.received"}});
      return new Sent(fuzzId(), route[0], route[1], "raw-" + id(), body, expect, kind);
    }

    private Sent event(String exchange, String key, JsonObject envelope, Expect expect, String kind) {
      return new Sent(fuzzId(), exchange, key, envelope.getString("event_id"), bytes(envelope), expect, kind);
    }

    private JsonObject envelope(String type, JsonObject data) {
      return new JsonObject().put("event_id", "ev-" + id()).put("event_type", type).put("schema_version", 1)
          .put("occurred_at", Instant.now().minusSeconds(random.nextInt(86_400)).toString()).put("organization_id", ORG.toString())
          .put("source", "fuzz").put("correlation_id", "c-" + n).put("data", data);
    }

    private String customer() {
      return customers.get(random.nextInt(customers.size()));
    }

    private String amount() {
      return new java.math.BigDecimal(random.nextInt(100_000)).movePointLeft(2).toPlainString();
    }

    private String id() {
      return Long.toHexString(SEED) + "-" + (n++);
    }

    private String fuzzId() {
      return "f" + (n++);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
      return options[random.nextInt(options.length)];
    }

    private static byte[] bytes(JsonObject json) {
      return json.encode().getBytes(StandardCharsets.UTF_8);
    }
  }
}
