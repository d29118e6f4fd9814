package com.zenlogic.customerservice.customer;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The POS checkout's reads, one statement each.
 *
 * <p>PERF: a normal unit of work costs four statements (BEGIN, set_config, SELECT, COMMIT). Here the
 * tenant is set by a materialised CTE of the same statement, and everything that reads a table is
 * one LATERAL subquery parameterised by the CTE's result, so PostgreSQL can only run any of those
 * scans after the tenant is set, whatever join strategy it picks inside; the setting is
 * transaction-local and ends with the statement. Row-Level Security still filters every scan: were
 * the order ever different, the policy (an empty setting matches nothing) would answer "not found",
 * never another tenant's row. Deleted customers are not found.
 *
 * <p>Reads by id go through a {@link CheckoutBatcher}: concurrent ones share a statement.
 *
 * <p>This read model deliberately joins the loyalty account and the approved credit line (owned by
 * their capabilities): the checkout needs all three, and one round trip is the point of this class.
 */
public final class CheckoutReads {
  /**
   * Statements running at once per instance before reads by id start to queue and batch. One per
   * event loop measured best on the 2-core machine (43k/s against 30k/s with two): PostgreSQL's
   * cost is per statement far more than per row.
   */
  public static final int DEFAULT_IN_FLIGHT = 1;
  private static final int MAX_BATCH = 64;
  private static final int MAX_QUEUED = 4096;
  // Longer than the checkout pool's statement_timeout, so PostgreSQL normally gives up first.
  private static final long BATCH_TIMEOUT_MS = 3_000;

  private static final String TENANT = "WITH t AS MATERIALIZED (SELECT set_config('app.organization_id', $1, true)::uuid AS org) ";

  private static final String VIEW = "SELECT " + prefixed("c.", CustomerRepository.COLUMNS) + ", "
      + "coalesce(la.balance, 0) AS points_balance, coalesce(la.held, 0) AS points_held, coalesce(la.pending, 0) AS points_pending, "
      + "coalesce(la.lifetime_earned, 0) AS lifetime_points, la.tier AS loyalty_tier, "
      + "coalesce(cl.credit_limit, 0) AS credit_limit, coalesce(greatest(cl.credit_limit - cl.outstanding + cl.credit_balance, 0), 0) "
      + "AS credit_available, cl.outstanding AS credit_outstanding, cl.terms_days, cl.currency "
      + "FROM customers c "
      + "LEFT JOIN loyalty_accounts la ON la.organization_id = t.org AND la.customer_id = c.id "
      + "LEFT JOIN credit_lines cl ON cl.organization_id = t.org AND cl.customer_id = c.id AND cl.status = 'approved' "
      + "WHERE c.organization_id = t.org AND c.deleted_at IS NULL AND ";

  // One row per requested id that exists, tagged with its position in the request.
  private static final String BY_IDS = TENANT + "SELECT k.n, v.* FROM t CROSS JOIN unnest($2::uuid[]) WITH ORDINALITY AS k(id, n) "
      + "CROSS JOIN LATERAL (" + VIEW + "c.id = k.id OFFSET 0) v";

  private static final String BY_PHONE = byKey("phone");
  private static final String BY_EMAIL = byKey("email");
  private static final String BY_DOCUMENT = byKey("document_number");
  private static final String BY_CARD = byKey("loyalty_card");
  private static final String BY_EXTERNAL_ID = byKey("external_id");

  // A merged customer's key or id leads to its survivor (one hop: a chain of merges is kept flat).
  private static final String MERGED_BY_PHONE = mergedByKey("phone");
  private static final String MERGED_BY_EMAIL = mergedByKey("email");
  private static final String MERGED_BY_DOCUMENT = mergedByKey("document_number");
  private static final String MERGED_BY_CARD = mergedByKey("loyalty_card");
  private static final String MERGED_INTO = TENANT + "SELECT v.merged_into FROM t CROSS JOIN LATERAL ("
      + "SELECT c.merged_into FROM customers c WHERE c.organization_id = t.org AND c.id = $2 AND c.status = 'merged' OFFSET 0) v";

  private final Pool pool;
  private final CheckoutBatcher batcher;

  /** For one verticle instance: its reads by id are batched on {@code context}. */
  public CheckoutReads(Pool pool, Context context, int maxInFlight) {
    this.pool = pool;
    this.batcher = new CheckoutBatcher(context, maxInFlight, MAX_BATCH, MAX_QUEUED, BATCH_TIMEOUT_MS, this::byIds);
  }

