package com.zenlogic.customerservice.loyalty;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduled loyalty work: bounded batches (one transaction per batch of accounts), cache
 * invalidation after each commit, one run at a time in a process and across processes, and a
 * first run soon after start.
 */
class LoyaltyJobsTest {
  static TestApp app;
  static Db db;
  static DbUrl runtime;

  UUID org;
  Caller caller;

  @BeforeAll
  static void start() throws Exception {
    // This process's own scheduled run stays out of the way; each test drives runs itself.
    app = TestApp.start("jobs", Map.of("LOYALTY_JOBS_FIRST_RUN_SECONDS", 1_000_000));
    runtime = DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword());
    db = Db.create(app.vertx, runtime, 4, "jobs-test");
  }

  @AfterAll
  static void stop() throws Exception {
    db.close().await(10, TimeUnit.SECONDS);
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    caller = new Caller(org, "tester", null, Set.of("loyalty:admin"), "test");
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(60, TimeUnit.SECONDS);
  }

  long balance(UUID customer) {
    return app.db.count(org, "SELECT balance FROM loyalty_accounts WHERE customer_id = '" + customer + "'");
  }

  /** Customers holding 100 points each, earned 13 months ago (the default program expires points after 12). */
  List<UUID> customersWithExpiredPoints(int n) throws Exception {
    Http http = new Http(app.config.httpPort()).as(app.token(org, "customers:write"));
    LoyaltyService past = new LoyaltyService(db, CustomerChangeListener.NONE,
        new MutableClock(Instant.now().minus(Duration.ofDays(400))));
    List<UUID> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UUID c = UUID.fromString(http.post("/api/v1/customers", new JsonObject().put("customer_type", "person")
          .put("first_name", "C" + i).put("last_name", "Jobs")).json().getString("id"));
      await(past.earn(new LoyaltyMessages.Earn(caller, c, "t-" + i, new BigDecimal("100"), null, "pos", List.of())));
      out.add(c);
    }
    out.sort(null);
    return out;
  }

  /** Holds a row lock on one account from outside, as a long checkout would; closing releases it. */
  Connection lockAccount(UUID customer) throws Exception {
    Connection conn = app.db.connectAs(app.db.owner().user(), app.db.owner().password());
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      st.execute("SELECT 1 FROM loyalty_accounts WHERE customer_id = '" + customer + "' FOR UPDATE");
    }
    return conn;
  }

  LoyaltyJobs jobs(LoyaltyService loyalty, int batch) {
    return new LoyaltyJobs(app.vertx, loyalty, runtime, new LoyaltyJobs.Schedule(60_000, 3_600_000, 3_600_000, batch));
  }

  @Test
  void expiryCommitsBatchByBatchSoOneLockedAccountHoldsUpOnlyItsOwnBatch() throws Exception {
    List<UUID> customers = customersWithExpiredPoints(5);
    LoyaltyJobs jobs = jobs(new LoyaltyService(db, CustomerChangeListener.NONE, java.time.Clock.systemUTC()), 2);
    Future<LoyaltyJobs.Run> run;
    try (Connection lock = lockAccount(customers.get(4))) {
      run = jobs.runOnce();
      // Batches {0,1} and {2,3} commit while the fifth account is still locked by someone else.
      waitFor(() -> customers.subList(0, 4).stream().allMatch(c -> balance(c) == 0), "the first two batches committed", 15_000);
      assertEquals(100, balance(customers.get(4)));
      assertFalse(run.isComplete(), "the run waits for the locked account's batch only");
      lock.rollback();
    }
    LoyaltyJobs.Run done = await(run);
    assertTrue(done.ran());
    assertEquals(0, balance(customers.get(4)));
    assertTrue(done.batches() >= 3, "bounded batches: " + done);
    for (UUID c : customers) {
      assertEquals(0, app.db.count(org, "SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + c + "'"));
    }
  }

  @Test
  void theCacheIsDroppedAfterTheBatchCommittedSoARefillSeesTheNewBalance() throws Exception {
    List<UUID> customers = customersWithExpiredPoints(3);
    Map<UUID, Long> seenAtInvalidation = new ConcurrentHashMap<>();
    // The listener stands for the cache: a read right at invalidation refills it from the database.
    CustomerChangeListener refillingCache = (o, customer) -> app.vertx.executeBlocking(() -> {
      if (o.equals(org)) {
        seenAtInvalidation.put(customer, balance(customer));
      }
      return null;
    }).mapEmpty();
    LoyaltyService loyalty = new LoyaltyService(db, refillingCache, java.time.Clock.systemUTC());
    assertTrue(await(jobs(loyalty, 2).runOnce()).ran());
    assertEquals(Set.copyOf(customers), seenAtInvalidation.keySet());
    for (UUID c : customers) {
      assertEquals(0L, seenAtInvalidation.get(c), "a refill at invalidation time reads the committed balance");
    }
  }

  @Test
  void onlyOneRunAtATimeInAProcessAndAcrossProcesses() throws Exception {
    List<UUID> customers = customersWithExpiredPoints(2);
    LoyaltyService loyalty = new LoyaltyService(db, CustomerChangeListener.NONE, java.time.Clock.systemUTC());
    LoyaltyJobs here = jobs(loyalty, 500);
    // Another process: its own jobs, its own pool, the same database.
    Db otherPool = Db.create(app.vertx, runtime, 2, "jobs-test-other");
    LoyaltyJobs elsewhere = jobs(new LoyaltyService(otherPool, CustomerChangeListener.NONE, java.time.Clock.systemUTC()), 500);
    try {
      Future<LoyaltyJobs.Run> first;
      try (Connection lock = lockAccount(customers.get(1))) {
        first = here.runOnce();
        Thread.sleep(500);
        assertFalse(first.isComplete(), "the first run waits on the locked account");
        assertFalse(await(here.runOnce()).ran(), "a second run in the same process is skipped");
        assertFalse(await(elsewhere.runOnce()).ran(), "a run in another process is skipped (advisory lock)");
        lock.rollback();
      }
      assertTrue(await(first).ran());
      assertTrue(await(elsewhere.runOnce()).ran(), "once the first run ended, the lock is free again");
    } finally {
      otherPool.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theFirstRunComesSoonAfterStartNotAfterAnHour() throws Exception {
    List<UUID> customers = customersWithExpiredPoints(2);
    TestApp restarted = TestApp.startSibling(app, Map.of("LOYALTY_JOBS_FIRST_RUN_SECONDS", 1));
    try {
      waitFor(() -> customers.stream().allMatch(c -> balance(c) == 0), "points expired by the first run after start", 15_000);
    } finally {
      restarted.close();
    }
  }
}
