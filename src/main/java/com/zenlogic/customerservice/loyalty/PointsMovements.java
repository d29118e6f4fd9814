package com.zenlogic.customerservice.loyalty;

import static com.zenlogic.customerservice.loyalty.Postings.answer;
import static com.zenlogic.customerservice.loyalty.Postings.write;
import static com.zenlogic.customerservice.loyalty.Postings.writeThen;

import com.zenlogic.customerservice.customer.CustomerDirectory;
import com.zenlogic.customerservice.customer.CustomerStatus;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AdjustResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.EarnResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.RedeemResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ReverseResult;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Earning, direct redemption, reversal and adjustment: each decides on the locked account and hands
 * one Posting to the sequence. Runs inside the caller's tenant transaction.
 */
final class PointsMovements {
  private final PointsLedger ledger;
  private final Postings postings;
  private final PunchCards punchCards;
  private final Clock clock;
  private final EarningRules rules;

  PointsMovements(PointsLedger ledger, Postings postings, PunchCards punchCards, EarningRules rules, Clock clock) {
    this.rules = rules;
    this.ledger = ledger;
    this.postings = postings;
    this.punchCards = punchCards;
    this.clock = clock;
  }

  Future<EarnResult> earn(SqlConnection conn, LoyaltyMessages.Earn r) {
    if (r.transactionId() == null || r.transactionId().isBlank() || r.transactionId().length() > 100) {
      throw DomainException.invalid("transaction_id", "is required (at most 100 characters)");
    }
    if (r.amount() == null || r.amount().signum() < 0) {
      throw DomainException.invalid("amount", "must not be negative");
    }
    UUID org = r.caller().organizationId();
    String key = "earn:" + r.transactionId();
    // The POS's AddLoyaltyPoints and the later pos.transaction.completed name the same sale: same
    // customer and amount is the same request, whatever rate or channel each one mentions.
    String hash = r.customerId() + "|" + r.amount().stripTrailingZeros().toPlainString();
    Instant now = clock.instant();
    return CustomerDirectory.require(conn, org, r.customerId())
        .compose(status -> ledger.program(conn, org))
        .compose(program -> postings.post(LedgerEntry.EARN, conn, r.caller(), r.customerId(), program.firstTier(), key, now, locked -> {
          if (locked.existing() != null) {
            LedgerEntry first = locked.existing();
            EarnResult replay = replayEarn(first, hash, r.transactionId());
            return answer(rules.applied(conn, org, first.id()).map(applied -> new EarnResult(replay.pointsEarned(),
                replay.pointsBalance(), replay.tier(), replay.tierUpgraded(), true, applied)));
          }
          LoyaltyAccount account = locked.account();
          return rules.evaluate(conn, org, program, r.customerId(), account.tier(), r.amount(), r.pointsRate(), r.items(), now)
              .compose(evaluation -> earnPosting(conn, r, program, account, evaluation, key, hash, now));
        }));
  }

  private Future<Postings.Step<EarnResult>> earnPosting(SqlConnection conn, LoyaltyMessages.Earn r, LoyaltyProgram program,
      LoyaltyAccount account, EarningRules.Evaluation evaluation, String key, String hash, Instant now) {
    UUID org = r.caller().organizationId();
    long points = evaluation.points();
    return ledger.qualifying(conn, org, r.customerId(), program.tierWindowStart(now)).compose(qualifyingBefore -> {
      Tier current = program.tier(account.tier());
      Tier reached = program.tierFor(qualifyingBefore + points);
      boolean upgraded = reached.threshold() > current.threshold();
      Tier after = upgraded ? reached : current;
      Posting.Builder posting = Posting.of(LedgerEntry.EARN, account, key, now).points(points).lifetime(points)
          .amount(r.amount()).reference(r.transactionId()).requestHash(hash).channel(r.channel()).actor(r.caller().userId())
          .tier(after.code(), upgraded, upgraded ? now : account.tierSince(), upgraded ? null : account.belowTierSince())
          .addLot(program.expiryMonths() == null ? null
              : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant());
      if (points != 0) {
        posting.event(LoyaltyEvents.POINTS_EARNED, new JsonObject().put("customer_id", r.customerId().toString())
            .put("transaction_id", r.transactionId()).put("amount", r.amount().toPlainString())
            .put("points", points).put("points_balance", posting.balanceAfter()).put("channel", r.channel()));
      }
      if (upgraded) {
        posting.event(LoyaltyEvents.TIER_UPGRADED, new JsonObject().put("customer_id", r.customerId().toString())
            .put("from_tier", current.code()).put("to_tier", after.code())
            .put("qualifying_points", qualifyingBefore + points));
      }
      posting.also((c, saved) -> rules.record(c, org, saved, evaluation.applied()));
      return writeThen(posting.build(),
          saved -> punchCards.stamp(conn, r.caller(), r.customerId(), r.transactionId(), r.items())
              .map(v -> new EarnResult(points, saved.balanceAfter(), after.code(), upgraded, false, evaluation.applied())),
          // Another customer's request with this key committed first: answer as its replay (a conflict, by the hash).
          () -> ledger.entryByKey(conn, org, key).map(first -> replayEarn(first, hash, r.transactionId())));
    });
  }

