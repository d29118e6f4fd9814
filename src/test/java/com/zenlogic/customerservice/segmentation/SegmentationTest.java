package com.zenlogic.customerservice.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RFM scores and segments on a fixture computed by hand, batch and incremental, against real PostgreSQL. */
class SegmentationTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static TestApp app;
  static Db db;

  UUID org;
  Caller caller;
  MutableClock clock;
  SegmentationService segments;
  List<UUID> customers;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("segments");
    db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 4);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(60, TimeUnit.SECONDS);
  }

  /**
   * Customer i (0..9) bought 10 - i times for $10.00, the last i*10 days ago, every 3 days before that.
   * Ascending order of recency, frequency and money is c9, c8, ..., c0, so ntile(5) gives c0,c1 = 5 ... c8,c9 = 1.
   * Customer 10 bought once, 400 days ago (outside the window: lost). Customer 11 never bought.
   */
  @BeforeEach
  void fixture() throws Exception {
    org = UUID.randomUUID();
    caller = new Caller(org, "tester", null, Set.of(), "test");
    clock = new MutableClock(NOW);
    segments = new SegmentationService(db, clock);
    Http admin = new Http(app.config.httpPort()).as(app.token(org, "customers:write"));
    customers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      customers.add(UUID.fromString(admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person")
          .put("first_name", "C").put("last_name", "n" + i)).json().getString("id")));
    }
    for (int i = 0; i < 10; i++) {
      for (int k = 0; k < 10 - i; k++) {
        record(i, "p-" + i + "-" + k, i * 10 + k * 3);
      }
    }
    record(10, "old", 400);
  }

  void record(int customer, String reference, int daysAgo) throws Exception {
    await(segments.recordPurchase(caller, new Purchase(customers.get(customer), "pos", "pos:" + reference, new BigDecimal("10.00"),
        NOW.minus(Duration.ofDays(daysAgo)), "local-1", 2, java.util.List.of())));
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  Score score(int i) throws Exception {
    return await(segments.segment(caller, customers.get(i)));
  }

  @Test
  void theBatchScoresTheFixtureAsComputedByHand() throws Exception {
    SegmentationMessages.Rescored result = await(segments.recalculate(caller));
    assertEquals(10, result.scored());
    String[] expected = {"champions", "champions", "loyal", "loyal", "need_attention", "need_attention", "hibernating",
        "hibernating", "hibernating", "hibernating"};
    int[] quintile = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    for (int i = 0; i < 10; i++) {
      Score s = score(i);
      assertEquals(quintile[i], s.recency(), "R of c" + i);
      assertEquals(quintile[i], s.frequency(), "F of c" + i);
      assertEquals(quintile[i], s.monetary(), "M of c" + i);
      assertEquals(expected[i], s.segment(), "segment of c" + i);
      assertEquals(i == 0, s.vip(), "VIP is the top 5% by money: one customer of ten");
    }
    assertEquals("lost", score(10).segment());
    assertEquals("none", score(11).segment());
    assertEquals("low", score(0).churnRisk());       // 10 purchases 3 days apart, last today
    assertEquals("high", score(8).churnRisk());      // 2 purchases 3 days apart, last 80 days ago
    assertEquals("medium", score(9).churnRisk());    // 1 purchase, 90 days ago (> 45, not > 90)
    assertEquals("high", score(10).churnRisk());     // 1 purchase, 400 days ago
    java.util.Map<String, Long> counts = new java.util.HashMap<>();
    result.counts().forEach(c -> counts.put(c.segment(), c.customers()));
    assertEquals(2L, counts.get("champions"));
    assertEquals(4L, counts.get("hibernating"));
    assertEquals(1L, counts.get("lost"));
  }

  @Test
  void incrementalScoringAgreesWithTheBatch() throws Exception {
    await(segments.recalculate(caller));
    for (int i = 0; i <= 10; i++) {
      Score batch = score(i);
      int customer = i;
      Score incremental = await(db.withTenant(org, conn -> segments.rescoreIn(conn, caller, customers.get(customer))));
      assertEquals(batch, incremental, "c" + i);
    }
  }

  @Test
  void aSegmentChangeEmitsExactlyOneEvent() throws Exception {
    await(segments.recalculate(caller));
    long before = sql("SELECT count(*) FROM outbox WHERE event_type = 'customer.segment.changed'");
    assertEquals(0, (long) await(segments.recalculate(caller)).segmentChanges(), "nothing changed, nothing emitted");
    // c9 (hibernating) buys today: most recent -> R5 with F1 -> new.
    record(9, "comeback", 0);
    assertEquals("new", score(9).segment());
    assertEquals(before + 1, sql("SELECT count(*) FROM outbox WHERE event_type = 'customer.segment.changed'"));
    assertEquals(1, sql("SELECT count(*) FROM outbox WHERE event_type = 'customer.segment.changed' AND aggregate_id = '"
        + customers.get(9) + "' AND payload->'data'->>'segment' = 'new' AND payload->'data'->>'previous_segment' = 'hibernating'"));
    record(9, "comeback", 0);
    assertEquals(before + 1, sql("SELECT count(*) FROM outbox WHERE event_type = 'customer.segment.changed'"), "a repeated purchase counts once");
  }

  @Test
  void statisticsFollowEveryPurchase() throws Exception {
    SegmentationMessages.CustomerStatsView s = await(segments.stats(caller, customers.get(0)));
    assertEquals(10, s.purchaseCount());
    assertEquals("100.00", s.totalSpent().toPlainString());
    assertEquals("10.00", s.averageOrderValue().toPlainString());
    assertEquals("3.0", s.meanDaysBetweenPurchases().toPlainString());
    assertEquals("pos", s.favouriteChannel());
    assertFalse(await(segments.history(caller, customers.get(0), null, null, 5)).isEmpty());
    assertTrue(await(segments.history(caller, customers.get(0), null, null, 5)).get(0).occurredAt().toString().startsWith("2026-06-01"));
  }
}
