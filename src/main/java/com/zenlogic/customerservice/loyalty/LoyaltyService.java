package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.customer.CustomerDirectory;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AccountView;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AdjustResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.EarnResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.HoldClosed;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.HoldResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.RedeemResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ReverseResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.TierInfo;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The loyalty capability's entry point: earning, redemption (direct or two-phase), reversal,
 * adjustment, tiers and expiry. Each operation is one tenant transaction; the rules live in
 * PointsMovements, Holds, PointsExpiry and TierReview, the posting sequence in Postings. After a
 * change commits, the customer's cached view is dropped.
 */
public final class LoyaltyService {
  private final Db db;
  private final PointsLedger ledger = new PointsLedger();
  private final PunchCards punchCards = new PunchCards();
  private final EarningRules rules = new EarningRules();
  private final CustomerChangeListener listener;
  private final Clock clock;
  private final PointsMovements movements;
  private final Holds holds;
  private final PointsExpiry expiry;
  private final TierReview tierReview;
  private final PendingPoints pending;
  private final PointsTransfers transfers;
  private final ExpiringNotices expiringNotices;

  public LoyaltyService(Db db, CustomerChangeListener listener, Clock clock) {
    this.db = db;
    this.listener = listener;
    this.clock = clock;
    Postings postings = new Postings(ledger);
    CacheDrop caches = new CacheDrop(listener);
    this.movements = new PointsMovements(ledger, postings, punchCards, rules, clock);
    this.holds = new Holds(db, ledger, postings, listener, clock);
    this.expiry = new PointsExpiry(db, ledger, postings, caches, clock);
    this.tierReview = new TierReview(db, ledger, caches, clock);
    this.pending = new PendingPoints(db, ledger, postings, caches, clock);
    this.transfers = new PointsTransfers(ledger, postings, clock);
    this.expiringNotices = new ExpiringNotices(db, ledger, clock);
  }

  public Future<EarnResult> earn(LoyaltyMessages.Earn r) {
    return changing(r.caller(), r.customerId(), conn -> earnIn(conn, r));
  }

  /** Earn inside the caller's tenant transaction (event consumers add their inbox row to it). */
  public Future<EarnResult> earnIn(SqlConnection conn, LoyaltyMessages.Earn r) {
    return movements.earn(conn, r);
  }

  public Future<RedeemResult> redeem(LoyaltyMessages.Redeem r) {
    PointsMovements.requireReference(r.referenceId());
    return changing(r.caller(), r.customerId(), conn -> movements.redeem(conn, r));
  }

  public Future<HoldResult> hold(LoyaltyMessages.HoldPoints r) {
    PointsMovements.requireReference(r.referenceId());
    return changing(r.caller(), r.customerId(), conn -> holds.hold(conn, r));
  }

  /** Turns a hold into a redemption; capturing twice answers the first capture. */
  public Future<HoldClosed> capture(LoyaltyMessages.CloseHold r) {
    return holds.close(r.caller(), r.holdId(), Hold.CAPTURED);
  }

  /** Gives the held points back; cancelling twice (or after expiry) answers the same. */
  public Future<HoldClosed> cancel(LoyaltyMessages.CloseHold r) {
    return holds.close(r.caller(), r.holdId(), Hold.CANCELLED);
  }

