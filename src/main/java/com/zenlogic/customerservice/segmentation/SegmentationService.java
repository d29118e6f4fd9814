package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Purchase history, statistics and RFM segments (seed 003 SegmentationEngine). A purchase updates
 * the customer's statistics and rescoring of that customer against the organization's current
 * quintile bounds in the same transaction; the whole organization is rescored set-based by the batch.
 */
public final class SegmentationService {
  public static final String SEGMENT_CHANGED = "customer.segment.changed";
  /** A purchase's weight in the favourites score halves every this many days. */
  public static final int FAVOURITES_HALF_LIFE_DAYS = 30;
  public static final int FAVOURITES_DEFAULT_LIMIT = 10;
  public static final int FAVOURITES_MAX_LIMIT = 50;
  /** Categories returned with the segment and the statistics. */
  public static final int TOP_CATEGORIES = 5;

  private final Db db;
  private final SegmentRepository repo = new SegmentRepository();
  private final Clock clock;
  private final SegmentPolicy policy;

  public SegmentationService(Db db, Clock clock) {
    this(db, clock, SegmentPolicy.DEFAULT);
  }

  public SegmentationService(Db db, Clock clock, SegmentPolicy policy) {
    this.db = db;
    this.clock = clock;
    this.policy = policy;
  }

  /** Records a purchase once (by reference) and rescores its customer; answers whether it was new. */
  public Future<Boolean> recordPurchaseIn(SqlConnection conn, Caller caller, Purchase p) {
    UUID org = caller.organizationId();
    return repo.insertPurchase(conn, org, p).compose(isNew -> !isNew ? Future.succeededFuture(false)
        : repo.addToStats(conn, org, p).compose(v -> rescoreIn(conn, caller, p.customerId())).map(true));
  }

  /**
   * A cancelled order or sale (reference "order:<id>") leaves the history, the statistics and so
   * RFM: the purchase is removed, the customer's statistics recomputed and rescored. Answers
   * whether there was such a purchase.
   */
  public Future<Boolean> cancelPurchaseIn(SqlConnection conn, Caller caller, String reference) {
    UUID org = caller.organizationId();
    return repo.deletePurchase(conn, org, reference).compose(customer -> customer == null ? Future.succeededFuture(false)
        : repo.recomputeStats(conn, org, customer).compose(v -> rescoreIn(conn, caller, customer)).map(true));
  }

  public Future<Boolean> recordPurchase(Caller caller, Purchase p) {
    return db.withTenant(caller.organizationId(), conn -> requireCustomer(conn, caller.organizationId(), p.customerId())
        .compose(v -> recordPurchaseIn(conn, caller, p)));
  }

