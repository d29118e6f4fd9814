package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.segmentation.SegmentationMessages.CustomerStatsView;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.KpiView;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.PurchaseRow;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.Rescored;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.SegmentCount;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.SegmentMember;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.CategoryShare;
import com.zenlogic.customerservice.segmentation.SegmentationMessages.Favourites;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** The REST shapes of segmentation's typed answers (the contract in openapi.yaml); amounts as decimal strings. */
final class SegmentJson {
  private SegmentJson() {}

  static JsonObject stats(CustomerStatsView v) {
    JsonObject json = new JsonObject().put("customer_id", v.customerId().toString()).put("order_count", v.purchaseCount())
        .put("total_spent", v.totalSpent().toPlainString());
    json.put("top_categories", categories(v.topCategories()));
    if (v.averageOrderValue() == null) {
      // No statistics row yet: the short form.
      return json.put("segment", v.score().segment());
    }
    return json.put("average_order_value", v.averageOrderValue().toPlainString())
        .put("first_purchase_at", text(v.firstPurchaseAt()))
        .put("last_purchase_at", text(v.lastPurchaseAt()))
        .put("mean_days_between_purchases", v.meanDaysBetweenPurchases() == null ? null : v.meanDaysBetweenPurchases().doubleValue())
        // LTV here is historical: what the customer has spent with the organization so far.
        .put("lifetime_value", v.totalSpent().toPlainString())
        .put("favourite_channel", v.favouriteChannel())
        .put("days_since_last_purchase", v.daysSinceLastPurchase())
        .put("segment", v.score().segment()).put("recency_score", v.score().recency())
        .put("frequency_score", v.score().frequency()).put("monetary_score", v.score().monetary())
        .put("vip", v.score().vip()).put("churn_risk", v.score().churnRisk());
  }

  static JsonArray categories(List<CategoryShare> top) {
    return new JsonArray(top.stream().map(c -> new JsonObject().put("category", c.category()).put("share", c.share().toPlainString())
        .put("spend", c.spend().toPlainString()).put("purchase_count", c.purchaseCount())
        .put("last_purchase_at", text(c.lastPurchaseAt()))).toList());
  }

  static JsonObject favourites(Favourites f) {
    return new JsonObject().put("customer_id", f.customerId().toString()).put("items", new JsonArray(f.items().stream()
        .map(i -> new JsonObject().put("product_id", i.productId()).put("variant_id", i.variantId()).put("name", i.name())
            .put("category", i.category()).put("times_bought", i.timesBought()).put("last_bought_at", text(i.lastBoughtAt()))
            .put("usual_quantity", i.usualQuantity().toPlainString()).put("score", i.score().toPlainString()))
        .toList()));
  }

  static JsonObject purchase(PurchaseRow r) {
    return new JsonObject().put("id", r.id()).put("source", r.source()).put("reference", r.reference())
        .put("amount", r.amount().toPlainString()).put("occurred_at", r.occurredAt().toString()).put("local_id", r.localId())
        .put("item_count", r.itemCount());
  }

  static JsonObject member(SegmentMember m) {
    return new JsonObject().put("customer_id", m.customerId().toString())
        .put("recency_score", m.recencyScore()).put("frequency_score", m.frequencyScore())
        .put("monetary_score", m.monetaryScore()).put("vip", m.vip()).put("churn_risk", m.churnRisk())
        .put("total_spent", m.totalSpent().toPlainString()).put("purchase_count", m.purchaseCount())
        .put("last_purchase_at", text(m.lastPurchaseAt()));
  }

  static JsonObject counts(List<SegmentCount> counts) {
    JsonObject json = new JsonObject();
    counts.forEach(c -> json.put(c.segment(), c.customers()));
    return json;
  }

  static JsonObject rescored(Rescored r) {
    return new JsonObject().put("counts", counts(r.counts())).put("scored", r.scored()).put("segment_changes", r.segmentChanges());
  }

  static JsonObject kpis(KpiView k) {
    return new JsonObject()
        .put("from", k.from().toString()).put("to", k.to().toString())
        .put("active_customers", k.activeCustomers())
        .put("retention_rate", k.retentionRate() == null ? null : k.retentionRate().toPlainString())
        .put("average_ltv", k.averageLtv().toPlainString())
        .put("average_order_value", k.averageOrderValue().toPlainString())
        .put("loyalty_points_issued", k.loyaltyPointsIssued())
        .put("loyalty_points_redeemed", k.loyaltyPointsRedeemed())
        .put("credit_used", k.creditUsed().toPlainString())
        .put("credit_available", k.creditAvailable().toPlainString());
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
