package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.auth.Caller;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The loyalty verticle's event-bus addresses and the typed records it exchanges with the API
 * verticles: passed by reference within a node, as versioned JSON across nodes (see platform/bus WireCodec).
 */
public final class LoyaltyMessages {
  public static final Address<Earn, EarnResult> EARN =
      Address.of("loyalty.earn", Earn.class, EarnResult.class).idempotent();
  public static final Address<Redeem, RedeemResult> REDEEM =
      Address.of("loyalty.redeem", Redeem.class, RedeemResult.class).idempotent();
  public static final Address<HoldPoints, HoldResult> HOLD =
      Address.of("loyalty.hold", HoldPoints.class, HoldResult.class).idempotent();
  public static final Address<CloseHold, HoldClosed> CAPTURE =
      Address.of("loyalty.capture", CloseHold.class, HoldClosed.class).idempotent();
  public static final Address<CloseHold, HoldClosed> CANCEL =
      Address.of("loyalty.cancel", CloseHold.class, HoldClosed.class).idempotent();
  public static final Address<Reverse, ReverseResult> REVERSE =
      Address.of("loyalty.reverse", Reverse.class, ReverseResult.class).idempotent();
  public static final Address<Transfer, TransferResult> TRANSFER =
      Address.of("loyalty.transfer", Transfer.class, TransferResult.class).idempotent();
  public static final Address<Adjust, AdjustResult> ADJUST =
      Address.of("loyalty.adjust", Adjust.class, AdjustResult.class);
  public static final Address<CustomerQuery, TierInfo> TIER =
      Address.of("loyalty.tier", CustomerQuery.class, TierInfo.class).idempotent();
  public static final Address<CustomerQuery, AccountView> ACCOUNT =
      Address.of("loyalty.account", CustomerQuery.class, AccountView.class).idempotent();
  public static final Address<LedgerQuery, LedgerPage> LEDGER =
      Address.of("loyalty.ledger", LedgerQuery.class, LedgerPage.class).idempotent();
  public static final Address<ProgramQuery, ProgramView> PROGRAM_GET =
      Address.of("loyalty.program.get", ProgramQuery.class, ProgramView.class).idempotent();
  public static final Address<ProgramUpdate, ProgramView> PROGRAM_PUT =
      Address.of("loyalty.program.put", ProgramUpdate.class, ProgramView.class);
  public static final Address<LiabilityQuery, Liability> LIABILITY =
      Address.of("loyalty.liability", LiabilityQuery.class, Liability.class).idempotent();
  public static final Address<CreatePunchProgram, PunchProgram> PUNCH_PROGRAM_CREATE =
      Address.of("loyalty.punch.program.create", CreatePunchProgram.class, PunchProgram.class);
  public static final Address<ProgramQuery, PunchPrograms> PUNCH_PROGRAMS =
      Address.of("loyalty.punch.programs", ProgramQuery.class, PunchPrograms.class).idempotent();
  public static final Address<CustomerQuery, PunchCards> PUNCH_CARDS =
      Address.of("loyalty.punch.cards", CustomerQuery.class, PunchCards.class).idempotent();
  public static final Address<RedeemReward, PunchCard> PUNCH_REDEEM =
      Address.of("loyalty.punch.redeem", RedeemReward.class, PunchCard.class).idempotent();

  public static final Address<PreviewEarn, PointsPreview> PREVIEW =
      Address.of("loyalty.preview", PreviewEarn.class, PointsPreview.class).idempotent();
  public static final Address<RulesQuery, EarningRules> RULES =
      Address.of("loyalty.rules", RulesQuery.class, EarningRules.class).idempotent();
  public static final Address<SaveRule, RuleView> RULE_SAVE =
      Address.of("loyalty.rule.save", SaveRule.class, RuleView.class);
  public static final Address<DeleteRule, RuleDeleted> RULE_DELETE =
      Address.of("loyalty.rule.delete", DeleteRule.class, RuleDeleted.class).idempotent();

  private LoyaltyMessages() {}

  /** One purchased line: whole units for punch cards, what the line cost (null without a price) for earning rules. */
  public record Item(String productId, String category, int quantity, BigDecimal lineAmount) {
    public Item(String productId, String category, int quantity) {
      this(productId, category, quantity, null);
    }
  }

  public record Earn(Caller caller, UUID customerId, String transactionId, BigDecimal amount, BigDecimal pointsRate,
                     String channel, List<Item> items) implements Bus.Local {}