  /** Redeem; the caller checked the reference (requireReference) before opening the transaction. */
  Future<RedeemResult> redeem(SqlConnection conn, LoyaltyMessages.Redeem r) {
    UUID org = r.caller().organizationId();
    String key = "redeem:" + r.referenceId();
    String hash = r.customerId() + "|" + r.points();
    Instant now = clock.instant();
    return requireActiveCustomer(conn, org, r.customerId())
        .compose(v -> ledger.program(conn, org))
        .compose(program -> {
          checkRedemption(program, r.points());
          return postings.post(LedgerEntry.REDEEM, conn, r.caller(), r.customerId(), program.firstTier(), key, now, locked -> {
            if (locked.existing() != null) {
              LedgerEntry existing = locked.existing();
              requireSameRequest(existing, hash, r.referenceId());
              return answer(new RedeemResult(-existing.points(), existing.amount(), existing.balanceAfter()));
            }
            requireAvailable(locked.account(), r.points());
            BigDecimal discount = program.discountFor(r.points());
            Posting.Builder posting = Posting.of(LedgerEntry.REDEEM, locked.account(), key, now).points(-r.points())
                .amount(discount).reference(r.referenceId()).requestHash(hash).reason(r.reason()).actor(r.caller().userId())
                .consume(r.points(), -1);
            posting.event(LoyaltyEvents.POINTS_REDEEMED,
                redeemed(r.customerId(), r.referenceId(), r.points(), discount, posting.balanceAfter()));
            return write(posting.build(), saved -> new RedeemResult(r.points(), discount, saved.balanceAfter()),
                () -> Future.failedFuture(ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference_id " + r.referenceId())));
          });
        });
  }

  /**
   * Takes back the points a transaction or order earned (void, order.cancelled). What was already
   * spent or expired cannot be taken back: the reversal takes what that earn's lot still holds (and
   * is not held) and records the rest as the shortfall.
   */
  Future<ReverseResult> reverse(SqlConnection conn, LoyaltyMessages.Reverse r) {
    requireReference(r.reference());
    UUID org = r.caller().organizationId();
    String key = "reverse:" + r.reference();
    Instant now = clock.instant();
    return ledger.entryByKey(conn, org, "earn:" + r.reference()).compose(earn -> {
      if (earn == null) {
        throw ErrorCode.TRANSACTION_NOT_FOUND.exception(r.reference());
      }
      return postings.post(LedgerEntry.REVERSE, conn, r.caller(), earn.customerId(), earn.tierAfter(), key, now, locked -> {
        if (locked.existing() != null) {
          LedgerEntry existing = locked.existing();
          return answer(new ReverseResult(earn.customerId(), -existing.points(), existing.shortfall(), existing.balanceAfter()));
        }
        LoyaltyAccount account = locked.account();
        // Only what this earn's lot still holds: points it lost to expiry or spending are gone, and
        // taking them from the customer's other earns would take the same points twice.
        return ledger.lotRemaining(conn, org, earn.id()).compose(inLot -> {
          long take = Math.min(inLot, account.available());
          long shortfall = earn.points() - take;
          Posting.Builder posting = Posting.of(LedgerEntry.REVERSE, account, key, now).points(-take).amount(earn.amount())
              .reference(r.reference()).requestHash(earn.customerId() + "|" + earn.points()).reason(r.reason())
              .actor(r.caller().userId()).shortfall(shortfall).consume(take, earn.id());
          if (take != 0 || shortfall != 0) {
            posting.event(LoyaltyEvents.POINTS_REVERSED, new JsonObject().put("customer_id", earn.customerId().toString())
                .put("reference", r.reference()).put("points", take).put("shortfall", shortfall)
                .put("points_balance", posting.balanceAfter()));
          }
          long balance = posting.balanceAfter();
          return write(posting.build(), saved -> new ReverseResult(earn.customerId(), take, shortfall, balance),
              // Not reached: the key names one earn of one customer, whose account we hold locked.
              () -> Future.failedFuture(ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference " + r.reference())));
        });
      });
    });
  }

  /** Checks an adjustment and answers its idempotency key (a fresh one when the admin sent none). */
  static String adjustKey(LoyaltyMessages.Adjust r) {
    if (r.points() == 0) {
      throw DomainException.invalid("points", "must not be zero");
    }
    if (r.reason() == null || r.reason().isBlank()) {
      throw DomainException.invalid("reason", "is required for an adjustment");
    }
    return "adjust:" + (r.idempotencyKey() == null ? UUID.randomUUID() : r.idempotencyKey());
  }

  /** An admin's correction, positive or negative, with a reason; never below zero. {@code key} from adjustKey. */
  Future<AdjustResult> adjust(SqlConnection conn, LoyaltyMessages.Adjust r, String key) {
    UUID org = r.caller().organizationId();
    String hash = r.customerId() + "|" + r.points();
    Instant now = clock.instant();
    return CustomerDirectory.require(conn, org, r.customerId())
        .compose(s -> ledger.program(conn, org))
        .compose(program -> postings.post(LedgerEntry.ADJUST, conn, r.caller(), r.customerId(), program.firstTier(), key, now, locked -> {
          if (locked.existing() != null) {
            requireSameRequest(locked.existing(), hash, "Idempotency-Key");
            return answer(new AdjustResult(locked.existing().points(), locked.existing().balanceAfter(), true));
          }
          if (r.points() < 0) {
            requireAvailable(locked.account(), -r.points());
          }
          Posting.Builder posting = Posting.of(LedgerEntry.ADJUST, locked.account(), key, now).points(r.points())
              .requestHash(hash).reason(r.reason()).actor(r.caller().userId());
          if (r.points() > 0) {
            posting.addLot(program.expiryMonths() == null ? null
                : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant());
          } else {
            posting.consume(-r.points(), -1);
          }
          posting.event(LoyaltyEvents.POINTS_ADJUSTED, new JsonObject().put("customer_id", r.customerId().toString())
              .put("points", r.points()).put("reason", r.reason()).put("actor", r.caller().userId())
              .put("points_balance", posting.balanceAfter()));
          return write(posting.build(), saved -> new AdjustResult(r.points(), saved.balanceAfter(), false),
              // Taken meanwhile for another customer (whose account lock is not ours): hash differs, never a second effect.
              () -> Future.failedFuture(new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT,
                  ErrorCode.IDEMPOTENCY_CONFLICT.format("Idempotency-Key"), "Idempotency-Key")));
        }));
  }

  static Future<CustomerStatus> requireActiveCustomer(SqlConnection conn, UUID org, UUID customerId) {
    return CustomerDirectory.require(conn, org, customerId).map(status -> {
      if (status == CustomerStatus.BLOCKED) {
        throw ErrorCode.CUSTOMER_BLOCKED.exception(customerId);
      }
      return status;
    });
  }

  static void checkRedemption(LoyaltyProgram program, long points) {
    if (points < program.minRedemption()) {
      throw DomainException.invalid("points", "must be at least " + program.minRedemption());
    }
  }

  static void requireReference(String reference) {
    if (reference == null || reference.isBlank() || reference.length() > 100) {
      throw DomainException.invalid("reference_id", "is required (at most 100 characters)");
    }
  }

  static void requireAvailable(LoyaltyAccount account, long points) {
    if (account.available() < points) {
      throw ErrorCode.POINTS_INSUFFICIENT.exception(account.available(), points);
    }
  }

  static void requireSameRequest(LedgerEntry existing, String hash, String what) {
    if (!existing.requestHash().equals(hash)) {
      throw ErrorCode.IDEMPOTENCY_CONFLICT.exception(what);
    }
  }

  static JsonObject redeemed(UUID customerId, String reference, long points, BigDecimal discount, long balance) {
    return new JsonObject().put("customer_id", customerId.toString()).put("reference_id", reference).put("points", points)
        .put("discount_amount", discount.toPlainString()).put("points_balance", balance);
  }

  private static EarnResult replayEarn(LedgerEntry existing, String hash, String transactionId) {
    if (!existing.requestHash().equals(hash)) {
      throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT,
          ErrorCode.IDEMPOTENCY_CONFLICT.format("transaction_id " + transactionId), "transaction_id");
    }
    return new EarnResult(existing.points(), existing.balanceAfter(), existing.tierAfter(), existing.tierUpgraded(), true);
  }
}
