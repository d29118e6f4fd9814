package com.zenlogic.customerservice.consumers;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.loyalty.LoyaltyJobs;
import com.zenlogic.customerservice.loyalty.LoyaltyVerticle;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.cache.NoCustomerCache;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.outbox.EventMetrics;
import com.zenlogic.customerservice.segmentation.SegmentPolicy;
import com.zenlogic.customerservice.segmentation.SegmentationVerticle;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer applies nothing itself: it hands each message to the engines over the event bus, and
 * the effect (with its inbox row) happens in the engine verticle. Here a consumer runs on a Vert.x of
 * its own, with the engines deployed on it one at a time; the service under test runs without a
 * broker, so its own consumers take nothing.
 */
class ConsumerHandOverTest {
  static final String POS = "customer_pos_consumer";

  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static DbUrl runtime;

  Vertx node;
  UUID org;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "handover");
    app = TestApp.start("handover", Map.of());
    runtime = DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    broker.close();
    helper.close();
  }

  @BeforeEach
  void fresh() throws Exception {
    org = UUID.randomUUID();
    admin = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write"));
    node = Vertx.vertx();
    Bus.install(node);
    node.deployVerticle(new PosEventsConsumer(runtime, broker.url(), app.config.ops())).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeNode() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void withNoEngineDeployedASaleStaysUnappliedAndUnackedAndIsAppliedOnceTheEnginesArrive() throws Exception {
    String c = customer();
    double retriedBefore = counted(EventMetrics.RETRIED);
    double appliedBefore = counted(EventMetrics.APPLIED);
    broker.publish("pos_events", "pos.transaction.completed", "alone-1", sale(c, "txn-alone", 75)).await();
    waitFor(() -> counted(EventMetrics.RETRIED) >= retriedBefore + 2, "retried while no engine answers");
    assertEquals(0, sql("SELECT count(*) FROM inbox"), "no inbox row without an engine");
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger"));
    assertEquals(0, sql("SELECT count(*) FROM purchases"));
    assertEquals(0L, broker.client.messageCount("customer_pos_queue").await(5, TimeUnit.SECONDS), "held unacked, not requeued");
    assertEquals(appliedBefore, counted(EventMetrics.APPLIED), "not acknowledged as applied");

    deployLoyalty();
    deploySegmentation();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'alone-1'") == 2, "applied by both engines");
    waitFor(() -> counted(EventMetrics.APPLIED) == appliedBefore + 1, "acknowledged once");
    assertEquals(75, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE reference = 'txn-alone'"));
    assertEquals(1, sql("SELECT count(*) FROM purchases WHERE reference = 'pos:txn-alone'"));
    assertEquals(2, sql("SELECT count(*) FROM inbox WHERE consumer IN ('" + POS + ":loyalty', '" + POS + ":segmentation')"));
  }

  @Test
  void anEngineThatWasAwayAppliesTheSaleOnRetryWhileTheOtherAppliesItOnlyOnceAndARedeliveryChangesNothing() throws Exception {
    String c = customer();
    double retriedBefore = counted(EventMetrics.RETRIED);
    double duplicateBefore = counted(EventMetrics.DUPLICATE);
    deployLoyalty();
    JsonObject sale = sale(c, "txn-half", 120);
    broker.publish("pos_events", "pos.transaction.completed", "half-1", sale).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE consumer = '" + POS + ":loyalty'") == 1, "loyalty applied");
    waitFor(() -> counted(EventMetrics.RETRIED) >= retriedBefore + 3, "segmentation retried, loyalty asked again");
    assertEquals(0, sql("SELECT count(*) FROM purchases"), "segmentation is not deployed");
    assertEquals(120, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"), "earned once despite the retries");

    deploySegmentation();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = 'half-1'") == 2, "segmentation applied");
    broker.publish("pos_events", "pos.transaction.completed", "half-1", sale).await();
    waitFor(() -> counted(EventMetrics.DUPLICATE) == duplicateBefore + 1, "the redelivery acknowledged as a duplicate");
    assertEquals(120, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(120, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + c + "'"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE reference = 'txn-half'"));
    assertEquals(1, sql("SELECT count(*) FROM purchases WHERE reference = 'pos:txn-half'"));
    assertEquals(1, sql("SELECT purchase_count FROM customer_stats WHERE customer_id = '" + c + "'"));
    assertEquals(2, sql("SELECT count(*) FROM inbox"));
    assertTrue(broker.client.messageCount("customer_pos_queue").await(5, TimeUnit.SECONDS) == 0);
  }

  @Test
  void twoNodesShareTheQueueAndEverySaleIsAppliedOncePerEngineWhateverTheOrder() throws Exception {
    Vertx other = Vertx.vertx();
    try {
      Bus.install(other);
      deployLoyalty();
      deploySegmentation();
      deployEngines(other);
      other.deployVerticle(new PosEventsConsumer(runtime, broker.url(), app.config.ops())).await(30, TimeUnit.SECONDS);
      int[] handled = new int[2];
      countEarns(node, handled, 0);
      countEarns(other, handled, 1);
      java.util.List<String> customers = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        customers.add(customer());
      }
      // 8 customers × 25 sales, interleaved, each message published twice: competing consumers on two nodes, no order.
      java.util.List<String[]> sales = new java.util.ArrayList<>();
      for (int n = 0; n < 25; n++) {
        for (int i = 0; i < customers.size(); i++) {
          sales.add(new String[] {customers.get(i), "t-" + i + "-" + n, "m-" + i + "-" + n});
        }
      }
      java.util.Collections.shuffle(sales, new java.util.Random(7));
      long started = System.currentTimeMillis();
      for (String[] s : sales) {
        JsonObject body = sale(s[0], s[1], 10 + s[1].length());
        broker.publish("pos_events", "pos.transaction.completed", s[2], body).await();
        broker.publish("pos_events", "pos.transaction.completed", s[2], body).await();
      }
      waitFor(() -> sql("SELECT count(*) FROM inbox") == 2L * sales.size(), "every sale applied by both engines");
      waitFor(() -> {
        try {
          return broker.client.messageCount("customer_pos_queue").await(5, TimeUnit.SECONDS) == 0 && handled[0] + handled[1] >= 2 * sales.size();
        } catch (Exception e) {
          return false;
        }
      }, "every copy acknowledged");
      System.out.printf("ConsumerHandOverTest: %d deliveries of %d sales over 2 nodes in %d ms; node A handled %d, node B %d%n",
          2 * sales.size(), sales.size(), System.currentTimeMillis() - started, handled[0], handled[1]);
      assertTrue(handled[0] > 0 && handled[1] > 0, "both nodes took deliveries: " + handled[0] + "/" + handled[1]);
      Map<String, Long> spent = new java.util.HashMap<>();
      for (String[] s : sales) {
        spent.merge(s[0], 10L + s[1].length(), Long::sum);
      }
      for (String c : customers) {
        assertEquals(spent.get(c), sql("SELECT sum(amount)::bigint FROM purchases WHERE customer_id = '" + c + "'"), c);
        long expected = sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + c + "'");
        assertTrue(expected >= spent.get(c), "at least a point per peso: " + expected);
        assertEquals(25, sql("SELECT count(*) FROM loyalty_ledger WHERE customer_id = '" + c + "' AND entry_type = 'earn'"), c);
        assertEquals(25, sql("SELECT count(*) FROM purchases WHERE customer_id = '" + c + "'"), c);
        assertEquals(25, sql("SELECT purchase_count FROM customer_stats WHERE customer_id = '" + c + "'"), c);
        assertEquals(expected, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"), c);
      }
    } finally {
      other.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Counts the loyalty requests a node's engine received (its consumer's, since each node's bus is its own). */
  static void countEarns(Vertx vertx, int[] handled, int slot) {
    vertx.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().address().equals("loyalty.apply-purchase")) {
        synchronized (handled) {
          handled[slot]++;
        }
      }
      ctx.next();
    });
  }

  static void deployEngines(Vertx vertx) throws Exception {
    vertx.deployVerticle(new LoyaltyVerticle(runtime, 2, NoCustomerCache::new,
        new LoyaltyJobs.Schedule(3_600_000, 3_600_000, 3_600_000, 100))).await(30, TimeUnit.SECONDS);
    vertx.deployVerticle(new SegmentationVerticle(runtime, 3_600_000, null, SegmentPolicy.DEFAULT),
        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)).await(30, TimeUnit.SECONDS);
  }

  void deployLoyalty() throws Exception {
    node.deployVerticle(new LoyaltyVerticle(runtime, 2, NoCustomerCache::new,
        new LoyaltyJobs.Schedule(3_600_000, 3_600_000, 3_600_000, 100))).await(30, TimeUnit.SECONDS);
  }

  void deploySegmentation() throws Exception {
    node.deployVerticle(new SegmentationVerticle(runtime, 3_600_000, null, SegmentPolicy.DEFAULT),
        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)).await(30, TimeUnit.SECONDS);
  }

  static double counted(String outcome) {
    return EventMetrics.counted("customer_events_consumed", "consumer", POS, "outcome", outcome);
  }

  String customer() {
    Http.Reply r = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Soto"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  JsonObject sale(String customer, String transaction, int amount) {
    return new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", "pos.transaction.completed")
        .put("occurred_at", Instant.now().minusSeconds(60).toString()).put("organization_id", org.toString())
        .put("correlation_id", "c-" + UUID.randomUUID()).put("data", new JsonObject().put("customer_id", customer)
            .put("transaction_id", transaction).put("totals", new JsonObject().put("total_amount", amount)));
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

}
