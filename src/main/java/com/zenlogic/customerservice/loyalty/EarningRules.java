package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AppliedRule;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Item;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The organization's earning rules: their SQL (loyalty_earning_rules, loyalty_rule_applications) and
 * their evaluation on one earn. The base points stay the strategy's on the whole amount; each rule
 * that applies adds its extra: a multiplier m makes the matching amount earn m times in total, so it
 * adds (m - 1) × the base rate (with the tier's multiplier under the tiered strategy) × the matching
 * amount; a bonus adds fixed points. Each rule's points are rounded down on their own and cut to what
 * its cap still allows. Called under the account's row lock on an earn, so caps count exactly.
 */
final class EarningRules {
  private static final String COLUMNS = """
      id, name, active, product_ids, categories, min_amount, valid_from, valid_to, days, time_from, time_to, tiers,
      multiplier, bonus_points, cap_points, cap_period""";

  private static final String LIST = "SELECT " + COLUMNS
      + " FROM loyalty_earning_rules WHERE organization_id = $1 ORDER BY created_at, id";

  private static final String ACTIVE = "SELECT " + COLUMNS
      + " FROM loyalty_earning_rules WHERE organization_id = $1 AND active ORDER BY created_at, id";

  private static final String INSERT = """
      INSERT INTO loyalty_earning_rules (organization_id, id, name, active, product_ids, categories, min_amount, valid_from,
        valid_to, days, time_from, time_to, tiers, multiplier, bonus_points, cap_points, cap_period, updated_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)""";

  private static final String UPDATE = """
      UPDATE loyalty_earning_rules SET name = $3, active = $4, product_ids = $5, categories = $6, min_amount = $7,
        valid_from = $8, valid_to = $9, days = $10, time_from = $11, time_to = $12, tiers = $13, multiplier = $14,
        bonus_points = $15, cap_points = $16, cap_period = $17, updated_by = $18, updated_at = now()
      WHERE organization_id = $1 AND id = $2""";

  private static final String DELETE = "DELETE FROM loyalty_earning_rules WHERE organization_id = $1 AND id = $2";

  // One customer's points per rule since the start of today, this week and this month (org time zone).
  private static final String USED = """
      SELECT rule_id,
        coalesce(sum(points) FILTER (WHERE created_at >= $4), 0) AS day,
        coalesce(sum(points) FILTER (WHERE created_at >= $5), 0) AS week,
        coalesce(sum(points) FILTER (WHERE created_at >= $6), 0) AS month
      FROM loyalty_rule_applications
      WHERE organization_id = $1 AND customer_id = $2 AND rule_id = ANY($3) AND created_at >= least($4, $5, $6)
      GROUP BY rule_id""";

  private static final String RECORD = """
      INSERT INTO loyalty_rule_applications (organization_id, ledger_id, rule_id, customer_id, name, points, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

  private static final String APPLIED = """
      SELECT rule_id, name, points FROM loyalty_rule_applications WHERE organization_id = $1 AND ledger_id = $2
      ORDER BY rule_id""";

  /** The base points and what each rule that applied added. */
  record Evaluation(long basePoints, List<AppliedRule> applied) {
    long points() {
      return basePoints + applied.stream().mapToLong(AppliedRule::points).sum();
    }
  }

  Future<List<EarningRule>> list(SqlConnection conn, UUID org) {
    return conn.preparedQuery(LIST).execute(Tuple.of(org)).map(EarningRules::rules);
  }

  Future<EarningRule> create(SqlConnection conn, UUID org, EarningRule rule, String actor) {
    EarningRule saved = rule.withId(UUID.randomUUID());
    return conn.preparedQuery(INSERT).execute(tuple(org, saved, actor)).map(saved);
  }

  Future<EarningRule> replace(SqlConnection conn, UUID org, UUID id, EarningRule rule, String actor) {
    EarningRule saved = rule.withId(id);
    return conn.preparedQuery(UPDATE).execute(tuple(org, saved, actor)).map(rows -> {
      if (rows.rowCount() == 0) {
        throw ErrorCode.EARNING_RULE_NOT_FOUND.exception(id);
      }
      return saved;
    });
  }

  Future<Void> delete(SqlConnection conn, UUID org, UUID id) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(org, id)).map(rows -> {
      if (rows.rowCount() == 0) {
        throw ErrorCode.EARNING_RULE_NOT_FOUND.exception(id);
      }
      return null;
    });
  }

  /** The rule applications an earn stored (its replay answers them again). */
  Future<List<AppliedRule>> applied(SqlConnection conn, UUID org, long ledgerId) {
    return conn.preparedQuery(APPLIED).execute(Tuple.of(org, ledgerId)).map(rows -> {
      List<AppliedRule> out = new ArrayList<>();
      rows.forEach(r -> out.add(new AppliedRule(r.getUUID("rule_id"), r.getString("name"), r.getLong("points"), null)));
      return out;
    });
  }

  /** Stores what each rule gave on the saved earn (a posting effect, same transaction). */
  Future<Void> record(SqlConnection conn, UUID org, LedgerEntry saved, List<AppliedRule> applied) {
    if (applied.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (AppliedRule a : applied) {
      rows.add(Tuple.of(org, saved.id(), a.ruleId(), saved.customerId(), a.name(), a.points())
          .addValue(OffsetDateTime.ofInstant(saved.createdAt(), ZoneOffset.UTC)));
    }
    return conn.preparedQuery(RECORD).executeBatch(rows).mapEmpty();
  }

  /**
   * The points of an earn of {@code amount} with {@code items} now: the strategy's base points plus
   * each active rule that applies. Reads only; the earn stores the result with {@link #record}.
   */
  Future<Evaluation> evaluate(SqlConnection conn, UUID org, LoyaltyProgram program, UUID customerId, String tier, BigDecimal amount,
                              BigDecimal requestedRate, List<Item> items, Instant now) {
    long base = program.pointsFor(amount, requestedRate, tier);
    return conn.preparedQuery(ACTIVE).execute(Tuple.of(org)).compose(rows -> {
      List<EarningRule> rules = rules(rows);
      if (rules.isEmpty()) {
        return Future.succeededFuture(new Evaluation(base, List.of()));
      }
      ZonedDateTime local = now.atZone(program.zone());
      BigDecimal perUnit = program.rateFor(requestedRate).multiply(program.effectiveMultiplier(tier));
      List<EarningRule> matching = new ArrayList<>();
      List<Long> points = new ArrayList<>();
      for (EarningRule rule : rules) {
        long p = pointsOf(rule, local, tier, amount, perUnit, items == null ? List.of() : items);
        if (p > 0) {
          matching.add(rule);
          points.add(p);
        }
      }
      return used(conn, org, customerId, matching, local).map(used -> {
        List<AppliedRule> applied = new ArrayList<>();
        for (int i = 0; i < matching.size(); i++) {
          EarningRule rule = matching.get(i);
          long p = points.get(i);
          Long left = null;
          if (rule.capPoints() != null) {
            long room = Math.max(0, rule.capPoints() - used.getOrDefault(rule.id(), new long[3])[period(rule.capPeriod())]);
            p = Math.min(p, room);
            left = room - p;
          }
          if (p > 0) {
            applied.add(new AppliedRule(rule.id(), rule.name(), p, left));
          }
        }
        return new Evaluation(base, List.copyOf(applied));
      });
    });
  }

  /** What the rule gives before its cap (0: it does not apply). */
  static long pointsOf(EarningRule rule, ZonedDateTime local, String tier, BigDecimal amount, BigDecimal perUnit, List<Item> items) {
    if (!rule.active() || !inEffect(rule, local) || !rule.tiers().isEmpty() && !rule.tiers().contains(tier)
        || rule.minAmount() != null && amount.compareTo(rule.minAmount()) < 0) {
      return 0;
    }
    BigDecimal matchingAmount = amount;
    if (rule.onItems()) {
      matchingAmount = BigDecimal.ZERO;
      boolean any = false;
      for (Item item : items) {
        if (matches(rule, item)) {
          any = true;
          matchingAmount = matchingAmount.add(item.lineAmount() == null ? BigDecimal.ZERO : item.lineAmount());
        }
      }
      if (!any) {
        return 0;
      }
      // Lines may be listed before discounts: never more than the purchase itself.
      matchingAmount = matchingAmount.min(amount);
    }
    if (rule.bonusPoints() != null) {
      return rule.bonusPoints();
    }
    return rule.multiplier().subtract(BigDecimal.ONE).multiply(perUnit).multiply(matchingAmount)
        .setScale(0, RoundingMode.FLOOR).longValueExact();
  }

  static boolean matches(EarningRule rule, Item item) {
    return item.productId() != null && rule.productIds().contains(item.productId())
        || item.category() != null && rule.categories().stream().anyMatch(c -> c.equalsIgnoreCase(item.category()));
  }

  /** Dates (inclusive), weekdays and the [time_from, time_to) window, all in the organization's time zone. */
  static boolean inEffect(EarningRule rule, ZonedDateTime local) {
    LocalDate today = local.toLocalDate();
    LocalTime time = local.toLocalTime();
    return (rule.validFrom() == null || !today.isBefore(rule.validFrom()))
        && (rule.validTo() == null || !today.isAfter(rule.validTo()))
        && (rule.days().isEmpty() || rule.days().contains(local.getDayOfWeek()))
        && (rule.timeFrom() == null || !time.isBefore(rule.timeFrom()) && time.isBefore(rule.timeTo()));
  }

  private static int period(String capPeriod) {
    return switch (capPeriod) {
      case "day" -> 0;
      case "week" -> 1;
      default -> 2;
    };
  }

  /** Points each capped rule already gave this customer today / this week (from Monday) / this month. */
  private Future<Map<UUID, long[]>> used(SqlConnection conn, UUID org, UUID customerId, List<EarningRule> rules, ZonedDateTime local) {
    UUID[] capped = rules.stream().filter(r -> r.capPoints() != null).map(EarningRule::id).toArray(UUID[]::new);
    if (capped.length == 0) {
      return Future.succeededFuture(Map.of());
    }
    ZonedDateTime day = local.toLocalDate().atStartOfDay(local.getZone());
    ZonedDateTime week = local.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(local.getZone());
    ZonedDateTime month = local.toLocalDate().withDayOfMonth(1).atStartOfDay(local.getZone());
    return conn.preparedQuery(USED).execute(Tuple.of(org, customerId, capped, day.toOffsetDateTime(), week.toOffsetDateTime(),
        month.toOffsetDateTime())).map(rows -> {
          Map<UUID, long[]> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getUUID("rule_id"), new long[] {r.getLong("day"), r.getLong("week"), r.getLong("month")}));
          return out;
        });
  }

  private static Tuple tuple(UUID org, EarningRule r, String actor) {
    return Tuple.of(org, r.id(), r.name(), r.active(), r.productIds().toArray(String[]::new), r.categories().toArray(String[]::new))
        .addValue(r.minAmount()).addValue(r.validFrom()).addValue(r.validTo())
        .addValue(r.days().stream().map(DayOfWeek::getValue).toArray(Integer[]::new))
        .addValue(r.timeFrom()).addValue(r.timeTo()).addValue(r.tiers().toArray(String[]::new)).addValue(r.multiplier())
        .addValue(r.bonusPoints()).addValue(r.capPoints()).addValue(r.capPeriod()).addValue(actor);
  }

  private static List<EarningRule> rules(Iterable<Row> rows) {
    List<EarningRule> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new EarningRule(r.getUUID("id"), r.getString("name"), r.getBoolean("active"),
          Arrays.asList(r.getArrayOfStrings("product_ids")), Arrays.asList(r.getArrayOfStrings("categories")),
          r.getBigDecimal("min_amount"), r.getLocalDate("valid_from"), r.getLocalDate("valid_to"),
          Arrays.stream(r.getArrayOfIntegers("days")).map(DayOfWeek::of).toList(), r.getLocalTime("time_from"),
          r.getLocalTime("time_to"), Arrays.asList(r.getArrayOfStrings("tiers")), r.getBigDecimal("multiplier"),
          r.getLong("bonus_points"), r.getLong("cap_points"), r.getString("cap_period")));
    }
    return out;
  }
}