  /** Records several purchases of one organization in one transaction (history backfill). */
  public Future<Integer> recordPurchases(Caller caller, java.util.List<Purchase> purchases) {
    if (purchases.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return db.withTenant(caller.organizationId(), conn -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Purchase p : purchases) {
        chain = chain.compose(n -> recordPurchaseIn(conn, caller, p).map(isNew -> isNew ? n + 1 : n));
      }
      return chain;
    });
  }

  /** One customer against the current bounds; without bounds yet, the whole (small, new) organization. */
  public Future<Score> rescoreIn(SqlConnection conn, Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return repo.bounds(conn, org).compose(bounds -> {
      if (bounds == null) {
        return recalculateIn(conn, caller).compose(counts -> repo.stats(conn, org, customerId)).map(CustomerStats::score);
      }
      return repo.stats(conn, org, customerId).compose(stats -> repo.window(conn, org, customerId,
              now.minus(Duration.ofDays(bounds.windowDays())))
          .compose(w -> repo.tier(conn, org, customerId).compose(tier -> {
            boolean platinum = policy.vipIncludesPlatinum() && "platinum".equals(tier);
            Score score;
            String churn = SegmentRules.churn(stats.purchaseCount(), stats.firstPurchaseAt(), stats.lastPurchaseAt(), now, policy);
            if (w.count() == 0) {
              score = new Score(0, 0, 0, stats.lastPurchaseAt() != null ? SegmentRules.LOST : SegmentRules.NONE, platinum, churn);
            } else {
              int r = bounds.recencyScore(w.last(), customerId);
              int f = bounds.frequencyScore(w.count(), customerId);
              int m = bounds.monetaryScore(w.total(), customerId);
              score = new Score(r, f, m, SegmentRules.segment(r, f), platinum || bounds.vip(w.total(), customerId), churn);
            }
            Future<Void> event = score.segment().equals(stats.score().segment()) ? Future.succeededFuture()
                : Outbox.record(conn, caller, SEGMENT_CHANGED, customerId, new JsonObject().put("customer_id", customerId.toString())
                    .put("previous_segment", stats.score().segment()).put("segment", score.segment())
                    .put("recency_score", score.recency()).put("frequency_score", score.frequency())
                    .put("monetary_score", score.monetary()).put("vip", score.vip())).mapEmpty();
            return event.compose(v -> repo.saveScore(conn, org, customerId, score, now)).map(score);
          })));
    });
  }

  /** The whole organization, set-based; answers the count of customers per segment. */
  public Future<SegmentationMessages.Rescored> recalculate(Caller caller) {
    return db.withTenant(caller.organizationId(), conn -> recalculateIn(conn, caller));
  }

  private Future<SegmentationMessages.Rescored> recalculateIn(SqlConnection conn, Caller caller) {
    Instant now = clock.instant();
    return repo.rescore(conn, caller.organizationId(), now.minus(Duration.ofDays(policy.windowDays())), now, policy,
            caller.correlationId())
        .compose(result -> repo.saveBounds(conn, caller.organizationId(), policy.windowDays(), result, now)
            .map(v -> {
              java.util.List<SegmentationMessages.SegmentCount> counts = new java.util.ArrayList<>();
              result.getJsonObject("counts").forEach(e -> counts.add(new SegmentationMessages.SegmentCount(e.getKey(),
                  ((Number) e.getValue()).longValue())));
              return new SegmentationMessages.Rescored(counts, result.getInteger("scored"), result.getInteger("events"));
            }));
  }

  public Future<Score> segment(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId).compose(v -> repo.stats(conn, org, customerId)))
        .map(stats -> stats == null ? new Score(0, 0, 0, SegmentRules.NONE, false, "low") : stats.score());
  }

  /** What Pricing asks (GetCustomerSegment): the score, the price group and the top categories, one snapshot. */
  public Future<SegmentationMessages.Segment> segmentForPricing(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> com.zenlogic.customerservice.customer.CustomerDirectory.priceGroup(conn, org, customerId)
        .compose(group -> repo.stats(conn, org, customerId).compose(stats -> topCategoriesIn(conn, org, customerId)
            .map(top -> new SegmentationMessages.Segment(stats == null ? new Score(0, 0, 0, SegmentRules.NONE, false, "low") : stats.score(),
                group, top)))));
  }

  /**
   * The customer's usual items for a one-tap re-order: items bought in the window, ranked by
   * sum(0.5 ^ (whole days since each purchase that contained it / 30)), then latest purchase.
   */
  public Future<SegmentationMessages.Favourites> favourites(Caller caller, UUID customerId, int limit) {
    if (limit < 1 || limit > FAVOURITES_MAX_LIMIT) {
      throw com.zenlogic.customerservice.platform.errors.DomainException.invalid("limit", "must be 1 to " + FAVOURITES_MAX_LIMIT);
    }
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId)
        .compose(v -> repo.favourites(conn, org, customerId, now, FAVOURITES_HALF_LIFE_DAYS, now.minus(Duration.ofDays(policy.windowDays())),
            limit)))
        .map(items -> new SegmentationMessages.Favourites(customerId, items));
  }

  private Future<java.util.List<SegmentationMessages.CategoryShare>> topCategoriesIn(SqlConnection conn, UUID org, UUID customerId) {
    return repo.topCategories(conn, org, customerId, clock.instant().minus(Duration.ofDays(policy.windowDays())), TOP_CATEGORIES);
  }

  public Future<SegmentationMessages.CustomerStatsView> stats(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    Instant now = clock.instant();
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId).compose(v -> repo.stats(conn, org, customerId))
            .compose(s -> topCategoriesIn(conn, org, customerId).map(top -> statsView(customerId, s, top, now))));
  }

  private static SegmentationMessages.CustomerStatsView statsView(UUID customerId, CustomerStats s,
                                                                  java.util.List<SegmentationMessages.CategoryShare> top, Instant now) {
    if (s == null) {
      return new SegmentationMessages.CustomerStatsView(customerId, 0, new BigDecimal("0.00"), null, null, null, null, null,
          null, new Score(0, 0, 0, SegmentRules.NONE, false, null), top);
    }
    BigDecimal aov = s.purchaseCount() == 0 ? BigDecimal.ZERO
        : s.totalSpent().divide(BigDecimal.valueOf(s.purchaseCount()), 2, java.math.RoundingMode.HALF_UP);
    // Mean interval in days, one decimal: seconds between first and last over the gaps.
    BigDecimal meanDays = s.purchaseCount() < 2 ? null
        : BigDecimal.valueOf(Duration.between(s.firstPurchaseAt(), s.lastPurchaseAt()).toSeconds())
            .divide(BigDecimal.valueOf(86_400L * (s.purchaseCount() - 1)), 1, java.math.RoundingMode.HALF_UP);
    return new SegmentationMessages.CustomerStatsView(customerId, s.purchaseCount(), s.totalSpent(), aov,
        s.firstPurchaseAt(), s.lastPurchaseAt(), meanDays,
        s.posCount() >= s.orderCount() ? (s.posCount() == 0 ? null : "pos") : "order",
        s.lastPurchaseAt() == null ? null : Duration.between(s.lastPurchaseAt(), now).toDays(), s.score(), top);
  }

  /** Newest first; a page after (beforeAt, beforeId) continues strictly below that position, both null for the first page. */
  public Future<java.util.List<SegmentationMessages.PurchaseRow>> history(Caller caller, UUID customerId, Instant beforeAt, Long beforeId, int limit) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId)
        .compose(v -> repo.history(conn, org, customerId, beforeAt, beforeId, limit)));
  }

  /** The lines of the named purchases of a customer, newest purchase first, in line order. */
  public Future<java.util.List<SegmentationMessages.PurchaseLine>> purchaseLines(Caller caller, UUID customerId, java.util.List<Long> purchaseIds) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId)
        .compose(v -> repo.purchaseLines(conn, org, customerId, purchaseIds)));
  }

  public Future<java.util.List<SegmentationMessages.SegmentCount>> segments(Caller caller) {
    return db.withTenant(caller.organizationId(), conn -> repo.segmentCounts(conn, caller.organizationId()));
  }

  public Future<java.util.List<SegmentationMessages.SegmentMember>> segmentCustomers(Caller caller, String segment, UUID after, int limit) {
    if (!SegmentRules.SEGMENTS.contains(segment)) {
      throw com.zenlogic.customerservice.platform.errors.DomainException.invalid("segment", "must be one of " + SegmentRules.SEGMENTS);
    }
    return db.withTenant(caller.organizationId(), conn -> repo.segmentPage(conn, caller.organizationId(), segment, after, limit));
  }

  public Future<java.util.List<UUID>> tenants() {
    return repo.tenants(db.pool());
  }

  private static Future<Void> requireCustomer(SqlConnection conn, UUID org, UUID customerId) {
    return com.zenlogic.customerservice.customer.CustomerDirectory.require(conn, org, customerId).mapEmpty();
  }
}
