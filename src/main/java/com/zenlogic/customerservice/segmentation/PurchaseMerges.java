package com.zenlogic.customerservice.segmentation;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The segmentation side of a customer merge, inside the merge's tenant transaction: the merged
 * customer's purchases (and their items) become the survivor's, and both customers' statistics are
 * recomputed from the purchases each now has. RFM scores follow at the next scoring run.
 */
public final class PurchaseMerges {
  // Both statistics rows, in uuid order, as a purchase locks its customer's row.
  private static final String LOCK_STATS = """
      SELECT customer_id FROM customer_stats WHERE organization_id = $1 AND customer_id = ANY ($2) ORDER BY customer_id FOR UPDATE""";

  private static final String MOVE_PURCHASES = "UPDATE purchases SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2";

  private static final String MOVE_ITEMS = "UPDATE purchase_items SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2";

  private static final String RECOMPUTE = """
      INSERT INTO customer_stats AS s (organization_id, customer_id, purchase_count, total_spent, first_purchase_at, last_purchase_at,
        pos_count, order_count)
      SELECT $1, $2, count(*)::int, coalesce(sum(amount), 0), min(occurred_at), max(occurred_at),
        (count(*) FILTER (WHERE source = 'pos'))::int, (count(*) FILTER (WHERE source <> 'pos'))::int
      FROM purchases WHERE organization_id = $1 AND customer_id = $2
      ON CONFLICT (organization_id, customer_id) DO UPDATE SET purchase_count = EXCLUDED.purchase_count,
        total_spent = EXCLUDED.total_spent, first_purchase_at = EXCLUDED.first_purchase_at,
        last_purchase_at = EXCLUDED.last_purchase_at, pos_count = EXCLUDED.pos_count, order_count = EXCLUDED.order_count""";

  private PurchaseMerges() {}

  /** Answers how many purchases moved. */
  public static Future<Long> move(SqlConnection conn, UUID org, UUID merged, UUID survivor) {
    long[] moved = {0};
    return conn.preparedQuery(LOCK_STATS).execute(Tuple.of(org).addArrayOfUUID(new UUID[] {merged, survivor}))
        .compose(v -> conn.preparedQuery(MOVE_PURCHASES).execute(Tuple.of(org, merged, survivor)))
        .compose(rows -> {
          moved[0] = rows.rowCount();
          if (moved[0] == 0) {
            return Future.succeededFuture(moved[0]);
          }
          return conn.preparedQuery(MOVE_ITEMS).execute(Tuple.of(org, merged, survivor))
              .compose(v -> conn.preparedQuery(RECOMPUTE).execute(Tuple.of(org, survivor)))
              .compose(v -> conn.preparedQuery(RECOMPUTE).execute(Tuple.of(org, merged)))
              .map(v -> moved[0]);
        });
  }
}
