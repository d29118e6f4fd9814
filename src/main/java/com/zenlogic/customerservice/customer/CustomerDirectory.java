package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The customer capability's answer to the other capabilities: does this customer exist in this
 * organization, and may it buy (its status). Loyalty, credit and segmentation ask here instead of
 * reading the customers table. It runs on the caller's connection, inside the caller's tenant
 * transaction, so the answer and the caller's write see the same snapshot and the same RLS setting.
 */
public final class CustomerDirectory {
  private static final String STATUS =
      "SELECT status FROM customers WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL";

  private static final String PRICE_GROUP =
      "SELECT price_group FROM customers WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL";

  private CustomerDirectory() {}

  /** The customer's price group (null when none), or CUSTOMER_NOT_FOUND: segmentation's answer to Pricing carries it. */
  public static Future<String> priceGroup(SqlConnection conn, UUID organizationId, UUID customerId) {
    return conn.preparedQuery(PRICE_GROUP).execute(Tuple.of(organizationId, customerId)).map(rows -> {
      if (rows.size() == 0) {
        throw ErrorCode.CUSTOMER_NOT_FOUND.exception(customerId);
      }
      return rows.iterator().next().getString(0);
    });
  }

  /** The customer's status, or CUSTOMER_NOT_FOUND (also for another organization's customer). */
  public static Future<CustomerStatus> require(SqlConnection conn, UUID organizationId, UUID customerId) {
    return conn.preparedQuery(STATUS).execute(Tuple.of(organizationId, customerId)).map(rows -> {
      if (rows.size() == 0) {
        throw ErrorCode.CUSTOMER_NOT_FOUND.exception(customerId);
      }
      return CustomerStatus.of("status", rows.iterator().next().getString(0));
    });
  }

  /** Whether the customer exists (not deleted) in this organization. */
  public static Future<Boolean> exists(SqlConnection conn, UUID organizationId, UUID customerId) {
    return conn.preparedQuery(STATUS).execute(Tuple.of(organizationId, customerId)).map(rows -> rows.size() > 0);
  }
}
