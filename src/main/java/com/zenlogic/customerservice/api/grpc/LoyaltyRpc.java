package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsResponse;
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
import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyProgram;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
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
        Decimals.money("amount", r.getAmount()), rate, "pos", List.of());
    return LoyaltyMessages.EARN.request(vertx, earn).map(e -> AddPointsResponse.newBuilder()
        .setPointsEarned(e.pointsEarned()).setPointsBalance(e.pointsBalance()).setTier(e.tier()).setTierUpgraded(e.tierUpgraded())
        .build());
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
