package com.zenlogic.customerservice.loyalty;

/** Event types this capability publishes on customer_events (routing key = type). */
public final class LoyaltyEvents {
  public static final String POINTS_EARNED = "loyalty.points.earned";
  public static final String POINTS_REDEEMED = "loyalty.points.redeemed";
  public static final String POINTS_REVERSED = "loyalty.points.reversed";
  public static final String POINTS_ADJUSTED = "loyalty.points.adjusted";
  public static final String POINTS_EXPIRED = "loyalty.points.expired";
  public static final String TIER_UPGRADED = "loyalty.tier.upgraded";
  public static final String TIER_DOWNGRADED = "loyalty.tier.downgraded";
  public static final String TIER_DOWNGRADE_WARNING = "loyalty.tier.downgrade_warning";
  public static final String POINTS_AVAILABLE = "loyalty.points.available";
  public static final String POINTS_REFUNDED = "loyalty.points.refunded";
  public static final String POINTS_TRANSFERRED_OUT = "loyalty.points.transferred_out";
  public static final String POINTS_TRANSFERRED_IN = "loyalty.points.transferred_in";
  public static final String POINTS_EXPIRING = "loyalty.points.expiring";
  public static final String PUNCH_REWARD_ISSUED = "loyalty.punch_card.reward_issued";

  private LoyaltyEvents() {}
}
