package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.credit.CreditDirectory;
import com.zenlogic.customerservice.loyalty.LoyaltyDirectory;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The seed's key metrics for a period [from, to):
 * - active customers: a purchase in the 90 days before `to`;
 * - retention rate: of the customers who bought in the equally long period before `from`, the share
 *   who bought again in [from, to);
 * - average LTV: total spent so far per customer who ever bought; AOV: amount per purchase in the period;
 * - loyalty points issued vs redeemed in the period; credit used (outstanding) vs available on approved lines now
 *   (asked of loyalty and credit: LoyaltyDirectory, CreditDirectory).
 */
final class Kpis {
  private static final String SQL = """
      WITH p AS (SELECT customer_id, amount, occurred_at FROM purchases WHERE organization_id = $1),
      prev AS (SELECT DISTINCT customer_id FROM p WHERE occurred_at >= $4 AND occurred_at < $2),
      cur AS (SELECT DISTINCT customer_id FROM p WHERE occurred_at >= $2 AND occurred_at < $3)
      SELECT
        (SELECT count(DISTINCT customer_id) FROM p WHERE occurred_at >= $5 AND occurred_at < $3) AS active,
        (SELECT count(*) FROM prev) AS previous_buyers,
        (SELECT count(*) FROM prev JOIN cur USING (customer_id)) AS retained,
        (SELECT coalesce(sum(amount), 0.00) FROM p WHERE occurred_at >= $2 AND occurred_at < $3) AS period_amount,
        (SELECT count(*) FROM p WHERE occurred_at >= $2 AND occurred_at < $3) AS period_purchases,
        (SELECT coalesce(sum(total_spent), 0.00) FROM customer_stats WHERE organization_id = $1 AND purchase_count > 0) AS total_spent,
        (SELECT count(*) FROM customer_stats WHERE organization_id = $1 AND purchase_count > 0) AS buyers""";

  private final Db db;

  private record Figures(Row row, LoyaltyDirectory.PointsFlow points, CreditDirectory.Exposure credit) {}

  Kpis(Db db) {
    this.db = db;
  }

  Future<SegmentationMessages.KpiView> compute(Caller caller, Instant from, Instant to) {
    Instant previousFrom = from.minus(Duration.between(from, to));
    Instant activeFrom = to.minus(Duration.ofDays(90));
    // Three statements in one tenant transaction: segmentation's own figures, then loyalty's and
    // credit's through their directories (they own those tables).
    return db.withTenant(caller.organizationId(), conn -> conn.preparedQuery(SQL).execute(Tuple.of(caller.organizationId(),
            from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), previousFrom.atOffset(ZoneOffset.UTC),
            activeFrom.atOffset(ZoneOffset.UTC)))
        .compose(rows -> LoyaltyDirectory.flows(conn, caller.organizationId(), from, to)
            .compose(points -> CreditDirectory.exposure(conn, caller.organizationId())
                .map(credit -> new Figures(rows.iterator().next(), points, credit))))).map(f -> {
          Row r = f.row();
          long previous = r.getLong("previous_buyers");
          long buyers = r.getLong("buyers");
          long purchases = r.getLong("period_purchases");
          return new SegmentationMessages.KpiView(from, to, r.getLong("active"),
              previous == 0 ? null : BigDecimal.valueOf(r.getLong("retained")).divide(BigDecimal.valueOf(previous), 4, RoundingMode.HALF_UP),
              buyers == 0 ? new BigDecimal("0.00") : r.getBigDecimal("total_spent").divide(BigDecimal.valueOf(buyers), 2, RoundingMode.HALF_UP),
              purchases == 0 ? new BigDecimal("0.00")
                  : r.getBigDecimal("period_amount").divide(BigDecimal.valueOf(purchases), 2, RoundingMode.HALF_UP),
              f.points().issued(), f.points().redeemed(), f.credit().used(), f.credit().available());
        });
  }
}
