package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.metrics.LedgerMetrics;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The posting sequence, the one way points move, inside the caller's tenant transaction:
 * lock the customer's account (opening it on first use), look up the operation's idempotency key,
 * let the operation decide on what it sees (replay, refuse, or a {@link Posting}), then append the
 * ledger row, move the lots, write the rows the posting brings along, update the account and record
 * its events. Account first, always: every operation takes the same locks in the same order.
 */
final class Postings {
  /** The ledger-operation type of a hold's capture (its row is a redeem). */
  static final String CAPTURE = "capture";

  private final PointsLedger ledger;

  Postings(PointsLedger ledger) {
    this.ledger = ledger;
  }

  /** What an operation decides on: its locked account and the entry already under its key (or null). */
  record Locked(LoyaltyAccount account, LedgerEntry existing) {}

  /** The operation's decision: answer without writing, or write a posting. */
  sealed interface Step<T> {}

  record Answer<T>(Future<T> answer) implements Step<T> {}

  /**
   * Write {@code posting}; {@code posted} makes the answer from the saved row; {@code keyTaken} answers
   * when a concurrent request took the key first (another customer's, whose account lock is not ours).
   */
  record Write<T>(Posting posting, Function<LedgerEntry, Future<T>> posted, Supplier<Future<T>> keyTaken) implements Step<T> {}

  static <T> Future<Step<T>> answer(T value) {
    return Future.succeededFuture(new Answer<>(Future.succeededFuture(value)));
  }

  static <T> Future<Step<T>> answer(Future<T> value) {
    return Future.succeededFuture(new Answer<>(value));
  }

  static <T> Future<Step<T>> write(Posting posting, Function<LedgerEntry, T> posted, Supplier<Future<T>> keyTaken) {
    return Future.succeededFuture(new Write<>(posting, saved -> Future.succeededFuture(posted.apply(saved)), keyTaken));
  }

  static <T> Future<Step<T>> writeThen(Posting posting, Function<LedgerEntry, Future<T>> posted, Supplier<Future<T>> keyTaken) {
    return Future.succeededFuture(new Write<>(posting, posted, keyTaken));
  }

  /**
   * Runs the sequence for one customer's account. {@code lookUpKey} is the key to find a first
   * attempt under before deciding (null: the operation has its own guard, such as the hold's status).
   */
  <T> Future<T> post(String type, SqlConnection conn, Caller caller, UUID customerId, String firstTier, String lookUpKey, Instant now,
                     Function<Locked, Future<Step<T>>> decide) {
    UUID org = caller.organizationId();
    boolean[] wrote = {false};
    // PERF: the key lookup goes out behind the lock without waiting. The server runs it once the lock
    // is held, on a snapshot taken then (READ COMMITTED: one per statement), so it sees every entry a
    // concurrent holder of the lock committed, as when it waited for the lock's answer first.
    Future<LoyaltyAccount> account = ledger.lockAccount(conn, org, customerId, firstTier, now);
    Future<LedgerEntry> existing = lookUpKey == null ? Future.succeededFuture(null) : ledger.entryByKey(conn, org, lookUpKey);
    return Future.all(account, existing).map(both -> new Locked(account.result(), existing.result()))
        .recover(e -> Future.failedFuture(account.failed() ? account.cause() : e))
        .compose(decide)
        .compose(step -> step instanceof Write<T> w ? write(conn, caller, w, wrote) : ((Answer<T>) step).answer())
        // customer_ledger_operations_total{ledger="loyalty"}: an answer without a new row is the stored result again.
        .andThen(ar -> LedgerMetrics.LOYALTY.increment(type, ar.failed() ? LedgerMetrics.outcomeOf(ar.cause())
            : wrote[0] ? LedgerMetrics.APPLIED : LedgerMetrics.REPLAYED));
  }

  private <T> Future<T> write(SqlConnection conn, Caller caller, Write<T> w, boolean[] wrote) {
    Posting p = w.posting();
    UUID org = caller.organizationId();
    return ledger.append(conn, org, p.entry(), p.idempotencyKey(), p.pendingDelta()).compose(saved -> {
      if (saved == null) {
        return w.keyTaken().get();
      }
      wrote[0] = true;
      // PERF: what the saved row brings along goes out at once, pipelined (one round trip, not four):
      // none of these statements reads what another writes (lots, the operation's own rows, the
      // account, the outbox), and the server runs them in order within the transaction.
      List<Future<?>> writes = new ArrayList<>();
      writes.add(lots(conn, org, p, saved));
      for (Posting.Effect effect : p.effects()) {
        writes.add(effect.apply(conn, saved));
      }
      writes.add(ledger.updateAccount(conn, org, p.customerId(), p.entry().points(), p.heldDelta(), p.lifetimeDelta(),
          p.entry().tierAfter(), p.tierSince(), p.belowTierSince(), p.pendingDelta()));
      for (Posting.Event e : p.events()) {
        writes.add(Outbox.record(conn, caller, e.type(), p.customerId(), e.data()));
      }
      return Future.all(writes).compose(v -> w.posted().apply(saved));
    });
  }

  private Future<Void> lots(SqlConnection conn, UUID org, Posting p, LedgerEntry saved) {
    if (p.lots() instanceof Posting.AddLot add) {
      return saved.points() > 0 ? ledger.addLot(conn, org, saved, add.expiresAt(), add.pendingUntil()) : Future.succeededFuture();
    }
    if (p.lots() instanceof Posting.Consume take) {
      return ledger.consume(conn, org, p.customerId(), take.points(), take.preferredLot(), take.preferredLotId()).mapEmpty();
    }
    return Future.succeededFuture();
  }
}