  /**
   * Takes back the points a transaction or order earned (void, order.cancelled) or a return's part of
   * them; see PointsMovements.reverse. A whole reversal (a void) also gives back the points spent on
   * that sale (refundIn), in the same transaction.
   */
  public Future<ReverseResult> reverse(LoyaltyMessages.Reverse r) {
    try {
      PointsMovements.checkReverse(r);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    UUID org = r.caller().organizationId();
    return db.withTenant(org, conn -> reverseIn(conn, r).compose(result -> r.partial() ? Future.succeededFuture(result)
            : refundIn(conn, r.caller(), r.reference(), r.reason() == null ? "sale voided" : r.reason()).map(result)))
        .compose(result -> listener.customerChanged(org, result.customerId()).map(result));
  }

  /**
   * Inside the caller's tenant transaction: gives back, once, the points redeemed under
   * {@code reference} (a cancelled order, a voided sale); answers the points given back now.
   * The caller invalidates the customer's cache after commit.
   */
  public Future<Long> refundIn(SqlConnection conn, Caller caller, String reference, String reason) {
    return movements.refund(conn, caller, reference, reason);
  }

  /** Reverse inside the caller's tenant transaction; the caller invalidates the customer's cache after commit. */
  public Future<ReverseResult> reverseIn(SqlConnection conn, LoyaltyMessages.Reverse r) {
    return movements.reverse(conn, r);
  }

  /** An admin's correction, positive or negative, with a reason; never below zero. */
  public Future<AdjustResult> adjust(LoyaltyMessages.Adjust r) {
    String key = PointsMovements.adjustKey(r);
    return changing(r.caller(), r.customerId(), conn -> movements.adjust(conn, r, key));
  }

  /** Moves available points to another customer of the organization (see PointsTransfers); both cached views are dropped. */
  public Future<LoyaltyMessages.TransferResult> transfer(LoyaltyMessages.Transfer r) {
    try {
      PointsTransfers.validate(r);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    UUID org = r.caller().organizationId();
    return db.withTenant(org, conn -> transfers.transfer(conn, r))
        .compose(result -> listener.customerChanged(org, r.fromCustomerId())
            .compose(v -> listener.customerChanged(org, r.toCustomerId())).map(result));
  }

  public Future<TierInfo> tier(Caller caller, UUID customerId) {
    return account(caller, customerId).map(AccountView::tier);
  }

  public Future<AccountView> account(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> CustomerDirectory.require(conn, org, customerId).compose(s -> ledger.program(conn, org))
        .compose(program -> ledger.account(conn, org, customerId).compose(account -> {
          LoyaltyAccount a = account != null ? account
              : new LoyaltyAccount(customerId, 0, 0, 0, program.firstTier(), now, null);
          return ledger.qualifying(conn, org, customerId, program.tierWindowStart(now))
              .compose(qualifying -> ledger.expiring(conn, org, customerId, now.plus(Duration.ofDays(30))).map(expiring -> {
                Tier tier = program.tier(a.tier());
                Tier next = program.next(a.tier());
                TierInfo info = new TierInfo(tier.code(), a.balance(), program.effectiveMultiplier(tier.code()), tier.benefits(),
                    next == null ? null : next.code(), next == null ? 0 : Math.max(0, next.threshold() - qualifying));
                return new AccountView(customerId, a.balance(), a.held(), a.available(), a.lifetimeEarned(), qualifying, info,
                    Math.min(expiring, a.balance()), program.discountFor(a.available()), a.pending());
              }));
        })));
  }

  public Future<LoyaltyMessages.LedgerPage> ledger(LoyaltyMessages.LedgerQuery q) {
    UUID org = q.caller().organizationId();
    return db.withTenant(org, conn -> CustomerDirectory.require(conn, org, q.customerId())
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

  /**
   * The points an earn would give now, with the rules that would apply and what their caps leave, in a
   * read-only transaction: no ledger row, no outbox row, no account lock (the POS asks before payment).
   */
  public Future<LoyaltyMessages.PointsPreview> preview(LoyaltyMessages.PreviewEarn r) {
    if (r.amount() == null || r.amount().signum() < 0) {
      throw com.zenlogic.customerservice.platform.errors.DomainException.invalid("amount", "must not be negative");
    }
    UUID org = r.caller().organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> conn.query("SET TRANSACTION READ ONLY").execute()
        .compose(v -> CustomerDirectory.require(conn, org, r.customerId()))
        .compose(s -> ledger.program(conn, org))
        .compose(program -> ledger.account(conn, org, r.customerId()).compose(account -> {
          String tier = account == null ? program.firstTier() : account.tier();
          return rules.evaluate(conn, org, program, r.customerId(), tier, r.amount(), r.pointsRate(), r.items(), now)
              .map(e -> new LoyaltyMessages.PointsPreview(r.customerId(), e.points(), e.basePoints(), tier, e.applied()));
        })));
  }

  public Future<List<EarningRule>> earningRules(Caller caller) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> rules.list(conn, org));
  }

  /** Creates ({@code id} null) or replaces a rule, checked against the program's tiers. */
  public Future<EarningRule> saveEarningRule(Caller caller, UUID id, EarningRule rule) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> ledger.program(conn, org).compose(program -> {
      EarningRule valid = rule.validated(program);
      return id == null ? rules.create(conn, org, valid, caller.userId()) : rules.replace(conn, org, id, valid, caller.userId());
    }));
  }

  public Future<Void> deleteEarningRule(Caller caller, UUID id) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> rules.delete(conn, org, id));
  }

  public PunchCards punchCards() {
    return punchCards;
  }

  public Db db() {
    return db;
  }

  /** What one bounded batch of scheduled work did: its figure, the last account it examined, how many. */
  public record Batch(long count, UUID last, int examined) {

    /** Batch after batch of {@code size} from the start, until one examines fewer: the sum of their figures. */
    static Future<Long> all(int size, Function<UUID, Future<Batch>> next) {
      return all(size, next, null, 0L);
    }

    private static Future<Long> all(int size, Function<UUID, Future<Batch>> next, UUID after, long total) {
      return next.apply(after).compose(b -> b.examined() < size ? Future.succeededFuture(total + b.count())
          : all(size, next, b.last(), total + b.count()));
    }
  }

  /** Writes expiry entries for points past their date, oldest first; held points wait for their hold. */
  public Future<Long> expirePoints(UUID org) {
    return expiry.expire(org);
  }

  /** Expiry for the next {@code customers} accounts after {@code after} (null: from the start), one transaction. */
  public Future<Batch> expirePointsBatch(UUID org, UUID after, int customers) {
    return expiry.batch(org, after, customers);
  }

  /** Publishes loyalty.points.expiring for every lot now within the program's notice days, once per lot. */
  public Future<Long> notifyExpiringPoints(UUID org, int batch) {
    return expiringNotices.notifyAll(org, batch);
  }

  /** Gives back the points of holds nobody captured or cancelled in time. */
  public Future<Integer> expireHolds(UUID org) {
    return holds.expire(org);
  }

  /** Periodic tier review (see TierReview), every account above the first tier. */
  public Future<Integer> reviewTiers(UUID org) {
    return tierReview.review(org);
  }

  /** The tier review of the next {@code accounts} accounts after {@code after}, one transaction. */
  public Future<Batch> reviewTiersBatch(UUID org, UUID after, int accounts) {
    return tierReview.batch(org, after, accounts);
  }

  /** Makes spendable the pending points whose return window is over (see PendingPoints). */
  public Future<Long> releasePendingPoints(UUID org) {
    return pending.release(org);
  }

  /** The release of the next {@code customers} accounts after {@code after}, one transaction. */
  public Future<Batch> releasePendingPointsBatch(UUID org, UUID after, int customers) {
    return pending.batch(org, after, customers);
  }

  public Future<List<UUID>> tenants() {
    return ledger.tenants(db.pool());
  }

  private <T> Future<T> changing(Caller caller, UUID customerId, Function<SqlConnection, Future<T>> work) {
    return db.withTenant(caller.organizationId(), work)
        .compose(result -> listener.customerChanged(caller.organizationId(), customerId).map(result));
  }
}
