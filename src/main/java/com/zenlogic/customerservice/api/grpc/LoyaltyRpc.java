package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.AppliedEarningRule;
import com.zenlogic.customerservice.api.grpc.v1.CalculatePointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CalculatePointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.LoyaltyItem;
import com.zenlogic.customerservice.segmentation.PurchaseItem;
import com.zenlogic.customerservice.segmentation.PurchaseItems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.zenlogic.customerservice.api.grpc.v1.GetLoyaltyTierRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetLoyaltyTierResponse;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.LoyaltyHoldRequest;
import com.zenlogic.customerservice.api.grpc.v1.LoyaltyHoldResponse;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.ReturnedItem;
import com.zenlogic.customerservice.api.grpc.v1.ReverseLoyaltyPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.ReverseLoyaltyPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.TransferPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.TransferPointsResponse;
import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyProgram;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** Loyalty RPCs: translate, send to the loyalty verticle over the event bus, translate back. */
final class LoyaltyRpc {
  static final Permission READ = Permission.LOYALTY_READ;
  static final Permission WRITE = Permission.LOYALTY_WRITE;

  private final Vertx vertx;

  LoyaltyRpc(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<AddPointsResponse> addPoints(Caller caller, AddPointsRequest r) {
    // 0 is proto3's "not set": the program's rate applies.
    BigDecimal rate = r.getPointsRate() == 0 ? null : Decimals.rate("points_rate", r.getPointsRate(), 4, LoyaltyProgram.MAX_RATE);
    LoyaltyMessages.Earn earn = new LoyaltyMessages.Earn(caller, Ids.parse("customer_id", r.getCustomerId()), r.getTransactionId(),
        Decimals.money("amount", r.getAmount()), rate, "pos", items(r.getItemsList()));
    return LoyaltyMessages.EARN.request(vertx, earn).map(e -> AddPointsResponse.newBuilder()
        .setPointsEarned(e.pointsEarned()).setPointsBalance(e.pointsBalance()).setTier(e.tier()).setTierUpgraded(e.tierUpgraded())
        .addAllAppliedRules(applied(e.appliedRules())).build());
  }

  Future<CalculatePointsResponse> calculate(Caller caller, CalculatePointsRequest r) {
    BigDecimal rate = r.getPointsRate() == 0 ? null : Decimals.rate("points_rate", r.getPointsRate(), 4, LoyaltyProgram.MAX_RATE);
    LoyaltyMessages.PreviewEarn q = new LoyaltyMessages.PreviewEarn(caller, Ids.parse("customer_id", r.getCustomerId()),
        Decimals.money("amount", r.getAmount()), rate, items(r.getItemsList()));
    return LoyaltyMessages.PREVIEW.request(vertx, q).map(p -> CalculatePointsResponse.newBuilder()
        .setCustomerId(p.customerId().toString()).setPoints(p.points()).setBasePoints(p.basePoints()).setTier(p.tier())
        .addAllAppliedRules(applied(p.appliedRules())).build());
  }

  /** The lines through the one item reader (so a wrong line is refused naming it, e.g. items[1].unit_price). */
  private static List<LoyaltyMessages.Item> items(List<LoyaltyItem> lines) {
    if (lines.isEmpty()) {
      return List.of();
    }
    JsonArray json = new JsonArray();
    for (LoyaltyItem i : lines) {
      JsonObject j = new JsonObject().put("product_id", i.getProductId()).put("variant_id", i.getVariantId())
          .put("name", i.getName()).put("category", i.getCategory());
      if (!i.getQuantity().isEmpty()) {
        j.put("quantity", i.getQuantity());
      }
      if (!i.getUnitPrice().isEmpty()) {
        j.put("unit_price", i.getUnitPrice());
      }
      json.add(j);
    }
    List<LoyaltyMessages.Item> out = new ArrayList<>();
    for (PurchaseItem i : PurchaseItems.read("items", json)) {
      out.add(new LoyaltyMessages.Item(i.productId() != null ? i.productId() : i.variantId(), i.category(), i.wholeUnits(),
          i.lineAmount()));
    }
    return out;
  }

  private static List<AppliedEarningRule> applied(List<LoyaltyMessages.AppliedRule> applied) {
    List<AppliedEarningRule> out = new ArrayList<>();
    for (LoyaltyMessages.AppliedRule a : applied) {
      out.add(AppliedEarningRule.newBuilder().setRuleId(a.ruleId().toString()).setName(a.name()).setPoints(a.points())
          .setCapped(a.capRemaining() != null).setCapRemaining(a.capRemaining() == null ? 0 : a.capRemaining()).build());
    }
    return out;
  }

  Future<RedeemPointsResponse> redeem(Caller caller, RedeemPointsRequest r) {
    LoyaltyMessages.Redeem redeem = new LoyaltyMessages.Redeem(caller, Ids.parse("customer_id", r.getCustomerId()), r.getPoints(),
        r.getReferenceId(), r.getReason());
    return LoyaltyMessages.REDEEM.request(vertx, redeem).map(x -> RedeemPointsResponse.newBuilder()
        .setPointsRedeemed(x.pointsRedeemed()).setDiscountAmount(Amounts.wire(x.discountAmount())).setPointsBalance(x.pointsBalance())
        .build());
  }

  Future<HoldPointsResponse> hold(Caller caller, HoldPointsRequest r) {
    LoyaltyMessages.HoldPoints hold = new LoyaltyMessages.HoldPoints(caller, Ids.parse("customer_id", r.getCustomerId()), r.getPoints(),
        r.getReferenceId());
    return LoyaltyMessages.HOLD.request(vertx, hold).map(h -> HoldPointsResponse.newBuilder()
        .setHoldId(h.holdId().toString()).setPointsHeld(h.pointsHeld()).setDiscountAmount(Amounts.wire(h.discountAmount()))
        .setExpiresAt(h.expiresAt().toString()).setPointsBalance(h.pointsBalance()).build());
  }

  Future<LoyaltyHoldResponse> capture(Caller caller, LoyaltyHoldRequest r) {
    return close(caller, r, LoyaltyMessages.CAPTURE);
  }

  Future<LoyaltyHoldResponse> cancel(Caller caller, LoyaltyHoldRequest r) {
    return close(caller, r, LoyaltyMessages.CANCEL);
  }

  private Future<LoyaltyHoldResponse> close(Caller caller, LoyaltyHoldRequest r,
      Address<LoyaltyMessages.CloseHold, LoyaltyMessages.HoldClosed> address) {
    LoyaltyMessages.CloseHold close = new LoyaltyMessages.CloseHold(caller, Ids.parse("hold_id", r.getHoldId()));
    return address.request(vertx, close).map(h -> LoyaltyHoldResponse.newBuilder()
        .setHoldId(h.holdId().toString()).setStatus(h.status()).setPointsBalance(h.pointsBalance()).build());
  }

  Future<ReverseLoyaltyPointsResponse> reverse(Caller caller, ReverseLoyaltyPointsRequest r) {
    List<LoyaltyMessages.ReturnedItem> items = new java.util.ArrayList<>();
    for (ReturnedItem i : r.getItemsList()) {
      items.add(new LoyaltyMessages.ReturnedItem(i.getProductId().isEmpty() ? i.getVariantId() : i.getProductId(),
          i.getQuantity() == 0 ? 1 : i.getQuantity(), Decimals.money("items.amount", i.getAmount())));
    }
    // proto3's "not set": empty return_id and 0 amount.
    LoyaltyMessages.Reverse reverse = new LoyaltyMessages.Reverse(caller, r.getReference(), r.getReason().isEmpty() ? null : r.getReason(),
        r.getReturnId().isEmpty() ? null : r.getReturnId(), r.getAmount() == 0 ? null : Decimals.money("amount", r.getAmount()), items);
    return LoyaltyMessages.REVERSE.request(vertx, reverse).map(x -> ReverseLoyaltyPointsResponse.newBuilder()
        .setCustomerId(x.customerId().toString()).setPointsReversed(x.pointsReversed()).setShortfall(x.shortfall())
        .setPointsBalance(x.pointsBalance()).setPointsEarned(x.pointsEarned()).build());
  }

  Future<TransferPointsResponse> transfer(Caller caller, TransferPointsRequest r) {
    LoyaltyMessages.Transfer transfer = new LoyaltyMessages.Transfer(caller, r.getTransferId(),
        Ids.parse("from_customer_id", r.getFromCustomerId()), Ids.parse("to_customer_id", r.getToCustomerId()), r.getPoints(),
        r.getReason().isEmpty() ? null : r.getReason());
    return LoyaltyMessages.TRANSFER.request(vertx, transfer).map(t -> TransferPointsResponse.newBuilder()
        .setTransferId(t.transferId()).setFromCustomerId(t.fromCustomerId().toString()).setToCustomerId(t.toCustomerId().toString())
        .setPoints(t.points()).setFromPointsBalance(t.fromPointsBalance()).setToPointsBalance(t.toPointsBalance())
        .setReplayed(t.replayed()).build());
  }

  Future<GetLoyaltyTierResponse> tier(Caller caller, GetLoyaltyTierRequest r) {
    LoyaltyMessages.CustomerQuery q = new LoyaltyMessages.CustomerQuery(caller, Ids.parse("customer_id", r.getCustomerId()));
    return LoyaltyMessages.TIER.request(vertx, q).map(t -> {
      GetLoyaltyTierResponse.Builder b = GetLoyaltyTierResponse.newBuilder().setTier(t.tier()).setPointsBalance(t.pointsBalance())
          .setMultiplier(t.multiplier().doubleValue()).addAllBenefits(t.benefits()).setPointsToNextTier(t.pointsToNextTier());
      if (t.nextTier() != null) {
        b.setNextTier(t.nextTier());
      }
      return b.build();
    });
  }
}
