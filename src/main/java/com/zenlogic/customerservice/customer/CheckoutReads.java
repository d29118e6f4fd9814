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
 *
 * <p>This read model deliberately joins the loyalty account and the approved credit line (owned by
 * their capabilities): the checkout needs all three, and one round trip is the point of this class.
 */
public final class CheckoutReads {
  private static final String TENANT = "WITH t AS MATERIALIZED (SELECT set_config('app.organization_id', $1, true)::uuid AS org) ";

  private static final String LOYALTY = """
       LEFT JOIN loyalty_accounts la ON la.organization_id = c.organization_id AND la.customer_id = c.id
       LEFT JOIN credit_lines cl ON cl.organization_id = c.organization_id AND cl.customer_id = c.id AND cl.status = 'approved'""";

  private static final String SELECT = "SELECT c.*, coalesce(la.balance, 0) AS points_balance, coalesce(la.held, 0) AS points_held, "
      + "coalesce(la.lifetime_earned, 0) AS lifetime_points, la.tier AS loyalty_tier, "
      + "coalesce(cl.credit_limit, 0) AS credit_limit, coalesce(greatest(cl.credit_limit - cl.outstanding + cl.credit_balance, 0), 0) "
      + "AS credit_available, cl.outstanding AS credit_outstanding, cl.terms_days, cl.currency FROM t ";

  private static final String BY_ID = TENANT + SELECT + "CROSS JOIN LATERAL (SELECT " + CustomerRepository.COLUMNS
      + " FROM customers WHERE organization_id = t.org AND id = $2 AND deleted_at IS NULL OFFSET 0) c " + LOYALTY;

  private static final String BY_PHONE = byKey("phone");
  private static final String BY_EMAIL = byKey("email");
  private static final String BY_DOCUMENT = byKey("document_number");
  private static final String BY_CARD = byKey("loyalty_card");

  private final Pool pool;

  public CheckoutReads(Pool pool) {
    this.pool = pool;
  }

  public Future<CheckoutView> byId(UUID org, UUID id) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(org.toString(), id)).map(CheckoutReads::first);
  }

  public Future<CheckoutView> byKey(UUID org, LookupKey key) {
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
    return TENANT + SELECT + "CROSS JOIN LATERAL (SELECT " + CustomerRepository.COLUMNS
        + " FROM customers WHERE organization_id = t.org AND " + column + " = ANY ($2) AND deleted_at IS NULL"
        + " ORDER BY id LIMIT 1) c " + LOYALTY;
  }

  private static CheckoutView first(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return null;
    }
    Row r = it.next();
    // PERF: a customer without points yet is shown in the default first tier; reading the program's
    // own first tier here would add a join to every checkout lookup.
    String tier = r.getString("loyalty_tier");
    return new CheckoutView(CustomerRepository.fromRow(r), r.getLong("points_balance"), r.getLong("points_held"),
        r.getLong("lifetime_points"), tier == null ? "bronze" : tier, r.getBigDecimal("credit_limit"), r.getBigDecimal("credit_available"),
        r.getBigDecimal("credit_outstanding"), r.getInteger("terms_days"), r.getString("currency"));
  }
}
