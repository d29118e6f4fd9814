package com.zenlogic.customerservice.loyalty;

import static com.zenlogic.customerservice.loyalty.Postings.answer;
import static com.zenlogic.customerservice.loyalty.Postings.write;

import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.HoldClosed;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.HoldResult;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Two-phase redemption at the POS: a hold reserves points while the sale completes, then it is
 * captured (redeemed), cancelled, or it expires (the sweep, or the first close after its time).
 */
final class Holds {
  private final Db db;
  private final PointsLedger ledger;
  private final Postings postings;
  private final CustomerChangeListener listener;
  private final Clock clock;

  Holds(Db db, PointsLedger ledger, Postings postings, CustomerChangeListener listener, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.postings = postings;
    this.listener = listener;
    this.clock = clock;
  }

  /** Opens a hold; the caller checked the reference before opening the transaction. */
  Future<HoldResult> hold(SqlConnection conn, LoyaltyMessages.HoldPoints r) {
    UUID org = r.caller().organizationId();
    String key = "hold:" + r.referenceId();
    String hash = r.customerId() + "|" + r.points();
    Instant now = clock.instant();
    return PointsMovements.requireActiveCustomer(conn, org, r.customerId())
        .compose(v -> ledger.program(conn, org))
        .compose(program -> {
          PointsMovements.checkRedemption(program, r.points());
          return postings.post(LedgerEntry.HOLD, conn, r.caller(), r.customerId(), program.firstTier(), key, now, locked -> {
            if (locked.existing() != null) {
              LedgerEntry existing = locked.existing();
              PointsMovements.requireSameRequest(existing, hash, r.referenceId());
              return answer(ledger.holdByReference(conn, org, r.referenceId()).map(h -> new HoldResult(h.id(), h.points(),
                  program.discountFor(h.points()), h.expiresAt(), existing.balanceAfter())));
            }
            LoyaltyAccount account = locked.account();
            PointsMovements.requireAvailable(account, r.points());
            Hold hold = new Hold(UUID.randomUUID(), r.customerId(), r.points(), r.referenceId(), Hold.OPEN,
                now.plus(Duration.ofMinutes(program.holdMinutes())));
            Posting posting = Posting.of(LedgerEntry.HOLD, account, key, now).held(r.points()).reference(r.referenceId())
                .requestHash(hash).reason("hold " + hold.id()).actor(r.caller().userId())
                .also((c, saved) -> ledger.insertHold(c, org, hold, now))
                .build();
            return write(posting, saved -> new HoldResult(hold.id(), hold.points(), program.discountFor(hold.points()),
                    hold.expiresAt(), account.balance()),
                () -> Future.failedFuture(ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference_id " + r.referenceId())));
          });
        });
  }

  /** Closes a hold as {@code outcome} (captured, cancelled, expired); the customer's cache is dropped after commit. */
  Future<HoldClosed> close(Caller caller, UUID holdId, String outcome) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> ledger.hold(conn, org, holdId).compose(peek -> {
          if (peek == null) {
            throw ErrorCode.HOLD_NOT_FOUND.exception(holdId);
          }
          // Account before hold, as every other operation locks: no deadlock with a concurrent earn.
          return postings.post(Hold.CAPTURED.equals(outcome) ? Postings.CAPTURE : LedgerEntry.RELEASE, conn, caller, peek.customerId(),
              "bronze", null, now,
              locked -> ledger.lockHold(conn, org, holdId).compose(h -> settle(conn, caller, h, locked.account(), outcome, now)));
        }))
        .compose(closed -> listener.customerChanged(org, closed.customerId()).map(closed))
        .map(closed -> {
          if (closed.refusal() != null) {
            throw closed.refusal();
          }
          return closed.result();
        });
  }

  /** Gives back the points of holds nobody captured or cancelled in time. */
  Future<Integer> expire(UUID org) {
    Caller system = LoyaltyJobs.system(org);
    return db.withTenant(org, conn -> ledger.dueHolds(conn, org, clock.instant()))
        .compose(ids -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (UUID id : ids) {
            chain = chain.compose(n -> close(system, id, Hold.EXPIRED).map(n + 1)
                .recover(e -> Future.succeededFuture(n)));
          }
          return chain;
        });
  }

  /** What closing a hold did; a refusal is answered only after the transaction committed what it had to. */
  private record Settled(UUID customerId, HoldClosed result, DomainException refusal) {}

  private Future<Postings.Step<Settled>> settle(SqlConnection conn, Caller caller, Hold h, LoyaltyAccount account, String outcome,
                                                 Instant now) {
    if (!Hold.OPEN.equals(h.status())) {
      boolean sameOutcome = h.status().equals(outcome) || Hold.CANCELLED.equals(outcome) && Hold.EXPIRED.equals(h.status());
      if (!sameOutcome) {
        throw ErrorCode.HOLD_CLOSED.exception(h.id(), h.status());
      }
      return answer(new Settled(h.customerId(), new HoldClosed(h.id(), h.status(), account.balance()), null));
    }
    // Past its time the hold is expired whether or not the sweep came by: release it here, keep
    // that release (commit), and answer as for a hold the sweep had expired.
    boolean lapsed = !Hold.EXPIRED.equals(outcome) && !now.isBefore(h.expiresAt());
    String status = lapsed ? Hold.EXPIRED : outcome;
    boolean capture = Hold.CAPTURED.equals(status);
    UUID org = caller.organizationId();
    Future<BigDecimal> discount = capture ? ledger.program(conn, org).map(program -> program.discountFor(h.points()))
        : Future.succeededFuture(null);
    return discount.compose(amount -> {
      Posting.Builder posting = Posting.of(capture ? LedgerEntry.REDEEM : LedgerEntry.RELEASE, account,
              (capture ? "capture:" : "release:") + h.id(), now)
          .points(capture ? -h.points() : 0).held(-h.points()).amount(amount).reference(h.reference())
          .requestHash(h.customerId() + "|" + h.points()).reason(status + " hold " + h.id()).actor(caller.userId())
          .also((c, saved) -> ledger.closeHold(c, org, h.id(), status, now));
      if (capture) {
        posting.consume(h.points(), -1).event(LoyaltyEvents.POINTS_REDEEMED,
            PointsMovements.redeemed(h.customerId(), h.reference(), h.points(), amount, posting.balanceAfter()));
      }
      HoldClosed closed = new HoldClosed(h.id(), status, posting.balanceAfter());
      Settled settled = lapsed && Hold.CAPTURED.equals(outcome)
          ? new Settled(h.customerId(), null, ErrorCode.HOLD_CLOSED.exception(h.id(), Hold.EXPIRED))
          : new Settled(h.customerId(), closed, null);
      return write(posting.build(), saved -> settled,
          // Not reached: the key names this hold, which we hold locked and still open.
          () -> Future.failedFuture(ErrorCode.IDEMPOTENCY_CONFLICT.exception("hold " + h.id())));
    });
  }
}