  public record EarnResult(long pointsEarned, long pointsBalance, String tier, boolean tierUpgraded, boolean replayed,
                           List<AppliedRule> appliedRules) implements Bus.Local {
    public EarnResult(long pointsEarned, long pointsBalance, String tier, boolean tierUpgraded, boolean replayed) {
      this(pointsEarned, pointsBalance, tier, tierUpgraded, replayed, List.of());
    }
  }

  /** What one earning rule gave on an earn; capRemaining: what its cap still allows after it (null: no cap). */
  public record AppliedRule(UUID ruleId, String name, long points, Long capRemaining) implements Bus.Local {}

  /** The points an earn would give now, written nowhere (the POS shows it before payment). */
  public record PreviewEarn(Caller caller, UUID customerId, BigDecimal amount, BigDecimal pointsRate, List<Item> items)
      implements Bus.Local {}

  public record PointsPreview(UUID customerId, long points, long basePoints, String tier, List<AppliedRule> appliedRules)
      implements Bus.Local {}

  public record RulesQuery(Caller caller) implements Bus.Local {}

  public record EarningRules(List<EarningRule> rules) implements Bus.Local {}

  /** Create (ruleId null) or replace a rule. */
  public record SaveRule(Caller caller, UUID ruleId, EarningRule rule) implements Bus.Local {}

  public record RuleView(EarningRule rule) implements Bus.Local {}

  public record DeleteRule(Caller caller, UUID ruleId) implements Bus.Local {}

  public record RuleDeleted(UUID ruleId) implements Bus.Local {}

  public record Redeem(Caller caller, UUID customerId, long points, String referenceId, String reason) implements Bus.Local {}

  public record RedeemResult(long pointsRedeemed, BigDecimal discountAmount, long pointsBalance) implements Bus.Local {}

  public record HoldPoints(Caller caller, UUID customerId, long points, String referenceId) implements Bus.Local {}

  public record HoldResult(UUID holdId, long pointsHeld, BigDecimal discountAmount, Instant expiresAt, long pointsBalance)
      implements Bus.Local {}

  public record CloseHold(Caller caller, UUID holdId) implements Bus.Local {}

  public record HoldClosed(UUID holdId, String status, long pointsBalance) implements Bus.Local {}

  /**
   * A reversal: without returnId, amount and items the whole purchase (a void), once; with them one
   * return of a part (returnId names the return: a retry answers the first result).
   */
  public record Reverse(Caller caller, String reference, String reason, String returnId, BigDecimal amount, List<ReturnedItem> items)
      implements Bus.Local {
    public Reverse(Caller caller, String reference, String reason) {
      this(caller, reference, reason, null, null, List.of());
    }

    public Reverse {
      items = items == null ? List.of() : List.copyOf(items);
    }

    public boolean partial() {
      return returnId != null || amount != null || !items.isEmpty();
    }
  }

  /** One returned line: the product (or variant), how many and the money refunded for them. */
  public record ReturnedItem(String productId, int quantity, BigDecimal amount) {}

  /** pointsReversed: taken back by this reversal (a retry answers the same); pointsEarned: what the purchase earned. */
  public record ReverseResult(UUID customerId, long pointsReversed, long shortfall, long pointsBalance, long pointsEarned)
      implements Bus.Local {}

  public record Adjust(Caller caller, UUID customerId, long points, String reason, String idempotencyKey) implements Bus.Local {}

  public record AdjustResult(long points, long pointsBalance, boolean replayed) implements Bus.Local {}

  public record Transfer(Caller caller, String transferId, UUID fromCustomerId, UUID toCustomerId, long points, String reason)
      implements Bus.Local {}

  /** The balances are each side's right after the transfer (a replay answers the first result). */
  public record TransferResult(String transferId, UUID fromCustomerId, UUID toCustomerId, long points, long fromPointsBalance,
                               long toPointsBalance, boolean replayed) implements Bus.Local {}

  public record CustomerQuery(Caller caller, UUID customerId) implements Bus.Local {}

  public record TierInfo(String tier, long pointsBalance, BigDecimal multiplier, List<String> benefits, String nextTier,
                         long pointsToNextTier) implements Bus.Local {}

  public record AccountView(UUID customerId, long balance, long held, long available, long lifetimeEarned, long qualifyingPoints,
                            TierInfo tier, long expiringIn30Days, BigDecimal redeemableAmount, long pending) implements Bus.Local {}

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