  public Future<CheckoutView> byId(UUID org, UUID id) {
    return batcher.read(org, id);
  }

  /** One view per id, in the order given; null where there is no such (live) customer. */
  Future<List<CheckoutView>> byIds(UUID org, List<UUID> ids) {
    return pool.preparedQuery(BY_IDS).execute(Tuple.tuple().addString(org.toString()).addArrayOfUUID(ids.toArray(UUID[]::new))).map(rows -> {
      List<CheckoutView> views = new ArrayList<>(Collections.nCopies(ids.size(), null));
      for (Row row : rows) {
        views.set(row.getLong("n").intValue() - 1, view(row));
      }
      return views;
    });
  }

  public Future<CheckoutView> byKey(UUID org, LookupKey key) {
    String sql = switch (key.kind()) {
      case LookupKey.PHONE -> BY_PHONE;
      case LookupKey.EMAIL -> BY_EMAIL;
      case LookupKey.DOCUMENT -> BY_DOCUMENT;
      case LookupKey.EXTERNAL_ID -> BY_EXTERNAL_ID;
      default -> BY_CARD;
    };
    return pool.preparedQuery(sql).execute(Tuple.tuple().addString(org.toString()).addArrayOfString(key.values().toArray(String[]::new)))
        .map(rows -> {
          var it = rows.iterator();
          return it.hasNext() ? view(it.next()) : null;
        });
  }

  /** A lookup's answer: the customer, and whether it was found through a customer merged into it. */
  public record Found(CheckoutView view, boolean viaMerge) {}

  /**
   * As {@link #byKey}; when no live customer has the key, the survivor of the customer merged away
   * that had it (the last merged, when several did). A miss costs a second statement; a hit none.
   */
  public Future<Found> byKeyOrMerged(UUID org, LookupKey key) {
    return byKey(org, key).compose(view -> {
      if (view != null) {
        return Future.succeededFuture(new Found(view, false));
      }
      String sql = switch (key.kind()) {
        case LookupKey.PHONE -> MERGED_BY_PHONE;
        case LookupKey.EMAIL -> MERGED_BY_EMAIL;
        case LookupKey.DOCUMENT -> MERGED_BY_DOCUMENT;
        default -> MERGED_BY_CARD;
      };
      return pool.preparedQuery(sql).execute(Tuple.tuple().addString(org.toString()).addArrayOfString(key.values().toArray(String[]::new)))
          .compose(rows -> rows.size() == 0 ? Future.succeededFuture((Found) null)
              : byId(org, rows.iterator().next().getUUID(0)).map(survivor -> survivor == null ? null : new Found(survivor, true)));
    });
  }

  /** The survivor of a merged customer, or null when {@code id} is not a merged customer. */
  public Future<UUID> mergedInto(UUID org, UUID id) {
    return pool.preparedQuery(MERGED_INTO).execute(Tuple.tuple().addString(org.toString()).addUUID(id))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
  }

  private static String mergedByKey(String column) {
    return TENANT + "SELECT v.merged_into FROM t CROSS JOIN LATERAL (SELECT c.merged_into FROM customers c WHERE c.organization_id = t.org"
        + " AND c.status = 'merged' AND c." + column + " = ANY ($2) ORDER BY c.deleted_at DESC, c.id LIMIT 1) v";
  }

  /** A document may be stored in several spellings; the oldest customer wins, deterministically. */
  private static String byKey(String column) {
    return TENANT + "SELECT v.* FROM t CROSS JOIN LATERAL (" + VIEW + "c." + column + " = ANY ($2) ORDER BY c.id LIMIT 1) v";
  }

  private static String prefixed(String alias, String columns) {
    return Arrays.stream(columns.split(",")).map(String::strip).map(c -> alias + c).collect(Collectors.joining(", "));
  }

  private static CheckoutView view(Row r) {
    // PERF: a customer without points yet is shown in the default first tier; reading the program's
    // own first tier here would add a join to every checkout lookup.
    String tier = r.getString("loyalty_tier");
    return new CheckoutView(CustomerRepository.fromRow(r), r.getLong("points_balance"), r.getLong("points_held"),
        r.getLong("lifetime_points"), tier == null ? "bronze" : tier, r.getBigDecimal("credit_limit"), r.getBigDecimal("credit_available"),
        r.getBigDecimal("credit_outstanding"), r.getInteger("terms_days"), r.getString("currency"), r.getLong("points_pending"));
  }
}
