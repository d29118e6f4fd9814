package com.zenlogic.customerservice.platform.outbox;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-process wake-up that replaced the outbox's NOTIFY, against the real PostgreSQL: a reader is
 * woken after a transaction with events commits, never for one that rolled back, never before the
 * commit (when it could not see the rows yet), and a burst of commits wakes it a few times, not once each.
 */
class OutboxSignalTest {
  static TestDatabase db;
  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("outbox_signal");
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(db.owner().host()).setPort(db.owner().port())
        .setDatabase(db.owner().database()).setUser(db.owner().user()).setPassword(db.owner().password())).using(vertx).build();
  }

  @AfterAll
  static void stop() throws Exception {
    pool.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    db.close();
  }

  @Test
  void aReaderIsWokenAfterCommitsOnlyAndABurstIsCoalesced() throws Exception {
    pool.query("CREATE TABLE rows_written (x int)").execute().await(5, TimeUnit.SECONDS);
    AtomicInteger wakes = new AtomicInteger();
    AtomicInteger visibleAtWake = new AtomicInteger(-1);
    Runnable unlisten = OutboxSignal.listen(vertx, 200, () -> {
      wakes.incrementAndGet();
      // What a reader on another connection sees when woken: the committed row, or it was woken too early.
      pool.query("SELECT count(*) FROM rows_written").execute()
          .onSuccess(rows -> visibleAtWake.compareAndSet(-1, rows.iterator().next().getInteger(0)));
    });
    try {
      // Rolled back: no wake-up.
      pool.withTransaction(conn -> conn.query("SELECT 1").execute().onSuccess(r -> OutboxSignal.afterCommit(conn))
          .compose(r -> Future.failedFuture("roll back"))).otherwise((Object) null).await(5, TimeUnit.SECONDS);
      Thread.sleep(300);
      assertEquals(0, wakes.get(), "a rolled-back transaction wakes nobody");

      // Committed: woken, and only once the commit was done.
      pool.withTransaction(conn -> conn.query("INSERT INTO rows_written VALUES (1)").execute()
          .onSuccess(r -> OutboxSignal.afterCommit(conn))).await(5, TimeUnit.SECONDS);
      waitFor(() -> visibleAtWake.get() >= 0, "woken after the commit", 5_000);
      assertEquals(1, wakes.get());
      assertEquals(1, visibleAtWake.get(), "woken once the row was committed, not before");

      // A burst of 50 commits inside the spacing: a couple of passes, not fifty.
      List<Future<?>> burst = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        burst.add(pool.withTransaction(conn -> conn.query("SELECT 1").execute().onSuccess(r -> OutboxSignal.afterCommit(conn))));
      }
      Future.all(burst).await(10, TimeUnit.SECONDS);
      Thread.sleep(600);
      int passes = wakes.get() - 1;
      assertTrue(passes >= 1 && passes <= 3, "passes for a burst of 50 commits: " + passes);
    } finally {
      unlisten.run();
    }
  }
}
