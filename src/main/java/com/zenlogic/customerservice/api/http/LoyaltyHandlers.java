package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.loyalty.LedgerEntry;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyProgram;
import com.zenlogic.customerservice.loyalty.Tier;
import com.zenlogic.customerservice.segmentation.Purchase;
import com.zenlogic.customerservice.segmentation.PurchaseItem;
import com.zenlogic.customerservice.segmentation.PurchaseItems;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** /api/v1/.../loyalty: JSON to loyalty messages on the event bus and back. */
final class LoyaltyHandlers {
  static final Permission READ = Permission.LOYALTY_READ;
  static final Permission WRITE = Permission.LOYALTY_WRITE;
  static final Permission ADMIN = Permission.LOYALTY_ADMIN;

  private final Vertx vertx;

  LoyaltyHandlers(Vertx vertx) {
    this.vertx = vertx;
  }

  void account(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, LoyaltyMessages.ACCOUNT.request(vertx, new LoyaltyMessages.CustomerQuery(caller, Requests.pathId(ctx, "id")))
        .map(LoyaltyHandlers::accountJson));
  }

  static JsonObject accountJson(LoyaltyMessages.AccountView a) {
    return new JsonObject()
        .put("customer_id", a.customerId().toString())
        .put("balance", a.balance()).put("held", a.held()).put("available", a.available()).put("pending_points", a.pending())
        .put("redeemable_amount", a.redeemableAmount().toPlainString())
        .put("lifetime_earned", a.lifetimeEarned()).put("qualifying_points", a.qualifyingPoints())
        .put("expiring_in_30_days", a.expiringIn30Days())
        .put("tier", tierJson(a.tier()));
  }

  void ledger(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    java.util.UUID customerId = Requests.pathId(ctx, "id");
    Long before = Cursors.ledger(caller.organizationId(), customerId, Requests.query(ctx, "cursor"));
    Responses.reply(ctx, LoyaltyMessages.LEDGER.request(vertx, new LoyaltyMessages.LedgerQuery(caller,
        customerId, before, Requests.integer(ctx, "limit", 50))).map(page -> {
          JsonArray items = new JsonArray();
          page.entries().forEach(e -> items.add(entryJson(e)));
          return new JsonObject().put("items", items)
              .put("next_cursor", Cursors.ledger(caller.organizationId(), customerId, page.nextBeforeId()));
        }));
  }

  void earn(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    // Read (and refused) whole before anything is written: loyalty and segmentation both take them.
    List<PurchaseItem> lines = PurchaseItems.read("items", b.getValue("items"));
    List<LoyaltyMessages.Item> items = items(lines);
    Object rate = b.getValue("points_rate");
    LoyaltyMessages.Earn earn = new LoyaltyMessages.Earn(caller, Requests.pathId(ctx, "id"), b.getString("transaction_id"),
        Decimals.money("amount", b.getValue("amount")), rate == null || "0".equals(String.valueOf(rate)) ? null : Decimals.rate("points_rate", rate, 4, LoyaltyProgram.MAX_RATE),
        b.getString("channel", "api"), items);
    Responses.reply(ctx, LoyaltyMessages.EARN.request(vertx, earn)
        .compose(e -> lines.isEmpty() ? io.vertx.core.Future.succeededFuture(e) : keepPurchase(caller, earn, lines).map(e))
        .map(e -> new JsonObject()
        .put("points_earned", e.pointsEarned()).put("points_balance", e.pointsBalance()).put("tier", e.tier())
        .put("tier_upgraded", e.tierUpgraded()).put("replayed", e.replayed())
        .put("applied_rules", EarningRuleHandlers.appliedJson(e.appliedRules()))));
  }

  /** The lines as loyalty reads them: product (else variant), category, whole units for punch cards, the line's amount for rules. */
  static List<LoyaltyMessages.Item> items(List<PurchaseItem> lines) {
    List<LoyaltyMessages.Item> items = new ArrayList<>();
    for (PurchaseItem i : lines) {
      items.add(new LoyaltyMessages.Item(i.productId() != null ? i.productId() : i.variantId(), i.category(), i.wholeUnits(),
          i.lineAmount()));
    }
    return items;
  }

  /**
   * An earn that lists its items is a purchase known in detail: it enters the history once, under the
   * reference the sale's own event will carry (pos:, order:, else api:), so the later
   * pos.transaction.completed or order.completed of the same sale adds nothing.
   */
  private io.vertx.core.Future<Void> keepPurchase(Caller caller, LoyaltyMessages.Earn earn, List<PurchaseItem> lines) {
    String source = "pos".equals(earn.channel()) || "order".equals(earn.channel()) ? earn.channel() : "api";
    Purchase purchase = new Purchase(earn.customerId(), source, source + ":" + earn.transactionId(), earn.amount(), Instant.now(), null,
        lines.stream().mapToInt(PurchaseItem::wholeUnits).sum(), lines);
    return SegmentationMessages.RECORD_PURCHASE.request(vertx, new SegmentationMessages.RecordPurchase(caller, purchase)).mapEmpty();
  }

  void redeem(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, LoyaltyMessages.REDEEM.request(vertx, new LoyaltyMessages.Redeem(caller,
        Requests.pathId(ctx, "id"), b.getLong("points"), b.getString("reference_id"), b.getString("reason"))).map(r -> new JsonObject()
        .put("points_redeemed", r.pointsRedeemed()).put("discount_amount", r.discountAmount().toPlainString())
        .put("points_balance", r.pointsBalance())));
  }

  void adjust(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, LoyaltyMessages.ADJUST.request(vertx, new LoyaltyMessages.Adjust(caller,
        Requests.pathId(ctx, "id"), b.getLong("points"), b.getString("reason"), ctx.request().getHeader("Idempotency-Key")))
        .map(r -> new JsonObject().put("points", r.points()).put("points_balance", r.pointsBalance()).put("replayed", r.replayed())));
  }

  void reverse(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    List<LoyaltyMessages.ReturnedItem> items = new ArrayList<>();
    for (Object o : b.getJsonArray("items", new JsonArray())) {
      JsonObject i = (JsonObject) o;
      String product = i.getString("product_id");
      items.add(new LoyaltyMessages.ReturnedItem(product != null ? product : i.getString("variant_id"), i.getInteger("quantity", 1),
          Decimals.money("items.amount", i.getValue("amount"))));
    }
    Object amount = b.getValue("amount");
    Responses.reply(ctx, LoyaltyMessages.REVERSE.request(vertx, new LoyaltyMessages.Reverse(caller, b.getString("reference"),
        b.getString("reason"), b.getString("return_id"), amount == null ? null : Decimals.money("amount", amount), items))
        .map(LoyaltyHandlers::reverseJson));
  }

  static JsonObject reverseJson(LoyaltyMessages.ReverseResult r) {
    return new JsonObject().put("customer_id", r.customerId().toString()).put("points_reversed", r.pointsReversed())
        .put("shortfall", r.shortfall()).put("points_balance", r.pointsBalance()).put("points_earned", r.pointsEarned());
  }

  void transfer(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, LoyaltyMessages.TRANSFER.request(vertx, new LoyaltyMessages.Transfer(caller, b.getString("transfer_id"),
        Ids.parse("from_customer_id", b.getString("from_customer_id")), Ids.parse("to_customer_id", b.getString("to_customer_id")),
        b.getLong("points"), b.getString("reason"))).map(t -> new JsonObject()
        .put("transfer_id", t.transferId()).put("from_customer_id", t.fromCustomerId().toString())
        .put("to_customer_id", t.toCustomerId().toString()).put("points", t.points())
        .put("from_points_balance", t.fromPointsBalance()).put("to_points_balance", t.toPointsBalance()).put("replayed", t.replayed())));
  }

  void punchCards(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, LoyaltyMessages.PUNCH_CARDS.request(vertx, new LoyaltyMessages.CustomerQuery(caller, Requests.pathId(ctx, "id"))).map(cards -> {
          JsonArray items = new JsonArray();
          cards.cards().forEach(c -> items.add(cardJson(c)));
          return new JsonObject().put("items", items);
        }));
  }

  void redeemReward(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, LoyaltyMessages.PUNCH_REDEEM.request(vertx, new LoyaltyMessages.RedeemReward(caller,
        Requests.pathId(ctx, "id"), Requests.pathId(ctx, "program_id"), b.getString("reference"))).map(LoyaltyHandlers::cardJson));
  }

  void punchPrograms(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, LoyaltyMessages.PUNCH_PROGRAMS.request(vertx, new LoyaltyMessages.ProgramQuery(caller)).map(p -> {
          JsonArray items = new JsonArray();
          p.programs().forEach(x -> items.add(programJson(x)));
          return new JsonObject().put("items", items);
        }));
  }

  void createPunchProgram(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    JsonObject b = Requests.body(ctx);
    LoyaltyMessages.PunchProgram p = new LoyaltyMessages.PunchProgram(null, b.getString("name"),
        CustomerInput.strings(b.getJsonArray("product_ids")), b.getString("category"), b.getInteger("stamps_required"),
        b.getString("reward"), true);
    LoyaltyMessages.PUNCH_PROGRAM_CREATE.request(vertx, new LoyaltyMessages.CreatePunchProgram(caller, p))
        .onSuccess(x -> Responses.json(ctx, 201, programJson(x)))
        .onFailure(ctx::fail);
  }

  void program(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, LoyaltyMessages.PROGRAM_GET.request(vertx, new LoyaltyMessages.ProgramQuery(caller))
        .map(v -> programJson(v.program())));
  }

  void putProgram(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    JsonObject b = Requests.body(ctx);
    List<Tier> tiers = new ArrayList<>();
    for (Object o : b.getJsonArray("tiers")) {
      JsonObject t = (JsonObject) o;
      tiers.add(new Tier(t.getString("code"), t.getLong("threshold"), Decimals.rate("tiers.multiplier", t.getValue("multiplier"), 4, LoyaltyProgram.MAX_MULTIPLIER),
          CustomerInput.strings(t.getJsonArray("benefits"))));
    }
    BigDecimal rate = Decimals.rate("points_per_unit", b.getValue("points_per_unit"), 4, LoyaltyProgram.MAX_RATE);
    LoyaltyProgram program = new LoyaltyProgram(b.getString("strategy"), rate,
        b.containsKey("max_points_rate") ? Decimals.rate("max_points_rate", b.getValue("max_points_rate"), 4, LoyaltyProgram.MAX_RATE) : rate,
        b.getInteger("points_per_money_unit"), b.getInteger("min_redemption"), b.getInteger("tier_window_months"),
        b.getInteger("downgrade_grace_days"), b.getInteger("expiry_months"), b.getInteger("hold_minutes"), tiers,
        b.getBoolean("transfers_enabled", false), b.getLong("max_transfer_points"),
        b.getInteger("expiring_notice_days", LoyaltyProgram.DEFAULT_EXPIRING_NOTICE_DAYS), b.getString("time_zone"),
        b.getInteger("pending_days", 0));
    Responses.reply(ctx, LoyaltyMessages.PROGRAM_PUT.request(vertx, new LoyaltyMessages.ProgramUpdate(caller, program))
        .map(v -> programJson(v.program())));
  }

  void liability(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Instant[] period = Requests.period(ctx);
    Instant from = period[0];
    Instant to = period[1];
    Responses.reply(ctx, LoyaltyMessages.LIABILITY.request(vertx, new LoyaltyMessages.LiabilityQuery(caller, from, to))
        .map(l -> new JsonObject()
            .put("points_outstanding", l.pointsOutstanding()).put("value", l.value().toPlainString())
            .put("by_tier", buckets(l.byTier())).put("by_expiry_month", buckets(l.byExpiryMonth()))
            .put("period", new JsonObject().put("from", l.from().toString()).put("to", l.to().toString())
                .put("issued", l.issued()).put("redeemed", l.redeemed()).put("expired", l.expired()).put("reversed", l.reversed()))));
  }



  private static JsonArray buckets(List<LoyaltyMessages.Bucket> buckets) {
    JsonArray out = new JsonArray();
    buckets.forEach(b -> out.add(new JsonObject().put("key", b.key()).put("points", b.points()).put("value", b.value().toPlainString())));
    return out;
  }

  private static JsonObject tierJson(LoyaltyMessages.TierInfo t) {
    return new JsonObject().put("code", t.tier()).put("multiplier", t.multiplier().toPlainString())
        .put("benefits", new JsonArray(t.benefits())).put("next_tier", t.nextTier()).put("points_to_next_tier", t.pointsToNextTier());
  }

  static JsonObject entryJson(LedgerEntry e) {
    return new JsonObject().put("id", e.id()).put("type", e.type()).put("points", e.points()).put("held_delta", e.heldDelta())
        .put("balance_after", e.balanceAfter()).put("amount", e.amount() == null ? null : e.amount().toPlainString())
        .put("reference", e.reference()).put("channel", e.channel()).put("reason", e.reason()).put("actor", e.actor())
        .put("shortfall", e.shortfall()).put("created_at", e.createdAt().toString());
  }

  private static JsonObject cardJson(LoyaltyMessages.PunchCard c) {
    return new JsonObject().put("program_id", c.programId().toString()).put("name", c.name()).put("stamps", c.stamps())
        .put("stamps_required", c.stampsRequired()).put("rewards_available", c.rewardsAvailable())
        .put("rewards_issued", c.rewardsIssued()).put("rewards_redeemed", c.rewardsRedeemed()).put("reward", c.reward());
  }

  private static JsonObject programJson(LoyaltyMessages.PunchProgram p) {
    return new JsonObject().put("id", p.id().toString()).put("name", p.name()).put("product_ids", new JsonArray(p.productIds()))
        .put("category", p.category()).put("stamps_required", p.stampsRequired()).put("reward", p.reward()).put("active", p.active());
  }

  private static JsonObject programJson(LoyaltyProgram p) {
    JsonArray tiers = new JsonArray();
    p.tiers().forEach(t -> tiers.add(new JsonObject().put("code", t.code()).put("threshold", t.threshold())
        .put("multiplier", t.multiplier().toPlainString()).put("benefits", new JsonArray(t.benefits()))));
    return new JsonObject().put("strategy", p.strategy()).put("points_per_unit", p.pointsPerUnit().toPlainString())
        .put("max_points_rate", p.maxPointsRate().toPlainString()).put("points_per_money_unit", p.pointsPerMoneyUnit())
        .put("min_redemption", p.minRedemption()).put("tier_window_months", p.tierWindowMonths())
        .put("downgrade_grace_days", p.downgradeGraceDays()).put("expiry_months", p.expiryMonths())
        .put("hold_minutes", p.holdMinutes()).put("pending_days", p.pendingDays()).put("tiers", tiers)
        .put("transfers_enabled", p.transfersEnabled()).put("max_transfer_points", p.maxTransferPoints())
        .put("expiring_notice_days", p.expiringNoticeDays()).put("time_zone", p.timeZone());
  }
}
