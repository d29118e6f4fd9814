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
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    return customerAndProgram(conn, org, r.customerId())
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

  /**
   * The customer must exist (NOT_FOUND otherwise, before anything else is said); answers the program.
   * PERF: both reads go out at once, pipelined: one round trip.
   */
  private Future<LoyaltyProgram> customerAndProgram(SqlConnection conn, UUID org, UUID customerId) {
    Future<?> customer = CustomerDirectory.require(conn, org, customerId);
    Future<LoyaltyProgram> program = ledger.program(conn, org);
    return Future.all(customer, program).map(both -> program.result())
        .recover(e -> Future.failedFuture(customer.failed() ? customer.cause() : e));
  }

  private Future<Postings.Step<EarnResult>> earnPosting(SqlConnection conn, LoyaltyMessages.Earn r, LoyaltyProgram program,
      LoyaltyAccount account, EarningRules.Evaluation evaluation, String key, String hash, Instant now) {
    UUID org = r.caller().organizationId();
    long points = evaluation.points();
    return ledger.qualifying(conn, org, r.customerId(), program.tierWindowStart(now)).compose(qualifyingBefore -> {
      Tier current = program.tier(account.tier());
      // Points in the return window count for the tier when they become available (PendingPoints), not now.
      boolean pending = program.pendingDays() > 0 && points > 0;
      Instant pendingUntil = pending ? now.plus(Duration.ofDays(program.pendingDays())) : null;
      Tier reached = pending ? current : program.tierFor(qualifyingBefore + points);
      boolean upgraded = reached.threshold() > current.threshold();
      Tier after = upgraded ? reached : current;
      Posting.Builder posting = Posting.of(LedgerEntry.EARN, account, key, now).points(points).lifetime(points)
          .amount(r.amount()).reference(r.transactionId()).requestHash(hash).channel(r.channel()).actor(r.caller().userId())
          .tier(after.code(), upgraded, upgraded ? now : account.tierSince(), upgraded ? null : account.belowTierSince())
          .pending(pending ? points : 0)
          .addPendingLot(program.expiryMonths() == null ? null
              : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant(), pendingUntil);
      if (points != 0) {
        JsonObject earned = new JsonObject().put("customer_id", r.customerId().toString())
            .put("transaction_id", r.transactionId()).put("amount", r.amount().toPlainString())
            .put("points", points).put("points_balance", posting.balanceAfter()).put("channel", r.channel());
        if (pending) {
          earned.put("pending_points", points).put("available_at", pendingUntil.toString());
        }
        posting.event(LoyaltyEvents.POINTS_EARNED, earned);
      }
      if (upgraded) {
        posting.event(LoyaltyEvents.TIER_UPGRADED, new JsonObject().put("customer_id", r.customerId().toString())
            .put("from_tier", current.code()).put("to_tier", after.code())
            .put("qualifying_points", qualifyingBefore + points));
      }
      posting.also((c, saved) -> rules.record(c, org, saved, evaluation.applied()));
      // The lines bought, so a later return by item is checked against them.
      Map<String, Integer> lines = earnedLines(r.items());
      if (!lines.isEmpty()) {
        posting.also((c, saved) -> ledger.addEarnItems(c, org, saved.id(), lines));
      }
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

  /** Checks a reversal before the transaction: a return names itself (return_id) and sends a positive amount or its items. */
  static void checkReverse(LoyaltyMessages.Reverse r) {
    requireReference(r.reference());
    if (!r.partial()) {
      return;
    }
    if (r.returnId() == null || r.returnId().isBlank() || r.returnId().length() > 100) {
      throw DomainException.invalid("return_id", "is required with amount or items (at most 100 characters)");
    }
    if (r.amount() == null && r.items().isEmpty()) {
      throw DomainException.invalid("amount", "a return sends the amount returned or its items");
    }
    if (r.amount() != null && r.amount().signum() <= 0) {
      throw DomainException.invalid("amount", "must be greater than 0");
    }
    BigDecimal items = BigDecimal.ZERO;
    for (LoyaltyMessages.ReturnedItem i : r.items()) {
      if (i.productId() == null || i.productId().isBlank() || i.quantity() <= 0 || i.amount() == null || i.amount().signum() < 0) {
        throw DomainException.invalid("items", "each returned item names product_id or variant_id, a positive quantity and its amount");
      }
      items = items.add(i.amount());
    }
    if (!r.items().isEmpty() && r.amount() != null && r.amount().compareTo(items) != 0) {
      throw DomainException.invalid("amount", "must equal the sum of the items' amounts (" + items.toPlainString() + ")");
    }
  }

  /** The money a return gives back: its amount, or the sum of its items. */
  static BigDecimal returnedAmount(LoyaltyMessages.Reverse r) {
    return r.amount() != null ? r.amount()
        : r.items().stream().map(LoyaltyMessages.ReturnedItem::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  /**
   * Takes back the points a transaction or order earned: all of it (a void, order.cancelled; once),
   * or the part one return gave back (points earned x returned amount / purchase amount, rounded
   * down; once per return_id). Returns of one purchase never take back more than it earned: the
   * return that completes the purchase amount takes exactly what is left. What was already spent or
   * expired cannot be taken back: a reversal takes what that earn's lot still holds (pending points
   * first, as they are the lot's while pending; otherwise what is not held) and records the rest as
   * the shortfall. A return that takes the account below its tier's threshold starts the grace period.
   */
  Future<ReverseResult> reverse(SqlConnection conn, LoyaltyMessages.Reverse r) {
    try {
      checkReverse(r);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    UUID org = r.caller().organizationId();
    boolean partial = r.partial();
    String key = partial ? "reverse:" + r.reference() + ":" + r.returnId() : "reverse:" + r.reference();
    BigDecimal returned = partial ? returnedAmount(r) : null;
    Instant now = clock.instant();
    return ledger.entryByKey(conn, org, "earn:" + r.reference()).compose(earn -> {
      if (earn == null) {
        throw ErrorCode.TRANSACTION_NOT_FOUND.exception(r.reference());
      }
      String hash = partial ? earn.customerId() + "|" + returned.stripTrailingZeros().toPlainString() + "|" + itemsHash(r)
          : earn.customerId() + "|" + earn.points();
      return ledger.program(conn, org).compose(program ->
          postings.post(LedgerEntry.REVERSE, conn, r.caller(), earn.customerId(), earn.tierAfter(), key, now, locked -> {
        if (locked.existing() != null) {
          LedgerEntry existing = locked.existing();
          // A reference with a colon could spell another reversal's key ("a:b" vs "a" + return "b"): never its answer.
          if (!r.reference().equals(existing.reference())) {
            throw ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference " + r.reference());
          }
          if (partial) {
            requireSameRequest(existing, hash, "return_id " + r.returnId());
          }
          return answer(new ReverseResult(earn.customerId(), -existing.points(), existing.shortfall(), existing.balanceAfter(),
              earn.points()));
        }
        LoyaltyAccount account = locked.account();
        return ledger.reversedSoFar(conn, org, earn.customerId(), r.reference())
            .compose(so -> ledger.lot(conn, org, earn.id()).map(lot -> new Object[] {so, lot}))
            .compose(x -> checkReturnedItems(conn, org, earn, r).map(lines -> new Object[] {x[0], x[1], lines}))
            .compose(x -> {
          PointsLedger.Reversed so = (PointsLedger.Reversed) x[0];
          PointsLedger.Lot lot = (PointsLedger.Lot) x[1];
          long left = Math.max(0, earn.points() - so.points());
          long due = partial ? dueFor(earn, returned, so.amount(), left) : left;
          // Only what this earn's lot still holds: points it lost to expiry or spending are gone, and
          // taking them from the customer's other earns would take the same points twice.
          long take = lot.pending() ? Math.min(due, lot.remaining()) : Math.min(due, Math.min(lot.remaining(), account.available()));
          long fromPending = lot.pending() ? take : 0;
          long shortfall = due - take;
          Posting.Builder posting = Posting.of(LedgerEntry.REVERSE, account, key, now).points(-take).pending(-fromPending)
              .amount(partial ? returned : earn.amount())
              .reference(r.reference()).requestHash(hash).reason(r.reason())
              .actor(r.caller().userId()).shortfall(shortfall).consume(take, earn.id());
          @SuppressWarnings("unchecked")
          Map<String, Integer> lines = (Map<String, Integer>) x[2];
          if (!lines.isEmpty()) {
            posting.also((c, saved) -> ledger.addReturnedItems(c, org, saved.id(), earn.id(), lines));
          }
          if (take != 0 || shortfall != 0) {
            JsonObject event = new JsonObject().put("customer_id", earn.customerId().toString())
                .put("reference", r.reference()).put("points", take).put("shortfall", shortfall)
                .put("points_balance", posting.balanceAfter());
            if (partial) {
              event.put("return_id", r.returnId()).put("amount", returned.toPlainString()).put("pending_points", fromPending);
            }
            posting.event(LoyaltyEvents.POINTS_REVERSED, event);
          }
          return graceIfBelow(conn, org, program, account, take - fromPending, now, posting).compose(v -> {
            long balance = posting.balanceAfter();
            return write(posting.build(), saved -> new ReverseResult(earn.customerId(), take, shortfall, balance, earn.points()),
                // Not reached: the key names one earn of one customer, whose account we hold locked.
                () -> Future.failedFuture(ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference " + r.reference())));
          });
        });
      }));
    });
  }

  /** A return's share of what the purchase earned, rounded down; the return that completes the purchase takes what is left. */
  static long dueFor(LedgerEntry earn, BigDecimal returned, BigDecimal returnedBefore, long left) {
    BigDecimal purchase = earn.amount();
    if (purchase == null || purchase.signum() <= 0 || returnedBefore.add(returned).compareTo(purchase) >= 0) {
      return left;
    }
    long share = BigDecimal.valueOf(earn.points()).multiply(returned).divide(purchase, 0, RoundingMode.FLOOR).longValueExact();
    return Math.min(left, share);
  }

  /** An earn's lines by product (or variant) id, quantities summed; lines without an id or quantity are not kept. */
  static Map<String, Integer> earnedLines(List<LoyaltyMessages.Item> items) {
    Map<String, Integer> lines = new TreeMap<>();
    if (items != null) {
      for (LoyaltyMessages.Item i : items) {
        if (i.productId() != null && !i.productId().isBlank() && i.quantity() > 0) {
          lines.merge(i.productId(), i.quantity(), Integer::sum);
        }
      }
    }
    return lines;
  }

  /**
   * A return by item names lines of the purchase, never more of one than was bought less what
   * earlier returns gave back. A purchase whose earn carried no items (AddLoyaltyPoints has none)
   * has nothing to check against: its returns by item count by money only. Answers the lines to record.
   */
  private Future<Map<String, Integer>> checkReturnedItems(SqlConnection conn, UUID org, LedgerEntry earn, LoyaltyMessages.Reverse r) {
    Map<String, Integer> returning = new TreeMap<>();
    r.items().forEach(i -> returning.merge(i.productId(), i.quantity(), Integer::sum));
    if (returning.isEmpty()) {
      return Future.succeededFuture(returning);
    }
    return ledger.earnItems(conn, org, earn.id()).compose(bought -> bought.isEmpty() ? Future.succeededFuture(returning)
        : ledger.returnedItems(conn, org, earn.id()).map(before -> {
          for (Map.Entry<String, Integer> line : returning.entrySet()) {
            int had = bought.getOrDefault(line.getKey(), 0);
            int back = before.getOrDefault(line.getKey(), 0);
            if (had == 0) {
              throw DomainException.invalid("items", line.getKey() + " was not bought in " + r.reference());
            }
            if (back + line.getValue() > had) {
              throw DomainException.invalid("items", line.getKey() + ": " + line.getValue() + " returned, " + (had - back)
                  + " of " + had + " left to return");
            }
          }
          return returning;
        }));
  }

  private static String itemsHash(LoyaltyMessages.Reverse r) {
    StringBuilder b = new StringBuilder();
    r.items().stream().sorted(java.util.Comparator.comparing(LoyaltyMessages.ReturnedItem::productId))
        .forEach(i -> b.append(i.productId()).append('x').append(i.quantity()).append('=')
            .append(i.amount().stripTrailingZeros().toPlainString()).append(';'));
    return b.toString();
  }

  /**
   * Marks the account below its tier when taking {@code qualifyingTaken} points drops its qualifying
   * points under the tier's threshold (the tier review downgrades it after the grace period) and
   * announces it with loyalty.tier.downgrade_warning. Already marked, or nothing taken: nothing to do.
   */
  private Future<Void> graceIfBelow(SqlConnection conn, UUID org, LoyaltyProgram program, LoyaltyAccount account, long qualifyingTaken,
                                    Instant now, Posting.Builder posting) {
    Tier tier = program.tier(account.tier());
    if (qualifyingTaken <= 0 || tier.threshold() == 0 || account.belowTierSince() != null) {
      return Future.succeededFuture();
    }
    return ledger.qualifying(conn, org, account.customerId(), program.tierWindowStart(now)).map(before -> {
      long after = before - qualifyingTaken;
      if (after < tier.threshold()) {
        posting.tier(tier.code(), false, account.tierSince(), now);
        posting.event(LoyaltyEvents.TIER_DOWNGRADE_WARNING, TierReview.warning(account.customerId(), program, tier, after, now));
      }
      return null;
    });
  }

  /**
   * Gives back the points spent on a cancelled order or a voided sale: every redemption whose
   * reference is that order or sale (direct, or a captured hold), once per customer (key
   * unredeem:<reference>). The points come back as a new lot with the program's expiry from now.
   * Answers the points refunded by this call (0 when there was nothing, or it was done before).
   */
  Future<Long> refund(SqlConnection conn, Caller caller, String reference, String reason) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return ledger.redemptions(conn, org, reference).compose(spent -> {
      if (spent.isEmpty()) {
        return Future.succeededFuture(0L);
      }
      return ledger.program(conn, org).compose(program -> {
        Future<Long> chain = Future.succeededFuture(0L);
        for (int i = 0; i < spent.size(); i++) {
          PointsLedger.Redeemed s = spent.get(i);
          String key = "unredeem:" + reference + (i == 0 ? "" : ":" + s.customerId());
          chain = chain.compose(total -> s.points() <= 0 ? Future.succeededFuture(total)
              : postings.post(LedgerEntry.REFUND, conn, caller, s.customerId(), program.firstTier(), key, now, locked -> {
            if (locked.existing() != null) {
              return answer(total);
            }
            Posting.Builder posting = Posting.of(LedgerEntry.REFUND, locked.account(), key, now).points(s.points())
                .reference(reference).requestHash(s.customerId() + "|" + s.points()).reason(reason).actor(caller.userId())
                .addLot(program.expiryMonths() == null ? null
                    : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant());
            posting.event(LoyaltyEvents.POINTS_REFUNDED, new JsonObject().put("customer_id", s.customerId().toString())
                .put("reference", reference).put("points", s.points()).put("reason", reason)
                .put("points_balance", posting.balanceAfter()));
            return write(posting.build(), saved -> total + s.points(), () -> Future.succeededFuture(total));
          }));
        }
        return chain;
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
    return customerAndProgram(conn, org, r.customerId())
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
