package com.zenlogic.customerservice.credit;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * The credit capability's answer to the other capabilities (segmentation's KPIs): what the
 * organization's approved lines have outstanding and still available now. The SQL on credit_lines
 * lives here; it runs on the caller's connection, inside the caller's tenant transaction.
 */
public final class CreditDirectory {
  private static final String EXPOSURE = """
      SELECT coalesce(sum(outstanding), 0.00) AS used,
             coalesce(sum(greatest(credit_limit - outstanding + credit_balance, 0)), 0.00) AS available
      FROM credit_lines WHERE organization_id = $1 AND status = 'approved'""";

  private CreditDirectory() {}

  public record Exposure(BigDecimal used, BigDecimal available) {}

  public static Future<Exposure> exposure(SqlConnection conn, UUID organizationId) {
    return conn.preparedQuery(EXPOSURE).execute(Tuple.of(organizationId)).map(rows -> {
      var r = rows.iterator().next();
      return new Exposure(r.getBigDecimal("used"), r.getBigDecimal("available"));
    });
  }
}
