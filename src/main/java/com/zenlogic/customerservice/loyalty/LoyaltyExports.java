package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.db.ExportQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Finance's files: every account's points (the liability, per customer) and the ledger of a
 * period. Field names are the loyalty API's; points are integers, money a 2-decimal string.
 * All accounts are listed, deleted customers' too: their points stay on the books until expired
 * or adjusted, and the ledger they come from is exported in full.
 */
public final class LoyaltyExports {
  public static final List<String> BALANCE_COLUMNS = List.of(
      "customer_id", "balance", "held", "pending_points", "available", "redeemable_amount", "lifetime_earned", "tier", "updated_at");

  public static final List<String> LEDGER_COLUMNS = List.of(
      "id", "customer_id", "type", "points", "held_delta", "pending_delta", "balance_after", "amount", "reference", "channel",
      "reason", "actor", "shortfall", "tier_after", "created_at");

  // The program's conversion rate is read in the same snapshot, so redeemable_amount matches it.
  private static final String BALANCES = """
      SELECT a.customer_id, a.balance, a.held, a.pending, a.lifetime_earned, a.tier, a.updated_at, p.points_per_money_unit
      FROM loyalty_accounts a LEFT JOIN loyalty_programs p ON p.organization_id = a.organization_id
      WHERE a.organization_id = $1 ORDER BY a.customer_id""";

  // In ledger order (id); the period is [from, to) on created_at, as in the liability report.
  private static final String LEDGER = """
      SELECT id, customer_id, entry_type, points, held_delta, pending_delta, balance_after, amount, reference, channel,
        reason, actor, shortfall, tier_after, created_at
      FROM loyalty_ledger WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY id""";

  private LoyaltyExports() {}

  public static ExportQuery balances(UUID organizationId) {
    return new ExportQuery("points-balances", BALANCE_COLUMNS, BALANCES, Tuple.of(organizationId), LoyaltyExports::balance);
  }

  public static ExportQuery ledger(UUID organizationId, Instant from, Instant to) {
    return new ExportQuery("loyalty-ledger", LEDGER_COLUMNS, LEDGER,
        Tuple.of(organizationId, OffsetDateTime.ofInstant(from, java.time.ZoneOffset.UTC), OffsetDateTime.ofInstant(to, java.time.ZoneOffset.UTC)),
        LoyaltyExports::entry);
  }

  private static Object[] balance(Row r) {
    long balance = r.getLong("balance");
    long held = r.getLong("held");
    long pending = r.getLong("pending");
    long available = balance - held - pending;
    Integer rate = r.getInteger("points_per_money_unit");
    int pointsPerMoneyUnit = rate == null ? LoyaltyProgram.DEFAULT.pointsPerMoneyUnit() : rate;
    // As LoyaltyProgram.discountFor: what the available points are worth, rounded down to the cent.
    BigDecimal redeemable = BigDecimal.valueOf(available).divide(BigDecimal.valueOf(pointsPerMoneyUnit), 2, RoundingMode.FLOOR);
    return new Object[] {r.getUUID("customer_id").toString(), balance, held, pending, available, redeemable,
        r.getLong("lifetime_earned"), r.getString("tier"), r.getOffsetDateTime("updated_at").toInstant()};
  }

  private static Object[] entry(Row r) {
    BigDecimal amount = r.getBigDecimal("amount");
    return new Object[] {r.getLong("id"), r.getUUID("customer_id").toString(), r.getString("entry_type"), r.getLong("points"),
        r.getLong("held_delta"), r.getLong("pending_delta"), r.getLong("balance_after"),
        amount == null ? null : amount.setScale(2, RoundingMode.UNNECESSARY), r.getString("reference"), r.getString("channel"),
        r.getString("reason"), r.getString("actor"), r.getLong("shortfall"), r.getString("tier_after"),
        r.getOffsetDateTime("created_at").toInstant()};
  }
}
