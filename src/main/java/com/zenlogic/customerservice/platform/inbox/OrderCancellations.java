package com.zenlogic.customerservice.platform.inbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * Tombstones of cancelled orders (order_cancellations), shared by every engine that applies order
 * events: a completion that finds its order cancelled applies nothing, so a cancellation that
 * overtakes its completion (another node, a redelivery, a retry) ends in the in-order state.
 *
 * <p>Every handler of an order event first takes a transaction-scoped advisory lock on the order
 * (the same key in every engine), so a completion and a cancellation applied at the same moment
 * are serialised rather than both missing each other.
 */
public final class OrderCancellations {
  private static final String LOCK_ORDER = "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/order/' || $2, 0))";
  private static final String CANCELLED = "SELECT 1 FROM order_cancellations WHERE organization_id = $1 AND order_id = $2";
  private static final String REMEMBER = """
      INSERT INTO order_cancellations (organization_id, order_id, customer_id, message_id) VALUES ($1, $2, $3, $4)
      ON CONFLICT (organization_id, order_id) DO NOTHING""";

  private OrderCancellations() {}

  /** Locks the order for the rest of the transaction; answers whether it was cancelled already. */
  public static Future<Boolean> lockAndCheck(SqlConnection conn, UUID org, String orderId) {
    return conn.preparedQuery(LOCK_ORDER).execute(Tuple.of(org.toString(), orderId))
        .compose(v -> conn.preparedQuery(CANCELLED).execute(Tuple.of(org, orderId)))
        .map(rows -> rows.size() > 0);
  }

  /** Locks the order and remembers its cancellation (once; the first message id is kept). */
  public static Future<Void> lockAndRemember(SqlConnection conn, UUID org, String orderId, UUID customerId, String messageId) {
    return conn.preparedQuery(LOCK_ORDER).execute(Tuple.of(org.toString(), orderId))
        .compose(v -> conn.preparedQuery(REMEMBER).execute(Tuple.of(org, orderId, customerId, messageId)))
        .mapEmpty();
  }
}
