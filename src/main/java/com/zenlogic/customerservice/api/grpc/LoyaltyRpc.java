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
