package com.zenlogic.customerservice.platform.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.db.Migrations;
import com.zenlogic.customerservice.support.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two holders of one job on one database, as two nodes of a cluster would be. */
class JobLeaseTest {
  private static final String APP_ROLE = "customer_app_test";
  private static final String APP_PASSWORD = "customer_app_test";
  private static final Duration TTL = Duration.ofSeconds(3);

  private static TestDatabase database;
  private static Vertx vertx;
  private static Db db;

  @BeforeAll
  static void setUp() {
    database = TestDatabase.create("joblease");
    Migrations.apply(database.owner(), APP_ROLE, APP_PASSWORD);
    vertx = Vertx.vertx();
    // The runtime role, as the service uses it: the grants of V8 are part of what is tested.
    db = Db.create(vertx, database.owner().as(APP_ROLE, APP_PASSWORD), 4, "lease-test");
  }

  @AfterAll
  static void tearDown() throws Exception {
    db.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    database.close();
  }

  private static JobLease lease(String job, String holder) {
    return new JobLease(vertx, db.pool(), job, holder, TTL);
  }

  private static JobLease started(JobLease lease) throws Exception {
    // Timers belong to a context, as in a verticle.
    vertx.runOnContext(v -> lease.start());
    return lease;
  }

  private static Row current(String job) throws Exception {
    return JobLease.current(db.pool(), job).await(5, TimeUnit.SECONDS);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void onlyOneOfTwoHoldersRunsTheJobWhileTheHolderRenews() throws Exception {
    JobLease a = started(lease("renewed", "node-a"));
    waitUntil(a::held, 2000);
    JobLease b = started(lease("renewed", "node-b"));
    AtomicInteger bothAtOnce = new AtomicInteger();
    long end = System.currentTimeMillis() + 2 * TTL.toMillis() + 500;
    while (System.currentTimeMillis() < end) {
      if (a.held() && b.held()) {
        bothAtOnce.incrementAndGet();
      }
      assertTrue(a.held(), "the renewing holder keeps its lease past its TTL");
      Thread.sleep(20);
    }
    assertEquals(0, bothAtOnce.get());
    assertFalse(b.held());
    assertFalse(b.runIfHeld(() -> io.vertx.core.Future.succeededFuture(1)).await(2, TimeUnit.SECONDS));
    assertTrue(a.runIfHeld(() -> io.vertx.core.Future.succeededFuture(1)).await(2, TimeUnit.SECONDS));
    assertEquals("node-a", current("renewed").getString("holder"));
    assertEquals(0L, current("renewed").getLong("takeovers"));
    a.stop().await(5, TimeUnit.SECONDS);
    b.stop().await(5, TimeUnit.SECONDS);
  }

  @Test
  void whenTheHolderStopsRenewingTheOtherTakesOverWithinTheTtl() throws Exception {
    JobLease a = started(lease("dies", "node-a"));
    waitUntil(a::held, 2000);
    JobLease b = started(lease("dies", "node-b"));
    Thread.sleep(500);
    assertFalse(b.held());
    // kill -9: no release, the row stays until it expires.
    long died = System.nanoTime();
    a.abandon();
    waitUntil(b::held, 3 * TTL.toMillis());
    long takeoverMillis = (System.nanoTime() - died) / 1_000_000;
    System.out.printf("lease takeover after the holder stopped renewing: %d ms (TTL %d ms)%n", takeoverMillis, TTL.toMillis());
    assertTrue(b.held(), "the other node took the lease");
    // Expiry is at most one TTL after the last renewal, seen at the next try (a third of the TTL later).
    assertTrue(takeoverMillis <= TTL.toMillis() + TTL.toMillis() / 3 + 500, "took " + takeoverMillis + " ms");
    Row row = current("dies");
    assertEquals("node-b", row.getString("holder"));
    assertEquals(1L, row.getLong("takeovers"));
    assertFalse(a.held());
    b.stop().await(5, TimeUnit.SECONDS);
  }

  @Test
  void aHolderThatStopsGivesTheLeaseBackAtOnce() throws Exception {
    JobLease a = started(lease("released", "node-a"));
    waitUntil(a::held, 2000);
    JobLease b = started(lease("released", "node-b"));
    Thread.sleep(300);
    long stopped = System.nanoTime();
    a.stop().await(5, TimeUnit.SECONDS);
    assertFalse(a.held());
    waitUntil(b::held, 2 * TTL.toMillis());
    long takeoverMillis = (System.nanoTime() - stopped) / 1_000_000;
    assertTrue(b.held());
    // No waiting for the TTL: the next try (every third of it) finds the row gone.
    assertTrue(takeoverMillis <= TTL.toMillis() / 3 + 500, "took " + takeoverMillis + " ms");
    assertEquals("node-b", current("released").getString("holder"));
    b.stop().await(5, TimeUnit.SECONDS);
    assertEquals(null, current("released"));
  }
}
