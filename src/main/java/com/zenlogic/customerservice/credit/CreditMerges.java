package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The credit side of a customer merge, inside the merge's tenant transaction. A customer has at
 * most one credit line, so two cannot become one: when both customers have a line and the merged
 * one's is still in use (not closed, or with a balance), the merge is refused with the reason. When
 * only the merged customer has one, the line moves to the survivor with its open charges (its
 * outstanding, credit balance and entry numbering unchanged); its ledger rows stay where they were.
 */
public final class CreditMerges {
  /** What moved: whether the line did, its outstanding and credit balance, and its charges. */
  public record CreditMoved(boolean line, BigDecimal outstanding, BigDecimal creditBalance, long charges) {
    static final CreditMoved NOTHING = new CreditMoved(false, BigDecimal.ZERO.setScale(2), BigDecimal.ZERO.setScale(2), 0);
  }

  // Both lines, in uuid order (as credit operations lock one line each): the survivor's and the merged one's.
  private static final String LOCK_LINES = """
      SELECT customer_id, status, outstanding, credit_balance FROM credit_lines
      WHERE organization_id = $1 AND customer_id = ANY ($2) ORDER BY customer_id FOR UPDATE""";

  private static final String MOVE_LINE = """
      UPDATE credit_lines SET customer_id = $3, updated_at = now() WHERE organization_id = $1 AND customer_id = $2""";

  private static final String MOVE_CHARGES = """
      UPDATE credit_charges SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2""";

  private static final String AUDIT = """
      INSERT INTO credit_line_audit (organization_id, customer_id, action, before, after, actor)
      VALUES ($1, $2, 'merged', $3, $4, $5)""";

  private CreditMerges() {}

  public static Future<CreditMoved> move(SqlConnection conn, UUID org, UUID merged, UUID survivor, String actor) {
    return conn.preparedQuery(LOCK_LINES).execute(Tuple.of(org).addArrayOfUUID(new UUID[] {merged, survivor})).compose(rows -> {
      Map<UUID, Row> lines = new HashMap<>();
      rows.forEach(r -> lines.put(r.getUUID("customer_id"), r));
      Row m = lines.get(merged);
      Row s = lines.get(survivor);
      if (m == null || (s != null && !inUse(m))) {
        return Future.succeededFuture(CreditMoved.NOTHING);
      }
      if (s != null) {
        String why = inUse(s)
            ? "both customers have an open credit line (" + m.getString("status") + " and " + s.getString("status")
              + "): close and settle one of them first"
            : "the merged customer has an open credit line and the survivor a closed one: merge the other way round";
        throw new DomainException(ErrorCode.MERGE_CREDIT_CONFLICT, ErrorCode.MERGE_CREDIT_CONFLICT.format(why), "into");
      }
      BigDecimal outstanding = m.getBigDecimal("outstanding");
      BigDecimal credit = m.getBigDecimal("credit_balance");
      io.vertx.core.json.JsonObject figures = new io.vertx.core.json.JsonObject().put("status", m.getString("status"))
          .put("outstanding", outstanding.toPlainString()).put("credit_balance", credit.toPlainString());
      return conn.preparedQuery(MOVE_LINE).execute(Tuple.of(org, merged, survivor))
          .compose(v -> conn.preparedQuery(MOVE_CHARGES).execute(Tuple.of(org, merged, survivor)))
          .compose(charges -> conn.preparedQuery(AUDIT).execute(Tuple.of(org, survivor,
                  figures.copy().put("customer_id", merged.toString()), figures.copy().put("customer_id", survivor.toString()), actor))
              .map(v -> new CreditMoved(true, outstanding, credit, charges.rowCount())));
    });
  }

  /** A line still in use: not closed, or closed with something owed either way. */
  private static boolean inUse(Row line) {
    return !"closed".equals(line.getString("status")) || line.getBigDecimal("outstanding").signum() > 0
        || line.getBigDecimal("credit_balance").signum() > 0;
  }
}
