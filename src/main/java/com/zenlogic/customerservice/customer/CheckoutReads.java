package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The POS checkout's reads, one statement each.
 *
 * <p>PERF: a normal unit of work costs four statements (BEGIN, set_config, SELECT, COMMIT). Here the
 * tenant is set by a materialised CTE of the same statement, and the customer scan is a LATERAL
 * subquery parameterised by its result, so PostgreSQL can only run it after the tenant is set; the
 * setting is transaction-local and ends with the statement. Row-Level Security still filters the
 * scan: were the order ever different, the policy (empty setting matches nothing) would answer
 * "not found", never another tenant's row. Deleted customers are not found.
 */
public final class CheckoutReads {
  private static final String TENANT = "WITH t AS MATERIALIZED (SELECT set_config('app.organization_id', $1, true)::uuid AS org) ";

  private static final String BY_ID = TENANT + "SELECT c.* FROM t CROSS JOIN LATERAL (SELECT " + CustomerRepository.COLUMNS
      + " FROM customers WHERE organization_id = t.org AND id = $2 AND deleted_at IS NULL OFFSET 0) c";

  private static final String BY_PHONE = byKey("phone");
  private static final String BY_EMAIL = byKey("email");
  private static final String BY_DOCUMENT = byKey("document_number");
  private static final String BY_CARD = byKey("loyalty_card");

  private final Pool pool;

  public CheckoutReads(Pool pool) {
    this.pool = pool;
  }

  public Future<Customer> byId(UUID org, UUID id) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(org.toString(), id)).map(CheckoutReads::first);
  }

  public Future<Customer> byKey(UUID org, LookupKey key) {
    String sql = switch (key.kind()) {
      case LookupKey.PHONE -> BY_PHONE;
      case LookupKey.EMAIL -> BY_EMAIL;
      case LookupKey.DOCUMENT -> BY_DOCUMENT;
      default -> BY_CARD;
    };
    return pool.preparedQuery(sql).execute(Tuple.tuple().addString(org.toString()).addArrayOfString(key.values().toArray(String[]::new)))
        .map(CheckoutReads::first);
  }

  /** A document may be stored in several spellings; the oldest customer wins, deterministically. */
  private static String byKey(String column) {
    return TENANT + "SELECT c.* FROM t CROSS JOIN LATERAL (SELECT " + CustomerRepository.COLUMNS
        + " FROM customers WHERE organization_id = t.org AND " + column + " = ANY ($2) AND deleted_at IS NULL"
        + " ORDER BY id LIMIT 1) c";
  }

  private static Customer first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? CustomerRepository.fromRow(it.next()) : null;
  }
}
