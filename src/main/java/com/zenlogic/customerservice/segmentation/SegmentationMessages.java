package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.auth.Caller;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The segmentation verticle's event-bus addresses and records (passed by reference within a node, versioned JSON across nodes: see platform/bus). */
public final class SegmentationMessages {
  public static final Address<CustomerQuery, Segment> SEGMENT =
      Address.of("segmentation.segment", CustomerQuery.class, Segment.class).idempotent();
  public static final Address<CustomerQuery, CustomerStatsView> STATS =
      Address.of("segmentation.stats", CustomerQuery.class, CustomerStatsView.class).idempotent();
  public static final Address<HistoryQuery, History> HISTORY =
      Address.of("segmentation.history", HistoryQuery.class, History.class).idempotent();
  public static final Address<LinesQuery, PurchaseLines> PURCHASE_LINES =
      Address.of("segmentation.purchase.lines", LinesQuery.class, PurchaseLines.class).idempotent();
  public static final Address<OrganizationQuery, SegmentCounts> SEGMENTS =
      Address.of("segmentation.segments", OrganizationQuery.class, SegmentCounts.class).idempotent();
  public static final Address<SegmentQuery, Members> SEGMENT_CUSTOMERS =
      Address.of("segmentation.segment.customers", SegmentQuery.class, Members.class).idempotent();
  public static final Address<OrganizationQuery, Rescored> RECALCULATE =
      Address.of("segmentation.recalculate", OrganizationQuery.class, Rescored.class).timeout(300_000);
  public static final Address<RecordPurchase, Recorded> RECORD_PURCHASE =
      Address.of("segmentation.purchase", RecordPurchase.class, Recorded.class).idempotent();
  public static final Address<FavouritesQuery, Favourites> FAVOURITES =
      Address.of("segmentation.favourites", FavouritesQuery.class, Favourites.class).idempotent();
  public static final Address<KpiQuery, KpiView> KPIS =
      Address.of("segmentation.kpis", KpiQuery.class, KpiView.class).idempotent();

  private SegmentationMessages() {}

  public record CustomerQuery(Caller caller, UUID customerId) implements Bus.Local {}

  /** authorization is forwarded to the Order Service when history is backfilled from it. */
  public record HistoryQuery(Caller caller, UUID customerId, java.time.Instant beforeAt, Long beforeId, int limit, String authorization) implements Bus.Local {}

  /** A page of history; partial when the Order Service could not be asked (circuit open or down). */
  public record History(List<PurchaseRow> rows, boolean partial) implements Bus.Local {}

  /** One purchase of the history, newest first. */
  public record PurchaseRow(long id, String source, String reference, BigDecimal amount, Instant occurredAt, String localId,
                            Integer itemCount) {}

  /** The lines of some of a customer's purchases (by purchase id), for a data-protection access request. */
  public record LinesQuery(Caller caller, UUID customerId, List<Long> purchaseIds) implements Bus.Local {}

  public record PurchaseLines(List<PurchaseLine> lines) implements Bus.Local {}

  /** One line of a purchase: line is its position in the purchase, from 0. */
  public record PurchaseLine(long purchaseId, int line, PurchaseItem item) {}

  public record SegmentQuery(Caller caller, String segment, UUID after, int limit) implements Bus.Local {}

  public record OrganizationQuery(Caller caller) implements Bus.Local {}

  public record RecordPurchase(Caller caller, Purchase purchase) implements Bus.Local {}

  public record KpiQuery(Caller caller, Instant from, Instant to) implements Bus.Local {}

  /** Customers per segment (segments without customers are absent). */
  public record SegmentCounts(List<SegmentCount> counts) implements Bus.Local {}

  public record SegmentCount(String segment, long customers) {}

  /** One customer of a segment's page, by customer id. */
  public record SegmentMember(UUID customerId, int recencyScore, int frequencyScore, int monetaryScore, boolean vip,
                              String churnRisk, BigDecimal totalSpent, int purchaseCount, Instant lastPurchaseAt) {}

  public record Members(List<SegmentMember> rows) implements Bus.Local {}

  /** An organization's rescoring: customers per segment after it, how many were scored, how many changed segment. */
  public record Rescored(List<SegmentCount> counts, int scored, int segmentChanges) implements Bus.Local {}

  /**
   * A customer's purchase statistics; without purchases only the id, zero counts and segment "none"
   * (purchaseCount 0, the optional figures null).
   */
  public record CustomerStatsView(UUID customerId, int purchaseCount, BigDecimal totalSpent, BigDecimal averageOrderValue,
                                  Instant firstPurchaseAt, Instant lastPurchaseAt, BigDecimal meanDaysBetweenPurchases,
                                  String favouriteChannel, Long daysSinceLastPurchase, Score score,
                                  List<CategoryShare> topCategories) implements Bus.Local {}

  /** The seed's KPIs for [from, to): see Kpis. retentionRate is null when nobody bought in the period before. */
  public record KpiView(Instant from, Instant to, long activeCustomers, BigDecimal retentionRate, BigDecimal averageLtv,
                        BigDecimal averageOrderValue, long loyaltyPointsIssued, long loyaltyPointsRedeemed, BigDecimal creditUsed,
                        BigDecimal creditAvailable) implements Bus.Local {}

  /**
   * A customer's segment for Pricing and Marketing: the RFM score, the customer's price group (B2B
   * volume terms, null when none) and the categories they spend most on.
   */
  public record Segment(Score score, String priceGroup, List<CategoryShare> topCategories) implements Bus.Local {}

  /** A category's spend in the window, its share of the priced item spend (scale 4), purchases and latest purchase. */
  public record CategoryShare(String category, BigDecimal share, BigDecimal spend, int purchaseCount, Instant lastPurchaseAt) {}

  public record FavouritesQuery(Caller caller, UUID customerId, int limit) implements Bus.Local {}

  /** One usual item: what it is, how often and how recently bought, the usual quantity and the rank score (scale 4). */
  public record Favourite(String productId, String variantId, String name, String category, int timesBought, Instant lastBoughtAt,
                          BigDecimal usualQuantity, BigDecimal score) {}

  public record Favourites(UUID customerId, List<Favourite> items) implements Bus.Local {}

  public record Recorded(boolean isNew) implements Bus.Local {}
}
