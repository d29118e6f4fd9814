package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.auth.Caller;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The loyalty verticle's event-bus addresses and the typed records it exchanges with the API
 * verticles. Local to the process (see Bus): passed by reference, never serialized.
 */
public final class LoyaltyMessages {
  public static final String EARN = "loyalty.earn";
  public static final String REDEEM = "loyalty.redeem";
  public static final String HOLD = "loyalty.hold";
  public static final String CAPTURE = "loyalty.capture";
  public static final String CANCEL = "loyalty.cancel";
  public static final String REVERSE = "loyalty.reverse";
  public static final String ADJUST = "loyalty.adjust";
  public static final String TIER = "loyalty.tier";
  public static final String ACCOUNT = "loyalty.account";
  public static final String LEDGER = "loyalty.ledger";
  public static final String PROGRAM_GET = "loyalty.program.get";
  public static final String PROGRAM_PUT = "loyalty.program.put";
  public static final String LIABILITY = "loyalty.liability";
  public static final String PUNCH_PROGRAM_CREATE = "loyalty.punch.program.create";
  public static final String PUNCH_PROGRAMS = "loyalty.punch.programs";
  public static final String PUNCH_CARDS = "loyalty.punch.cards";
  public static final String PUNCH_REDEEM = "loyalty.punch.redeem";

  private LoyaltyMessages() {}

  /** One purchased line, for punch cards. */
  public record Item(String productId, String category, int quantity) {}

  public record Earn(Caller caller, UUID customerId, String transactionId, BigDecimal amount, BigDecimal pointsRate,
                     String channel, List<Item> items) implements Bus.Local {}

  public record EarnResult(long pointsEarned, long pointsBalance, String tier, boolean tierUpgraded, boolean replayed)
      implements Bus.Local {}

  public record Redeem(Caller caller, UUID customerId, long points, String referenceId, String reason) implements Bus.Local {}

  public record RedeemResult(long pointsRedeemed, BigDecimal discountAmount, long pointsBalance) implements Bus.Local {}

  public record HoldPoints(Caller caller, UUID customerId, long points, String referenceId) implements Bus.Local {}

  public record HoldResult(UUID holdId, long pointsHeld, BigDecimal discountAmount, Instant expiresAt, long pointsBalance)
      implements Bus.Local {}

  public record CloseHold(Caller caller, UUID holdId) implements Bus.Local {}

  public record HoldClosed(UUID holdId, String status, long pointsBalance) implements Bus.Local {}

  public record Reverse(Caller caller, String reference, String reason) implements Bus.Local {}

  public record ReverseResult(UUID customerId, long pointsReversed, long shortfall, long pointsBalance) implements Bus.Local {}

  public record Adjust(Caller caller, UUID customerId, long points, String reason, String idempotencyKey) implements Bus.Local {}

  public record AdjustResult(long points, long pointsBalance, boolean replayed) implements Bus.Local {}

  public record CustomerQuery(Caller caller, UUID customerId) implements Bus.Local {}

  public record TierInfo(String tier, long pointsBalance, BigDecimal multiplier, List<String> benefits, String nextTier,
                         long pointsToNextTier) implements Bus.Local {}

  public record AccountView(UUID customerId, long balance, long held, long available, long lifetimeEarned, long qualifyingPoints,
                            TierInfo tier, long expiringIn30Days, BigDecimal redeemableAmount) implements Bus.Local {}

  public record LedgerQuery(Caller caller, UUID customerId, Long beforeId, int limit) implements Bus.Local {}

  public record LedgerPage(List<LedgerEntry> entries, Long nextBeforeId) implements Bus.Local {}

  public record ProgramQuery(Caller caller) implements Bus.Local {}

  public record ProgramUpdate(Caller caller, LoyaltyProgram program) implements Bus.Local {}

  public record ProgramView(LoyaltyProgram program) implements Bus.Local {}

  public record LiabilityQuery(Caller caller, Instant from, Instant to) implements Bus.Local {}

  /** Finance's view: what the points still out there are worth, and how they moved in a period. */
  public record Liability(long pointsOutstanding, BigDecimal value, List<Bucket> byTier, List<Bucket> byExpiryMonth,
                          long issued, long redeemed, long expired, long reversed, Instant from, Instant to) implements Bus.Local {}

  public record Bucket(String key, long points, BigDecimal value) {}

  public record PunchProgram(UUID id, String name, List<String> productIds, String category, int stampsRequired, String reward,
                             boolean active) implements Bus.Local {}

  public record CreatePunchProgram(Caller caller, PunchProgram program) implements Bus.Local {}

  public record PunchPrograms(List<PunchProgram> programs) implements Bus.Local {}

  public record PunchCard(UUID programId, String name, int stamps, int stampsRequired, int rewardsAvailable, int rewardsIssued,
                          int rewardsRedeemed, String reward) implements Bus.Local {}

  public record PunchCards(List<PunchCard> cards) implements Bus.Local {}

  public record RedeemReward(Caller caller, UUID customerId, UUID programId, String reference) implements Bus.Local {}
}
