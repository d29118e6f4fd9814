package com.zenlogic.customerservice.loyalty;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The points a customer brings from the system the shop used before: one 'adjust' ledger entry per
 * customer, set-based for a batch of the bulk import, inside the caller's tenant transaction.
 * Its idempotency key is the customer's ({@link #key}), so importing a file again never posts a
 * second opening balance; the balance, the lot and the ledger row move together as in every posting.
 */
public final class OpeningBalances {
  /** What the ledger row's reason says. */
  public static final String REASON = "opening balance (import)";

  private static final String EXISTING = """
      SELECT customer_id, points FROM loyalty_ledger WHERE organization_id = $1 AND idempotency_key = ANY($2)""";

  // Accounts first (opened in the program's first tier, or locked and credited), then one ledger
  // row per account with the balance it left, then the lot the points are spent and expire from.
  private static final String POST = """
      WITH input AS (
        SELECT * FROM unnest($2::uuid[], $3::bigint[]) AS i(customer_id, points)),
      accounts AS (
        INSERT INTO loyalty_accounts (organization_id, customer_id, balance, tier, tier_since)
        SELECT $1, customer_id, points, $4, $5 FROM input
        ON CONFLICT (organization_id, customer_id) DO UPDATE
          SET balance = loyalty_accounts.balance + EXCLUDED.balance, updated_at = now()
        RETURNING customer_id, balance),
      entries AS (
        INSERT INTO loyalty_ledger (organization_id, customer_id, entry_type, points, balance_after, reference,
          idempotency_key, request_hash, channel, reason, actor, tier_after, created_at)
        SELECT $1, i.customer_id, 'adjust', i.points, a.balance, $6, 'import-opening:' || i.customer_id,
          i.customer_id || '|' || i.points, 'import', $8, $7, NULL, $5
        FROM input i JOIN accounts a USING (customer_id)
        RETURNING id, customer_id, points)
      INSERT INTO loyalty_lots (organization_id, ledger_id, customer_id, points, remaining, earned_at, expires_at)
      SELECT $1, id, customer_id, points, points, $5, $9 FROM entries""";

  private static final String REGISTER_TENANT = "INSERT INTO loyalty_tenants (organization_id) VALUES ($1) ON CONFLICT DO NOTHING";

  private final PointsLedger ledger = new PointsLedger();

  /** The idempotency key of a customer's opening balance. */
  public static String key(UUID customerId) {
    return "import-opening:" + customerId;
  }

  /** The opening balances already posted for these customers, by customer. */
  public Future<Map<UUID, Long>> posted(SqlConnection conn, UUID org, List<UUID> customerIds) {
    if (customerIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] keys = customerIds.stream().map(OpeningBalances::key).toArray(String[]::new);
    return conn.preparedQuery(EXISTING).execute(Tuple.of(org).addArrayOfString(keys)).map(rows -> {
      Map<UUID, Long> out = new HashMap<>();
      for (Row r : rows) {
        out.put(r.getUUID("customer_id"), r.getLong("points"));
      }
      return out;
    });
  }

  /**
   * Posts each customer's opening points (all positive, none posted before: see {@link #posted});
   * {@code reference} names the import, {@code actor} who started it.
   */
  public Future<Void> post(SqlConnection conn, UUID org, List<UUID> customerIds, List<Long> points, String reference, String actor,
                           Instant now) {
    if (customerIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return ledger.program(conn, org).compose(program -> {
      Instant expires = program.expiryMonths() == null ? null
          : now.atOffset(ZoneOffset.UTC).plusMonths(program.expiryMonths()).toInstant();
      Tuple params = Tuple.of(org, customerIds.toArray(UUID[]::new), points.toArray(Long[]::new), program.firstTier(),
              now.atOffset(ZoneOffset.UTC), reference, actor)
          .addValue(REASON).addValue(expires == null ? null : expires.atOffset(ZoneOffset.UTC));
      return conn.preparedQuery(POST).execute(params)
          .compose(v -> conn.preparedQuery(REGISTER_TENANT).execute(Tuple.of(org)))
          .mapEmpty();
    });
  }
}
