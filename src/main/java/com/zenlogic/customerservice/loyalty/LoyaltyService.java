package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AccountView;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AdjustResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.EarnResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.HoldClosed;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.HoldResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.RedeemResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ReverseResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.TierInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * The loyalty rules: earning, redemption (direct or two-phase), reversal, adjustment, tiers and expiry.
 *
 * <p>Every operation is one tenant transaction that locks the customer's account row, appends to the
 * ledger under an idempotency key (a retry replays the first result; the same key with a different
 * request is refused), moves the balance in the same transaction and records its events in the
 * outbox. The database checks keep balance >= 0 and held <= balance whatever happens here.
 */
public final class LoyaltyService {
  private final Db db;
  private final PointsLedger ledger = new PointsLedger();
  private final PunchCards punchCards = new PunchCards();
  private final CustomerChangeListener listener;
  private final Clock clock;

  public LoyaltyService(Db db, CustomerChangeListener listener, Clock clock) {
    this.db = db;
    this.listener = listener;
    this.clock = clock;
  }

  public Future<EarnResult> earn(LoyaltyMessages.Earn r) {
    return changing(r.caller(), r.customerId(), conn -> earnIn(conn, r));
  }

  /** Earn inside the caller's tenant transaction (event consumers add their inbox row to it). */
  public Future<EarnResult> earnIn(SqlConnection conn, LoyaltyMessages.Earn r) {
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
    return requireCustomer(conn, org, r.customerId())
        .compose(status -> ledger.program(conn, org))
        .compose(program -> ledger.lockAccount(conn, org, r.customerId(), program.tiers().get(0).code(), now)
            .compose(account -> ledger.entryByKey(conn, org, key).compose(existing -> {
              if (existing != null) {
                return Future.succeededFuture(replayEarn(existing, hash, r.transactionId()));
              }
              long points = program.pointsFor(r.amount(), r.pointsRate(), account.tier());
              return ledger.qualifying(conn, org, r.customerId(), windowStart(program, now)).compose(qualifyingBefore -> {
                Tier current = program.tier(account.tier());
                Tier reached = program.tierFor(qualifyingBefore + points);
                boolean upgraded = reached.threshold() > current.threshold();
                Tier after = upgraded ? reached : current;
                LedgerEntry entry = new LedgerEntry(0, r.customerId(), LedgerEntry.EARN, points, 0, account.balance() + points,
                    r.amount(), r.transactionId(), hash, r.channel(), null, r.caller().userId(), 0, after.code(), upgraded, now);
                return ledger.append(conn, org, entry, key).compose(saved -> {
                  if (saved == null) {
                    // A concurrent request with this key committed first (for another customer: the account lock did not serialise us).
                    return ledger.entryByKey(conn, org, key).map(first -> replayEarn(first, hash, r.transactionId()));
                  }
                  Instant expires = program.expiryMonths() == null ? null
                      : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant();
                  Future<Void> lot = points > 0 ? ledger.addLot(conn, org, saved, expires) : Future.succeededFuture();
                  return lot
                      .compose(v -> ledger.updateAccount(conn, org, r.customerId(), points, 0, points, after.code(),
                          upgraded ? now : account.tierSince(), upgraded ? null : account.belowTierSince()))
                      .compose(v -> points == 0 ? Future.succeededFuture() : Outbox.record(conn, r.caller(), LoyaltyEvents.POINTS_EARNED,
                          r.customerId(), new JsonObject().put("customer_id", r.customerId().toString())
                              .put("transaction_id", r.transactionId()).put("amount", r.amount().toPlainString())
                              .put("points", points).put("points_balance", saved.balanceAfter()).put("channel", r.channel())).mapEmpty())
                      .compose(v -> !upgraded ? Future.succeededFuture() : Outbox.record(conn, r.caller(), LoyaltyEvents.TIER_UPGRADED,
                          r.customerId(), new JsonObject().put("customer_id", r.customerId().toString())
                              .put("from_tier", current.code()).put("to_tier", after.code())
                              .put("qualifying_points", qualifyingBefore + points)).mapEmpty())
                      .compose(v -> punchCards.stamp(conn, r.caller(), r.customerId(), r.transactionId(), r.items()))
                      .map(v -> new EarnResult(points, saved.balanceAfter(), after.code(), upgraded, false));
                });
              });
            })));
  }

