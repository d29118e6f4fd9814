package com.zenlogic.customerservice.platform.outbox;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes this process's outbox readers (the relay, the webhook dispatcher) when a transaction that
 * recorded events has committed.
 *
 * <p>PERF: this replaces a NOTIFY trigger on the outbox. NOTIFY takes PostgreSQL's global
 * notification-queue lock from the commit's start to its end, so every writing transaction of the
 * database committed one at a time: pgbench with 64 clients fell from 10,707 to 3,424 tps with one
 * pg_notify per transaction, and the earn path waited on it (docs/decisions.md, issue 15). Readers on
 * other processes are not woken; they find the rows on their poll (the relay every second), and each
 * process's relay is woken by its own commits.
 */
public final class OutboxSignal {
  private static final Map<Vertx, List<Listener>> LISTENERS = new ConcurrentHashMap<>();

  /**
   * One reader, run on its own context at most every spacingMillis: a wake-up already pending absorbs
   * the next ones, so a stream of commits costs a few passes a second, each taking what they wrote.
   */
  private static final class Listener {
    final Context context;
    final long spacingMillis;
    final Runnable wake;
    final AtomicBoolean pending = new AtomicBoolean();
    long lastRun; // on context only

    Listener(Context context, long spacingMillis, Runnable wake) {
      this.context = context;
      this.spacingMillis = spacingMillis;
      this.wake = wake;
    }

    void fire() {
      if (pending.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          long wait = lastRun + spacingMillis - System.currentTimeMillis();
          if (wait > 0) {
            context.owner().setTimer(wait, t -> run());
          } else {
            run();
          }
        });
      }
    }

    private void run() {
      pending.set(false);
      lastRun = System.currentTimeMillis();
      wake.run();
    }
  }

  private OutboxSignal() {}

  /**
   * Registers {@code wake} to run on the caller's context after commits with events, at most every
   * {@code spacingMillis}; the returned Runnable unregisters.
   */
  public static Runnable listen(Vertx vertx, long spacingMillis, Runnable wake) {
    Listener l = new Listener(vertx.getOrCreateContext(), spacingMillis, wake);
    LISTENERS.compute(vertx, (k, ls) -> {
      List<Listener> list = ls == null ? new CopyOnWriteArrayList<>() : ls;
      list.add(l);
      return list;
    });
    // The last one out removes its Vert.x instance too: a closed instance is not kept reachable from here.
    return () -> LISTENERS.computeIfPresent(vertx, (k, ls) -> {
      ls.remove(l);
      return ls.isEmpty() ? null : ls;
    });
  }

  /** After {@code conn}'s transaction commits, wakes the readers of the process it runs in (nothing outside a transaction). */
  public static void afterCommit(SqlConnection conn) {
    Transaction tx = conn.transaction();
    Context context = Vertx.currentContext();
    if (tx == null || context == null) {
      return;
    }
    List<Listener> ls = LISTENERS.get(context.owner());
    if (ls != null && !ls.isEmpty()) {
      tx.completion().onSuccess(v -> ls.forEach(Listener::fire));
    }
  }
}
