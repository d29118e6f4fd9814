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

  /** One reader, run on its own context; a wake-up already pending absorbs the next ones. */
  private record Listener(Context context, Runnable wake, AtomicBoolean pending) {
    void fire() {
      if (pending.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          pending.set(false);
          wake.run();
        });
      }
    }
  }

  private OutboxSignal() {}

  /** Registers {@code wake} to run on the caller's context after each commit with events; the returned Runnable unregisters. */
  public static Runnable listen(Vertx vertx, Runnable wake) {
    Listener l = new Listener(vertx.getOrCreateContext(), wake, new AtomicBoolean());
    LISTENERS.computeIfAbsent(vertx, k -> new CopyOnWriteArrayList<>()).add(l);
    return () -> {
      List<Listener> ls = LISTENERS.get(vertx);
      if (ls != null) {
        ls.remove(l);
      }
    };
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