  public Future<RedeemResult> redeem(LoyaltyMessages.Redeem r) {
    requireReference(r.referenceId());
    UUID org = r.caller().organizationId();
    String key = "redeem:" + r.referenceId();
    String hash = r.customerId() + "|" + r.points();
    Instant now = clock.instant();
    return changing(r.caller(), r.customerId(), conn -> requireActiveCustomer(conn, org, r.customerId())
        .compose(v -> ledger.program(conn, org))
        .compose(program -> {
          checkRedemption(program, r.points());
          return ledger.lockAccount(conn, org, r.customerId(), program.tiers().get(0).code(), now)
              .compose(account -> ledger.entryByKey(conn, org, key).compose(existing -> {
                if (existing != null) {
                  requireSameRequest(existing, hash, r.referenceId());
                  return Future.succeededFuture(new RedeemResult(-existing.points(), existing.amount(), existing.balanceAfter()));
                }
                if (account.available() < r.points()) {
                  throw ErrorCode.POINTS_INSUFFICIENT.exception(account.available(), r.points());
                }
                BigDecimal discount = program.discountFor(r.points());
                LedgerEntry entry = new LedgerEntry(0, r.customerId(), LedgerEntry.REDEEM, -r.points(), 0,
                    account.balance() - r.points(), discount, r.referenceId(), hash, null, r.reason(), r.caller().userId(), 0,
                    account.tier(), false, now);
                return ledger.append(conn, org, entry, key).compose(saved -> {
                  if (saved == null) {
                    throw ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference_id " + r.referenceId());
                  }
                  return ledger.consume(conn, org, r.customerId(), r.points(), -1)
                      .compose(taken -> ledger.updateAccount(conn, org, r.customerId(), -r.points(), 0, 0, account.tier(),
                          account.tierSince(), account.belowTierSince()))
                      .compose(v -> redeemedEvent(conn, r.caller(), r.customerId(), r.referenceId(), r.points(), discount,
                          saved.balanceAfter()))
                      .map(v -> new RedeemResult(r.points(), discount, saved.balanceAfter()));
                });
              }));
        }));
  }

  public Future<HoldResult> hold(LoyaltyMessages.HoldPoints r) {
    requireReference(r.referenceId());
    UUID org = r.caller().organizationId();
    String key = "hold:" + r.referenceId();
    String hash = r.customerId() + "|" + r.points();
    Instant now = clock.instant();
    return changing(r.caller(), r.customerId(), conn -> requireActiveCustomer(conn, org, r.customerId())
        .compose(v -> ledger.program(conn, org))
        .compose(program -> {
          checkRedemption(program, r.points());
          return ledger.lockAccount(conn, org, r.customerId(), program.tiers().get(0).code(), now)
              .compose(account -> ledger.entryByKey(conn, org, key).compose(existing -> {
                if (existing != null) {
                  requireSameRequest(existing, hash, r.referenceId());
                  return ledger.holdByReference(conn, org, r.referenceId()).map(h -> new HoldResult(h.id(), h.points(),
                      program.discountFor(h.points()), h.expiresAt(), existing.balanceAfter()));
                }
                if (account.available() < r.points()) {
                  throw ErrorCode.POINTS_INSUFFICIENT.exception(account.available(), r.points());
                }
                Hold hold = new Hold(UUID.randomUUID(), r.customerId(), r.points(), r.referenceId(), Hold.OPEN,
                    now.plus(Duration.ofMinutes(program.holdMinutes())));
                LedgerEntry entry = new LedgerEntry(0, r.customerId(), LedgerEntry.HOLD, 0, r.points(), account.balance(), null,
                    r.referenceId(), hash, null, "hold " + hold.id(), r.caller().userId(), 0, account.tier(), false, now);
                return ledger.append(conn, org, entry, key).compose(saved -> {
                  if (saved == null) {
                    throw ErrorCode.IDEMPOTENCY_CONFLICT.exception("reference_id " + r.referenceId());
                  }
                  return ledger.insertHold(conn, org, hold, now)
                      .compose(v -> ledger.updateAccount(conn, org, r.customerId(), 0, r.points(), 0, account.tier(),
                          account.tierSince(), account.belowTierSince()))
                      .map(v -> new HoldResult(hold.id(), hold.points(), program.discountFor(hold.points()), hold.expiresAt(),
                          account.balance()));
                });
              }));
        }));
  }

