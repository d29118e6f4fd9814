package com.zenlogic.customerservice.loyalty;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The loyalty capability's answer to the other capabilities (segmentation): a customer's tier and
 * the points issued and redeemed in a period (the KPIs).
 * The SQL on loyalty_accounts lives here, in loyalty; it runs on the caller's connection, inside
 * the caller's tenant transaction.
 */
public final class LoyaltyDirectory {
  private static final String TIER = "SELECT tier FROM loyalty_accounts WHERE organization_id = $1 AND customer_id = $2";

  private static final String FLOWS = """
      SELECT coalesce(sum(points) FILTER (WHERE entry_type = 'earn' OR (entry_type = 'adjust' AND points > 0)), 0) AS issued,
             coalesce(-sum(points) FILTER (WHERE entry_type = 'redeem'), 0) AS redeemed
      FROM loyalty_ledger WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3""";

  private LoyaltyDirectory() {}

  /**
   * The accounts' tiers as a relation (organization_id, customer_id, tier) for a set-based reader
   * that joins it into one statement (the RFM batch's VIP rule); RLS applies as to any query.
   */
  public static final String TIERS = "(SELECT organization_id, customer_id, tier FROM loyalty_accounts)";

  /** Points issued (earned and positive adjustments) and redeemed in [from, to). */
  public record PointsFlow(long issued, long redeemed) {}

  public static Future<PointsFlow> flows(SqlConnection conn, UUID organizationId, Instant from, Instant to) {
    return conn.preparedQuery(FLOWS).execute(Tuple.of(organizationId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          var r = rows.iterator().next();
          return new PointsFlow(r.getLong("issued"), r.getLong("redeemed"));
        });
  }

  /** The customer's tier code, or null when the customer has no loyalty account. */
  public static Future<String> tier(SqlConnection conn, UUID organizationId, UUID customerId) {
    return conn.preparedQuery(TIER).execute(Tuple.of(organizationId, customerId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }
}
