package com.zenlogic.customerservice.loyalty;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The loyalty capability's answer to the other capabilities (segmentation): a customer's tier.
 * The SQL on loyalty_accounts lives here, in loyalty; it runs on the caller's connection, inside
 * the caller's tenant transaction.
 */
public final class LoyaltyDirectory {
  private static final String TIER = "SELECT tier FROM loyalty_accounts WHERE organization_id = $1 AND customer_id = $2";

  private LoyaltyDirectory() {}

  /** The customer's tier code, or null when the customer has no loyalty account. */
  public static Future<String> tier(SqlConnection conn, UUID organizationId, UUID customerId) {
    return conn.preparedQuery(TIER).execute(Tuple.of(organizationId, customerId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }
}