  /** Turns a hold into a redemption; capturing twice answers the first capture. */
  public Future<HoldClosed> capture(LoyaltyMessages.CloseHold r) {
    return closeHold(r.caller(), r.holdId(), Hold.CAPTURED);
  }

  /** Gives the held points back; cancelling twice (or after expiry) answers the same. */
  public Future<HoldClosed> cancel(LoyaltyMessages.CloseHold r) {
    return closeHold(r.caller(), r.holdId(), Hold.CANCELLED);
  }

  private Future<HoldClosed> closeHold(Caller caller, UUID holdId, String outcome) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> ledger.hold(conn, org, holdId).compose(peek -> {
          if (peek == null) {
            throw ErrorCode.HOLD_NOT_FOUND.exception(holdId);
          }
          // Account before hold, as every other operation locks: no deadlock with a concurrent earn.
          return ledger.lockAccount(conn, org, peek.customerId(), "bronze", now)
              .compose(account -> ledger.lockHold(conn, org, holdId).compose(h -> settle(conn, caller, h, account, outcome, now)));
        }))
        .compose(closed -> listener.customerChanged(org, closed.customerId()).map(closed))
        .map(closed -> {
          if (closed.refusal() != null) {
            throw closed.refusal();
          }
          return closed.result();
        });
  }

  /** What closing a hold did; a refusal is answered only after the transaction committed what it had to. */
  private record Settled(UUID customerId, HoldClosed result, DomainException refusal) {}

  private Future<Settled> settle(SqlConnection conn, Caller caller, Hold h, LoyaltyAccount account, String outcome, Instant now) {
    UUID org = caller.organizationId();
    if (Hold.OPEN.equals(h.status()) && !Hold.EXPIRED.equals(outcome) && !now.isBefore(h.expiresAt())) {
      // Past its time the hold is expired whether or not the sweep came by: release it here, keep
      // that release (commit), and answer as for a hold the sweep had expired.
      return settle(conn, caller, h, account, Hold.EXPIRED, now).map(released -> Hold.CAPTURED.equals(outcome)
          ? new Settled(h.customerId(), null, ErrorCode.HOLD_CLOSED.exception(h.id(), Hold.EXPIRED))
          : released);
    }
    if (!Hold.OPEN.equals(h.status())) {
      boolean sameOutcome = h.status().equals(outcome) || Hold.CANCELLED.equals(outcome) && Hold.EXPIRED.equals(h.status());
      if (!sameOutcome) {
        throw ErrorCode.HOLD_CLOSED.exception(h.id(), h.status());
      }
      return Future.succeededFuture(new Settled(h.customerId(), new HoldClosed(h.id(), h.status(), account.balance()), null));
    }
    boolean capture = Hold.CAPTURED.equals(outcome);
    String status = capture ? Hold.CAPTURED : Hold.EXPIRED.equals(outcome) ? Hold.EXPIRED : Hold.CANCELLED;
    long balanceDelta = capture ? -h.points() : 0;
    return ledger.program(conn, org).compose(program -> {
      BigDecimal discount = capture ? program.discountFor(h.points()) : null;
      LedgerEntry entry = new LedgerEntry(0, h.customerId(), capture ? LedgerEntry.REDEEM : LedgerEntry.RELEASE, balanceDelta,
          -h.points(), account.balance() + balanceDelta, discount, h.reference(), h.customerId() + "|" + h.points(), null,
          status + " hold " + h.id(), caller.userId(), 0, account.tier(), false, now);
      return ledger.append(conn, org, entry, (capture ? "capture:" : "release:") + h.id())
          .compose(saved -> capture ? ledger.consume(conn, org, h.customerId(), h.points(), -1).mapEmpty() : Future.succeededFuture())
          .compose(v -> ledger.updateAccount(conn, org, h.customerId(), balanceDelta, -h.points(), 0, account.tier(),
              account.tierSince(), account.belowTierSince()))
          .compose(v -> ledger.closeHold(conn, org, h.id(), status, now))
          .compose(v -> capture ? redeemedEvent(conn, caller, h.customerId(), h.reference(), h.points(), discount,
              account.balance() + balanceDelta) : Future.succeededFuture())
          .map(v -> new Settled(h.customerId(), new HoldClosed(h.id(), status, account.balance() + balanceDelta), null));
    });
  }

  /**
   * Takes back the points a transaction or order earned (void, order.cancelled). What was already
   * spent or expired cannot be taken back: the reversal takes what that earn's lot still holds (and
   * is not held) and records the rest as the shortfall.
   */
  public Future<ReverseResult> reverse(LoyaltyMessages.Reverse r) {
    UUID org = r.caller().organizationId();
    return db.withTenant(org, conn -> reverseIn(conn, r))
        .compose(result -> listener.customerChanged(org, result.customerId()).map(result));
  }

  /** Reverse inside the caller's tenant transaction; the caller invalidates the customer's cache after commit. */
  public Future<ReverseResult> reverseIn(SqlConnection conn, LoyaltyMessages.Reverse r) {
    requireReference(r.reference());
    UUID org = r.caller().organizationId();
    Instant now = clock.instant();
    return ledger.entryByKey(conn, org, "earn:" + r.reference()).compose(earn -> {
          if (earn == null) {
            throw ErrorCode.TRANSACTION_NOT_FOUND.exception(r.reference());
          }
          return ledger.lockAccount(conn, org, earn.customerId(), earn.tierAfter(), now)
              .compose(account -> ledger.entryByKey(conn, org, "reverse:" + r.reference()).compose(existing -> {
                if (existing != null) {
                  return Future.succeededFuture(new ReverseResult(earn.customerId(), -existing.points(), existing.shortfall(),
                      existing.balanceAfter()));
                }
                // Only what this earn's lot still holds: points it lost to expiry or spending are gone, and
                // taking them from the customer's other earns would take the same points twice.
                return ledger.lotRemaining(conn, org, earn.id()).compose(inLot -> {
                  long take = Math.min(inLot, account.available());
                  long shortfall = earn.points() - take;
                  LedgerEntry entry = new LedgerEntry(0, earn.customerId(), LedgerEntry.REVERSE, -take, 0, account.balance() - take,
                      earn.amount(), r.reference(), earn.customerId() + "|" + earn.points(), null, r.reason(), r.caller().userId(),
                      shortfall, account.tier(), false, now);
                  return ledger.append(conn, org, entry, "reverse:" + r.reference())
                      .compose(saved -> ledger.consume(conn, org, earn.customerId(), take, earn.id()))
                      .compose(taken -> ledger.updateAccount(conn, org, earn.customerId(), -take, 0, 0, account.tier(),
                          account.tierSince(), account.belowTierSince()))
                      .compose(v -> take == 0 && shortfall == 0 ? Future.succeededFuture() : Outbox.record(conn, r.caller(),
                          LoyaltyEvents.POINTS_REVERSED, earn.customerId(), new JsonObject()
                              .put("customer_id", earn.customerId().toString()).put("reference", r.reference())
                              .put("points", take).put("shortfall", shortfall).put("points_balance", account.balance() - take)).mapEmpty())
                      .map(v -> new ReverseResult(earn.customerId(), take, shortfall, account.balance() - take));
                });
              }));
        });
  }

  /** An admin's correction, positive or negative, with a reason; never below zero. */
  public Future<AdjustResult> adjust(LoyaltyMessages.Adjust r) {
    if (r.points() == 0) {
      throw DomainException.invalid("points", "must not be zero");
    }
    if (r.reason() == null || r.reason().isBlank()) {
      throw DomainException.invalid("reason", "is required for an adjustment");
    }
    UUID org = r.caller().organizationId();
    String key = "adjust:" + (r.idempotencyKey() == null ? UUID.randomUUID() : r.idempotencyKey());
    String hash = r.customerId() + "|" + r.points();
    Instant now = clock.instant();
    return changing(r.caller(), r.customerId(), conn -> requireCustomer(conn, org, r.customerId())
        .compose(s -> ledger.program(conn, org))
        .compose(program -> ledger.lockAccount(conn, org, r.customerId(), program.tiers().get(0).code(), now)
            .compose(account -> ledger.entryByKey(conn, org, key).compose(existing -> {
              if (existing != null) {
                requireSameRequest(existing, hash, "Idempotency-Key");
                return Future.succeededFuture(new AdjustResult(existing.points(), existing.balanceAfter(), true));
              }
              if (r.points() < 0 && account.available() < -r.points()) {
                throw ErrorCode.POINTS_INSUFFICIENT.exception(account.available(), -r.points());
              }
              LedgerEntry entry = new LedgerEntry(0, r.customerId(), LedgerEntry.ADJUST, r.points(), 0, account.balance() + r.points(),
                  null, null, hash, null, r.reason(), r.caller().userId(), 0, account.tier(), false, now);
              return ledger.append(conn, org, entry, key).compose(saved -> {
                if (saved == null) {
                  // Taken meanwhile for another customer (whose account lock is not ours): hash differs, never a second effect.
                  throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT.format("Idempotency-Key"),
                      "Idempotency-Key");
                }
                Instant expires = program.expiryMonths() == null ? null
                    : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant();
                Future<Void> lots = r.points() > 0 ? ledger.addLot(conn, org, saved, expires)
                    : ledger.consume(conn, org, r.customerId(), -r.points(), -1).mapEmpty();
                return lots
                    .compose(v -> ledger.updateAccount(conn, org, r.customerId(), r.points(), 0, 0, account.tier(),
                        account.tierSince(), account.belowTierSince()))
                    .compose(v -> Outbox.record(conn, r.caller(), LoyaltyEvents.POINTS_ADJUSTED, r.customerId(), new JsonObject()
                        .put("customer_id", r.customerId().toString()).put("points", r.points()).put("reason", r.reason())
                        .put("actor", r.caller().userId()).put("points_balance", saved.balanceAfter())))
                    .map(v -> new AdjustResult(r.points(), saved.balanceAfter(), false));
              });
            }))));
  }

  public Future<TierInfo> tier(Caller caller, UUID customerId) {
    return account(caller, customerId).map(AccountView::tier);
  }

  public Future<AccountView> account(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId).compose(s -> ledger.program(conn, org))
        .compose(program -> ledger.account(conn, org, customerId).compose(account -> {
          LoyaltyAccount a = account != null ? account
              : new LoyaltyAccount(customerId, 0, 0, 0, program.tiers().get(0).code(), now, null);
          return ledger.qualifying(conn, org, customerId, windowStart(program, now))
              .compose(qualifying -> ledger.expiring(conn, org, customerId, now.plus(Duration.ofDays(30))).map(expiring -> {
                Tier tier = program.tier(a.tier());
                Tier next = program.next(a.tier());
                TierInfo info = new TierInfo(tier.code(), a.balance(), program.effectiveMultiplier(tier.code()), tier.benefits(),
                    next == null ? null : next.code(), next == null ? 0 : Math.max(0, next.threshold() - qualifying));
                return new AccountView(customerId, a.balance(), a.held(), a.available(), a.lifetimeEarned(), qualifying, info,
                    Math.min(expiring, a.balance()), program.discountFor(a.available()));
              }));
        })));
  }

  public Future<LoyaltyMessages.LedgerPage> ledger(LoyaltyMessages.LedgerQuery q) {
    UUID org = q.caller().organizationId();
    return db.withTenant(org, conn -> requireCustomer(conn, org, q.customerId())
        .compose(s -> ledger.page(conn, org, q.customerId(), q.beforeId(), q.limit() + 1))
        .map(entries -> {
          boolean more = entries.size() > q.limit();
          List<LedgerEntry> page = more ? entries.subList(0, q.limit()) : entries;
          return new LoyaltyMessages.LedgerPage(List.copyOf(page), more ? page.get(page.size() - 1).id() : null);
        }));
  }

  public Future<LoyaltyProgram> program(Caller caller) {
    return db.withTenant(caller.organizationId(), conn -> ledger.program(conn, caller.organizationId()));
  }

  public Future<LoyaltyProgram> saveProgram(Caller caller, LoyaltyProgram program) {
    LoyaltyProgram valid = program.validated();
    return db.withTenant(caller.organizationId(), conn -> ledger.saveProgram(conn, caller.organizationId(), valid, caller.userId())
        .map(valid));
  }

  public PunchCards punchCards() {
    return punchCards;
  }

  public Db db() {
    return db;
  }

  // ---- scheduled work -------------------------------------------------------------------------

  /** What one bounded batch of scheduled work did: its figure, the last account it examined, how many. */
  public record Batch(long count, UUID last, int examined) {}

  /** Writes expiry entries for points past their date, oldest first; held points wait for their hold. */
  public Future<Long> expirePoints(UUID org) {
    return expirePoints(org, null, 0L, LoyaltyJobs.DEFAULT_BATCH);
  }

  private Future<Long> expirePoints(UUID org, UUID after, long total, int batch) {
    return expirePointsBatch(org, after, batch).compose(b -> b.examined() < batch ? Future.succeededFuture(total + b.count())
        : expirePoints(org, b.last(), total + b.count(), batch));
  }

  /**
   * Expiry for the next {@code customers} accounts after {@code after} (null: from the start), in
   * one transaction: only those accounts are locked meanwhile, and their cached views are dropped
   * after the commit, so a read in between cannot cache the old balance again.
   */
  public Future<Batch> expirePointsBatch(UUID org, UUID after, int customers) {
    Caller system = LoyaltyJobs.system(org);
    Instant now = clock.instant();
    java.util.Set<UUID> changed = new java.util.LinkedHashSet<>();
    java.util.Set<UUID> examined = new java.util.HashSet<>();
    UUID[] last = {null};
    return db.withTenant(org, conn -> ledger.expiredLots(conn, org, now, after, customers).compose(lots -> {
      Future<Long> chain = Future.succeededFuture(0L);
      for (PointsLedger.ExpiredLot lot : lots) {
        examined.add(lot.customerId());
        last[0] = lot.customerId();
        chain = chain.compose(total -> ledger.lockAccount(conn, org, lot.customerId(), "bronze", now).compose(account -> {
          long expire = Math.min(lot.remaining(), account.available());
          if (expire <= 0) {
            return Future.succeededFuture(total);
          }
          LedgerEntry entry = new LedgerEntry(0, lot.customerId(), LedgerEntry.EXPIRE, -expire, 0, account.balance() - expire, null,
              "lot " + lot.ledgerId(), lot.customerId() + "|" + expire, null, "points expired", "system", 0, account.tier(), false, now);
          return ledger.append(conn, org, entry, "expire:" + lot.ledgerId() + ":" + lot.remaining())
              .compose(saved -> saved == null ? Future.succeededFuture(total)
                  : ledger.consume(conn, org, lot.customerId(), expire, lot.ledgerId())
                      .compose(t -> ledger.updateAccount(conn, org, lot.customerId(), -expire, 0, 0, account.tier(),
                          account.tierSince(), account.belowTierSince()))
                      .compose(v -> Outbox.record(conn, system, LoyaltyEvents.POINTS_EXPIRED, lot.customerId(), new JsonObject()
                          .put("customer_id", lot.customerId().toString()).put("points", expire)
                          .put("points_balance", account.balance() - expire)))
                      .map(v -> {
                        changed.add(lot.customerId());
                        return total + expire;
                      }));
        }));
      }
      return chain;
    })).compose(total -> customersChanged(org, changed).map(new Batch(total, last[0], examined.size())));
  }

  /** Gives back the points of holds nobody captured or cancelled in time. */
  public Future<Integer> expireHolds(UUID org) {
    Caller system = LoyaltyJobs.system(org);
    return db.withTenant(org, conn -> ledger.dueHolds(conn, org, clock.instant()))
        .compose(ids -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (UUID id : ids) {
            chain = chain.compose(n -> closeHold(system, id, Hold.EXPIRED).map(n + 1)
                .recover(e -> Future.succeededFuture(n)));
          }
          return chain;
        });
  }

  /**
   * Periodic tier review: an account whose qualifying points fell below its tier's threshold is
   * marked, and after the grace period goes down one tier (never more per review).
   */
  public Future<Integer> reviewTiers(UUID org) {
    return reviewTiers(org, null, 0, LoyaltyJobs.DEFAULT_BATCH);
  }

  private Future<Integer> reviewTiers(UUID org, UUID after, int total, int batch) {
    return reviewTiersBatch(org, after, batch).compose(b -> b.examined() < batch
        ? Future.succeededFuture(total + (int) b.count()) : reviewTiers(org, b.last(), total + (int) b.count(), batch));
  }

  /** The tier review of the next {@code accounts} accounts after {@code after}, in one transaction; caches dropped after commit. */
  public Future<Batch> reviewTiersBatch(UUID org, UUID after, int accounts) {
    Caller system = LoyaltyJobs.system(org);
    Instant now = clock.instant();
    java.util.Set<UUID> changed = new java.util.LinkedHashSet<>();
    int[] examined = {0};
    UUID[] last = {null};
    return db.withTenant(org, conn -> ledger.program(conn, org).compose(program ->
        ledger.accountsAboveFirstTier(conn, org, program.tiers().get(0).code(), after, accounts).compose(ids -> {
          examined[0] = ids.size();
          last[0] = ids.isEmpty() ? null : ids.get(ids.size() - 1);
          Future<Integer> chain = Future.succeededFuture(0);
          for (UUID id : ids) {
            chain = chain.compose(n -> ledger.lockAccount(conn, org, id, "bronze", now).compose(account ->
                ledger.qualifying(conn, org, id, windowStart(program, now)).compose(qualifying -> {
                  Tier tier = program.tier(account.tier());
                  if (qualifying >= tier.threshold()) {
                    return account.belowTierSince() == null ? Future.succeededFuture(n)
                        : ledger.updateAccount(conn, org, id, 0, 0, 0, tier.code(), account.tierSince(), null).map(n);
                  }
                  if (account.belowTierSince() == null) {
                    return ledger.updateAccount(conn, org, id, 0, 0, 0, tier.code(), account.tierSince(), now).map(n);
                  }
                  if (account.belowTierSince().plus(Duration.ofDays(program.downgradeGraceDays())).isAfter(now)) {
                    return Future.succeededFuture(n);
                  }
                  Tier lower = program.previous(tier.code());
                  Instant stillBelow = qualifying < lower.threshold() ? now : null;
                  return ledger.updateAccount(conn, org, id, 0, 0, 0, lower.code(), now, stillBelow)
                      .compose(v -> Outbox.record(conn, system, LoyaltyEvents.TIER_DOWNGRADED, id, new JsonObject()
                          .put("customer_id", id.toString()).put("from_tier", tier.code()).put("to_tier", lower.code())
                          .put("qualifying_points", qualifying)))
                      .map(v -> {
                        changed.add(id);
                        return n + 1;
                      });
                })));
          }
          return chain;
        })))
        .compose(n -> customersChanged(org, changed).map(new Batch(n, last[0], examined[0])));
  }

  /** After a batch committed: each changed customer's cached view is dropped (a cache outage fails none of them). */
  private Future<Void> customersChanged(UUID org, java.util.Collection<UUID> customers) {
    Future<Void> chain = Future.succeededFuture();
    for (UUID id : customers) {
      chain = chain.compose(v -> listener.customerChanged(org, id).recover(e -> Future.succeededFuture()));
    }
    return chain;
  }

  public Future<List<UUID>> tenants() {
    return ledger.tenants(db.pool());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private <T> Future<T> changing(Caller caller, UUID customerId, java.util.function.Function<SqlConnection, Future<T>> work) {
    return db.withTenant(caller.organizationId(), work)
        .compose(result -> listener.customerChanged(caller.organizationId(), customerId).map(result));
  }

  private Future<String> requireCustomer(SqlConnection conn, UUID org, UUID customerId) {
    return ledger.customerStatus(conn, org, customerId).map(status -> {
      if (status == null) {
        throw ErrorCode.CUSTOMER_NOT_FOUND.exception(customerId);
      }
      return status;
    });
  }

  private Future<String> requireActiveCustomer(SqlConnection conn, UUID org, UUID customerId) {
    return requireCustomer(conn, org, customerId).map(status -> {
      if ("blocked".equals(status)) {
        throw ErrorCode.CUSTOMER_BLOCKED.exception(customerId);
      }
      return status;
    });
  }

  private static void checkRedemption(LoyaltyProgram program, long points) {
    if (points < program.minRedemption()) {
      throw DomainException.invalid("points", "must be at least " + program.minRedemption());
    }
  }

  private static void requireReference(String reference) {
    if (reference == null || reference.isBlank() || reference.length() > 100) {
      throw DomainException.invalid("reference_id", "is required (at most 100 characters)");
    }
  }

  private static void requireSameRequest(LedgerEntry existing, String hash, String what) {
    if (!existing.requestHash().equals(hash)) {
      throw ErrorCode.IDEMPOTENCY_CONFLICT.exception(what);
    }
  }

  private static EarnResult replayEarn(LedgerEntry existing, String hash, String transactionId) {
    if (!existing.requestHash().equals(hash)) {
      throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT,
          ErrorCode.IDEMPOTENCY_CONFLICT.format("transaction_id " + transactionId), "transaction_id");
    }
    return new EarnResult(existing.points(), existing.balanceAfter(), existing.tierAfter(), existing.tierUpgraded(), true);
  }

  private static Instant windowStart(LoyaltyProgram program, Instant now) {
    return now.atOffset(ZoneOffset.UTC).minusMonths(program.tierWindowMonths()).toInstant();
  }

  private static Future<Void> redeemedEvent(SqlConnection conn, Caller caller, UUID customerId, String reference, long points,
                                            BigDecimal discount, long balance) {
    return Outbox.record(conn, caller, LoyaltyEvents.POINTS_REDEEMED, customerId, new JsonObject()
        .put("customer_id", customerId.toString()).put("reference_id", reference).put("points", points)
        .put("discount_amount", discount.toPlainString()).put("points_balance", balance)).mapEmpty();
  }
}
