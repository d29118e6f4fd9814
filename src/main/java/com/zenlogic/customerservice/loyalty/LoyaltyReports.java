package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Bucket;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Liability;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Finance's view of the points: outstanding liability and how points moved in a period. */
public final class LoyaltyReports {
  private static final String BY_TIER = """
      SELECT tier AS key, coalesce(sum(balance), 0) AS points FROM loyalty_accounts
      WHERE organization_id = $1 AND balance > 0 GROUP BY tier ORDER BY tier""";

  private static final String BY_EXPIRY_MONTH = """
      SELECT coalesce(to_char(date_trunc('month', expires_at AT TIME ZONE 'UTC'), 'YYYY-MM'), 'never') AS key,
        sum(remaining) AS points
      FROM loyalty_lots WHERE organization_id = $1 AND remaining > 0 GROUP BY 1 ORDER BY 1""";

  private static final String MOVEMENTS = """
      SELECT
        coalesce(sum(points) FILTER (WHERE entry_type = 'earn' OR (entry_type = 'adjust' AND points > 0)), 0) AS issued,
        coalesce(-sum(points) FILTER (WHERE entry_type IN ('redeem', 'refund')), 0) AS redeemed, -- net of refunds
        coalesce(-sum(points) FILTER (WHERE entry_type = 'expire'), 0) AS expired,
        coalesce(-sum(points) FILTER (WHERE entry_type = 'reverse' OR (entry_type = 'adjust' AND points < 0)), 0) AS reversed
      FROM loyalty_ledger WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3""";

  private final Db db;
  private final PointsLedger ledger = new PointsLedger();

  public LoyaltyReports(Db db) {
    this.db = db;
  }

  public Future<Liability> liability(Caller caller, Instant from, Instant to) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> ledger.program(conn, org).compose(program ->
        buckets(conn, BY_TIER, org, program).compose(byTier ->
            buckets(conn, BY_EXPIRY_MONTH, org, program).compose(byMonth ->
                conn.preparedQuery(MOVEMENTS).execute(Tuple.of(org, PointsLedger.utc(from), PointsLedger.utc(to))).map(rows -> {
                  Row m = rows.iterator().next();
                  long outstanding = byTier.stream().mapToLong(Bucket::points).sum();
                  return new Liability(outstanding, program.discountFor(outstanding), byTier, byMonth, m.getLong("issued"),
                      m.getLong("redeemed"), m.getLong("expired"), m.getLong("reversed"), from, to);
                })))));
  }

  private static Future<List<Bucket>> buckets(SqlConnection conn, String sql, UUID org, LoyaltyProgram program) {
    return conn.preparedQuery(sql).execute(Tuple.of(org)).map(rows -> {
      List<Bucket> out = new ArrayList<>();
      rows.forEach(r -> out.add(new Bucket(r.getString("key"), r.getLong("points"), program.discountFor(r.getLong("points")))));
      return out;
    });
  }
}
