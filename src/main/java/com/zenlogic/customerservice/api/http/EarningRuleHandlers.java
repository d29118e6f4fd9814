package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.loyalty.EarningRule;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyProgram;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Text;
import com.zenlogic.customerservice.segmentation.PurchaseItems;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** /api/v1/loyalty/earning-rules and the points preview: JSON to loyalty messages and back. */
final class EarningRuleHandlers {
  private final Vertx vertx;

  EarningRuleHandlers(Vertx vertx) {
    this.vertx = vertx;
  }

  void list(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, LoyaltyHandlers.READ);
    Responses.reply(ctx, LoyaltyMessages.RULES.request(vertx, new LoyaltyMessages.RulesQuery(caller)).map(r -> {
      JsonArray items = new JsonArray();
      r.rules().forEach(rule -> items.add(ruleJson(rule)));
      return new JsonObject().put("items", items);
    }));
  }

  void create(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, LoyaltyHandlers.ADMIN);
    EarningRule rule = rule(Requests.body(ctx));
    LoyaltyMessages.RULE_SAVE.request(vertx, new LoyaltyMessages.SaveRule(caller, null, rule))
        .onSuccess(v -> Responses.json(ctx, 201, ruleJson(v.rule())))
        .onFailure(ctx::fail);
  }

  void replace(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, LoyaltyHandlers.ADMIN);
    UUID id = Requests.pathId(ctx, "rule_id");
    EarningRule rule = rule(Requests.body(ctx));
    Responses.reply(ctx, LoyaltyMessages.RULE_SAVE.request(vertx, new LoyaltyMessages.SaveRule(caller, id, rule))
        .map(v -> ruleJson(v.rule())));
  }

  void delete(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, LoyaltyHandlers.ADMIN);
    LoyaltyMessages.RULE_DELETE.request(vertx, new LoyaltyMessages.DeleteRule(caller, Requests.pathId(ctx, "rule_id")))
        .onSuccess(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  /** The points an earn would give now (loyalty:read: the POS asks before payment); writes nothing. */
  void preview(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, LoyaltyHandlers.READ);
    JsonObject b = Requests.body(ctx);
    List<LoyaltyMessages.Item> items = LoyaltyHandlers.items(PurchaseItems.read("items", b.getValue("items")));
    Object rate = b.getValue("points_rate");
    LoyaltyMessages.PreviewEarn q = new LoyaltyMessages.PreviewEarn(caller, Requests.pathId(ctx, "id"),
        Decimals.money("amount", b.getValue("amount")),
        rate == null || "0".equals(String.valueOf(rate)) ? null : Decimals.rate("points_rate", rate, 4, LoyaltyProgram.MAX_RATE), items);
    Responses.reply(ctx, LoyaltyMessages.PREVIEW.request(vertx, q).map(p -> new JsonObject()
        .put("customer_id", p.customerId().toString()).put("points", p.points()).put("base_points", p.basePoints())
        .put("tier", p.tier()).put("applied_rules", appliedJson(p.appliedRules()))));
  }

  static JsonArray appliedJson(List<LoyaltyMessages.AppliedRule> applied) {
    JsonArray out = new JsonArray();
    for (LoyaltyMessages.AppliedRule a : applied) {
      JsonObject j = new JsonObject().put("rule_id", a.ruleId().toString()).put("name", a.name()).put("points", a.points());
      if (a.capRemaining() != null) {
        j.put("cap_remaining", a.capRemaining());
      }
      out.add(j);
    }
    return out;
  }

  static EarningRule rule(JsonObject b) {
    Text.checkJson("", b);
    JsonObject c = b.getJsonObject("condition", new JsonObject());
    JsonObject e = b.getJsonObject("effect", new JsonObject());
    JsonObject cap = b.getJsonObject("cap");
    List<DayOfWeek> days = new ArrayList<>();
    for (String d : CustomerInput.strings(c.getJsonArray("days"))) {
      days.add(DayOfWeek.valueOf(d.toUpperCase(Locale.ROOT)));
    }
    Object multiplier = e.getValue("multiplier");
    return new EarningRule(null, b.getString("name"), b.getBoolean("active", true),
        CustomerInput.strings(c.getJsonArray("product_ids")), CustomerInput.strings(c.getJsonArray("categories")),
        c.getValue("min_amount") == null ? null : Decimals.money("condition.min_amount", c.getValue("min_amount")),
        date("condition.valid_from", c.getString("valid_from")), date("condition.valid_to", c.getString("valid_to")), days,
        time("condition.time_from", c.getString("time_from")), time("condition.time_to", c.getString("time_to")),
        CustomerInput.strings(c.getJsonArray("tiers")),
        multiplier == null ? null : multiplier(multiplier), e.getLong("bonus_points"),
        cap == null ? null : cap.getLong("points"), cap == null ? null : cap.getString("period"));
  }

  private static BigDecimal multiplier(Object value) {
    try {
      return new BigDecimal(value.toString());
    } catch (NumberFormatException ex) {
      throw DomainException.invalid("effect.multiplier", "must be a decimal number");
    }
  }

  private static LocalDate date(String field, String value) {
    try {
      return value == null ? null : LocalDate.parse(value);
    } catch (DateTimeParseException ex) {
      throw DomainException.invalid(field, "must be a date (YYYY-MM-DD)");
    }
  }

  private static LocalTime time(String field, String value) {
    try {
      return value == null ? null : LocalTime.parse(value);
    } catch (DateTimeParseException ex) {
      throw DomainException.invalid(field, "must be a time of day (HH:MM)");
    }
  }

  static JsonObject ruleJson(EarningRule r) {
    JsonObject condition = new JsonObject().put("product_ids", new JsonArray(r.productIds()))
        .put("categories", new JsonArray(r.categories()))
        .put("min_amount", r.minAmount() == null ? null : r.minAmount().toPlainString())
        .put("valid_from", r.validFrom() == null ? null : r.validFrom().toString())
        .put("valid_to", r.validTo() == null ? null : r.validTo().toString())
        .put("days", new JsonArray(r.days().stream().map(d -> d.name().toLowerCase(Locale.ROOT)).toList()))
        .put("time_from", r.timeFrom() == null ? null : r.timeFrom().toString())
        .put("time_to", r.timeTo() == null ? null : r.timeTo().toString())
        .put("tiers", new JsonArray(r.tiers()));
    JsonObject effect = r.multiplier() != null ? new JsonObject().put("multiplier", r.multiplier().stripTrailingZeros().toPlainString())
        : new JsonObject().put("bonus_points", r.bonusPoints());
    return new JsonObject().put("id", r.id().toString()).put("name", r.name()).put("active", r.active())
        .put("condition", condition).put("effect", effect)
        .put("cap", r.capPoints() == null ? null : new JsonObject().put("points", r.capPoints()).put("period", r.capPeriod()));
  }
}
