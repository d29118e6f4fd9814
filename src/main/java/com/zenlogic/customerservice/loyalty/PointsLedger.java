package com.zenlogic.customerservice.loyalty;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** SQL for the loyalty tables (never another capability's). Runs inside the caller's tenant transaction. */
final class PointsLedger {
  // Organizations whose loyalty_tenants row this instance saw committed (the application may only
  // insert those rows, never delete them): their next accounts skip the registration statement.
  private final Set<UUID> registered = ConcurrentHashMap.newKeySet();

  private static final String LEDGER_COLUMNS = """
      id, customer_id, entry_type, points, held_delta, balance_after, amount, reference, request_hash, channel, reason,
      actor, shortfall, tier_after, tier_upgraded, created_at""";

  private static final String PROGRAM = """
      SELECT strategy, points_per_unit, max_points_rate, points_per_money_unit, min_redemption, tier_window_months,
        downgrade_grace_days, expiry_months, hold_minutes, tiers, transfers_enabled, max_transfer_points, expiring_notice_days,
        time_zone, pending_days
      FROM loyalty_programs WHERE organization_id = $1""";

  private static final String SAVE_PROGRAM = """
      INSERT INTO loyalty_programs (organization_id, strategy, points_per_unit, max_points_rate, points_per_money_unit,
        min_redemption, tier_window_months, downgrade_grace_days, expiry_months, hold_minutes, tiers, updated_by, updated_at,
        transfers_enabled, max_transfer_points, expiring_notice_days, time_zone, pending_days)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13, $14, $15, $16, $17)
      ON CONFLICT (organization_id) DO UPDATE SET strategy = EXCLUDED.strategy, points_per_unit = EXCLUDED.points_per_unit,
        max_points_rate = EXCLUDED.max_points_rate, points_per_money_unit = EXCLUDED.points_per_money_unit,
        min_redemption = EXCLUDED.min_redemption, tier_window_months = EXCLUDED.tier_window_months,
        downgrade_grace_days = EXCLUDED.downgrade_grace_days, expiry_months = EXCLUDED.expiry_months,
        hold_minutes = EXCLUDED.hold_minutes, tiers = EXCLUDED.tiers, updated_by = EXCLUDED.updated_by, updated_at = now(),
        transfers_enabled = EXCLUDED.transfers_enabled, max_transfer_points = EXCLUDED.max_transfer_points,
        expiring_notice_days = EXCLUDED.expiring_notice_days, time_zone = EXCLUDED.time_zone,
        pending_days = EXCLUDED.pending_days""";

  private static final String OPEN_ACCOUNT = """
      INSERT INTO loyalty_accounts (organization_id, customer_id, tier, tier_since) VALUES ($1, $2, $3, $4)
      ON CONFLICT DO NOTHING RETURNING customer_id""";

  private static final String REGISTER_TENANT = "INSERT INTO loyalty_tenants (organization_id) VALUES ($1) ON CONFLICT DO NOTHING";

  private static final String ACCOUNT = """
      SELECT customer_id, balance, held, lifetime_earned, tier, tier_since, below_tier_since, pending, merged_into
      FROM loyalty_accounts WHERE organization_id = $1 AND customer_id = $2""";

  private static final String LOCK_ACCOUNT = ACCOUNT + " FOR UPDATE";

  private static final String UPDATE_ACCOUNT = """
      UPDATE loyalty_accounts SET balance = balance + $3, held = held + $4, lifetime_earned = lifetime_earned + $5,
        tier = $6, tier_since = $7, below_tier_since = $8, pending = pending + $9, updated_at = now()
      WHERE organization_id = $1 AND customer_id = $2""";

  private static final String INSERT_ENTRY = """
      INSERT INTO loyalty_ledger (organization_id, customer_id, entry_type, points, held_delta, balance_after, amount, reference,
        idempotency_key, request_hash, channel, reason, actor, shortfall, tier_after, tier_upgraded, created_at, pending_delta)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
      ON CONFLICT (organization_id, idempotency_key) DO NOTHING
      RETURNING""" + " " + LEDGER_COLUMNS;

  private static final String ENTRY_BY_KEY = "SELECT " + LEDGER_COLUMNS
      + " FROM loyalty_ledger WHERE organization_id = $1 AND idempotency_key = $2";

  // A customer's history is its own rows and those of every account merged into it (loyalty_account_links).
  // Earned minus reversed, pending points excluded: an earn counts its points less its pending part,
  // a return of pending points counts nothing, and the release ('available') counts them when it happens.
  // PERF: the customer's own rows and the merged accounts' rows as two sums. With customer_id = ANY
  // (an array computed in the statement) the generic plan chose the (organization, created_at) index
  // and read every ledger row of the tenant in the window on every earn (w 336 -> 175 rps in the bench).
  private static final String QUALIFYING = """
      SELECT (SELECT coalesce(sum(points - pending_delta), 0) FROM loyalty_ledger
               WHERE organization_id = $1 AND customer_id = $2 AND entry_type IN ('earn', 'reverse', 'available')
                 AND created_at > $3)
           + (SELECT coalesce(sum(l.points - l.pending_delta), 0) FROM loyalty_account_links k
               JOIN loyalty_ledger l ON l.organization_id = k.organization_id AND l.customer_id = k.linked_id
               WHERE k.organization_id = $1 AND k.customer_id = $2 AND l.entry_type IN ('earn', 'reverse', 'available')
                 AND l.created_at > $3)""";

  private static final String ADD_LOT = """
      INSERT INTO loyalty_lots (organization_id, ledger_id, customer_id, points, remaining, earned_at, expires_at, pending_until)
      VALUES ($1, $2, $3, $4, $4, $5, $6, $7)""";

  // Oldest points first; the lot of a given earn first when one is named (reversals), or one lot (expiry).
  // Pending lots are not spendable: only a reversal of that very earn takes from one.
  private static final String LOTS_FIFO = """
      SELECT id, ledger_id, remaining, earned_at, expires_at FROM loyalty_lots
      WHERE organization_id = $1 AND customer_id = $2 AND remaining > 0 AND (pending_until IS NULL OR ledger_id = $3)
      ORDER BY (ledger_id = $3) DESC, (id = $4) DESC, earned_at, ledger_id, id FOR UPDATE""";

  private static final String LOT_REMAINING = """
      SELECT remaining, pending_until FROM loyalty_lots WHERE organization_id = $1 AND ledger_id = $2 FOR UPDATE""";

  // What the reversals of one purchase took back so far (shortfalls count: those points are written off) and the money returned.
  private static final String REVERSED_SO_FAR = """
      SELECT coalesce(sum(shortfall - points), 0) AS points, coalesce(sum(amount), 0) AS amount FROM loyalty_ledger
      WHERE organization_id = $1 AND customer_id = $2 AND entry_type = 'reverse' AND reference = $3""";

  private static final String REDEMPTIONS_BY_REFERENCE = """
      SELECT customer_id, coalesce(sum(-points), 0) AS points FROM loyalty_ledger
      WHERE organization_id = $1 AND entry_type = 'redeem' AND reference = $2
      GROUP BY customer_id ORDER BY customer_id""";

  // One bounded batch of the release job: the pending lots due of the next $3 customers after $4.
  private static final String DUE_PENDING_LOTS_BATCH = """
      SELECT ledger_id, customer_id, remaining FROM loyalty_lots
      WHERE organization_id = $1 AND pending_until IS NOT NULL AND pending_until <= $2 AND customer_id IN (
        SELECT DISTINCT customer_id FROM loyalty_lots
        WHERE organization_id = $1 AND pending_until IS NOT NULL AND pending_until <= $2 AND ($4::uuid IS NULL OR customer_id > $4)
        ORDER BY customer_id LIMIT $3)
      ORDER BY customer_id, earned_at, ledger_id""";

  private static final String RELEASE_LOT = """
      UPDATE loyalty_lots SET pending_until = NULL
      WHERE organization_id = $1 AND ledger_id = $2 AND pending_until IS NOT NULL RETURNING remaining""";

  private static final String TAKE_FROM_LOT =
      "UPDATE loyalty_lots SET remaining = remaining - $3 WHERE organization_id = $1 AND id = $2";

  // A transfer's receiver: one lot per sender lot drawn from, keeping its earn and expiry dates.
  private static final String ADD_TRANSFERRED_LOT = """
      INSERT INTO loyalty_lots (organization_id, ledger_id, customer_id, points, remaining, earned_at, expires_at, transferred_from)
      VALUES ($1, $2, $3, $4, $4, $5, $6, $7)""";

  private static final String INSERT_TRANSFER = """
      INSERT INTO loyalty_transfers (organization_id, transfer_id, from_customer_id, to_customer_id, points, reason, actor,
        correlation_id, out_ledger_id, in_ledger_id, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""";

  // One bounded batch of the expiring notice: lots expiring in (now, until] not yet notified, by lot id
  // after $4. Marked in the same statement, so only one run ever takes a lot; locked lots are left
  // for the next run rather than waited for.
  private static final String MARK_EXPIRING_BATCH = """
      WITH due AS (
        SELECT id FROM loyalty_lots
        WHERE organization_id = $1 AND remaining > 0 AND expiring_notified_at IS NULL AND expires_at > $2 AND expires_at <= $3
          AND id > $4
        ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED)
      UPDATE loyalty_lots l SET expiring_notified_at = $2 FROM due
      WHERE l.organization_id = $1 AND l.id = due.id AND l.remaining > 0 AND l.expiring_notified_at IS NULL
      RETURNING l.id, l.customer_id, l.remaining, l.expires_at""";

  // One bounded batch of the expiry job: the due lots of the next $4 customers after $3, in customer order.
  private static final String EXPIRED_LOTS_BATCH = """
      SELECT id, ledger_id, customer_id, remaining, transferred_from IS NOT NULL AS transferred FROM loyalty_lots
      WHERE organization_id = $1 AND remaining > 0 AND expires_at <= $2 AND pending_until IS NULL AND customer_id IN (
        SELECT DISTINCT customer_id FROM loyalty_lots
        WHERE organization_id = $1 AND remaining > 0 AND expires_at <= $2 AND pending_until IS NULL AND ($3::uuid IS NULL OR customer_id > $3)
        ORDER BY customer_id LIMIT $4)
      ORDER BY customer_id, earned_at, ledger_id, id""";

  private static final String EXPIRING = """
      SELECT coalesce(sum(remaining), 0) FROM loyalty_lots
      WHERE organization_id = $1 AND customer_id = $2 AND remaining > 0 AND expires_at <= $3""";

  private static final String INSERT_HOLD = """
      INSERT INTO loyalty_holds (organization_id, id, customer_id, points, reference, status, expires_at, created_at)
      VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)""";

  private static final String HOLD = """
      SELECT id, customer_id, points, reference, status, expires_at FROM loyalty_holds
      WHERE organization_id = $1 AND id = $2""";

  private static final String LOCK_HOLD = HOLD + " FOR UPDATE";

  private static final String HOLD_BY_REFERENCE = """
      SELECT id, customer_id, points, reference, status, expires_at FROM loyalty_holds
      WHERE organization_id = $1 AND reference = $2 ORDER BY created_at DESC LIMIT 1""";

  private static final String CLOSE_HOLD =
      "UPDATE loyalty_holds SET status = $3, closed_at = $4 WHERE organization_id = $1 AND id = $2";

  private static final String DUE_HOLDS = """
      SELECT id FROM loyalty_holds WHERE organization_id = $1 AND status = 'open' AND expires_at <= $2""";

  private static final String ACCOUNTS_FOR_REVIEW_BATCH = """
      SELECT customer_id FROM loyalty_accounts WHERE organization_id = $1 AND tier <> $2 AND ($3::uuid IS NULL OR customer_id > $3)
      ORDER BY customer_id LIMIT $4""";

  // The customer's page and the merged accounts' page, each read down the (organization, customer, id)
  // index, then merged: with customer_id = ANY (an array) the generic plan scanned the tenant's ledger.
  private static final String LEDGER_PAGE = "SELECT " + LEDGER_COLUMNS + " FROM ((SELECT " + LEDGER_COLUMNS
      + " FROM loyalty_ledger WHERE organization_id = $1 AND customer_id = $2 AND ($3::bigint IS NULL OR id < $3)"
      + " ORDER BY id DESC LIMIT $4) UNION ALL (SELECT " + LEDGER_COLUMNS
      + " FROM loyalty_ledger WHERE organization_id = $1 AND customer_id IN"
      + " (SELECT linked_id FROM loyalty_account_links WHERE organization_id = $1 AND customer_id = $2)"
      + " AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4)) page ORDER BY id DESC LIMIT $4";

  private static final String TENANTS = "SELECT organization_id FROM loyalty_tenants";

  private static final String INSERT_EARN_ITEM = """
      INSERT INTO loyalty_earn_items (organization_id, earn_id, line_key, quantity) VALUES ($1, $2, $3, $4)""";

  private static final String EARN_ITEMS = """
      SELECT line_key, quantity FROM loyalty_earn_items WHERE organization_id = $1 AND earn_id = $2""";

  private static final String RETURNED_ITEMS = """
      SELECT line_key, sum(quantity) AS quantity FROM loyalty_returned_items WHERE organization_id = $1 AND earn_id = $2
      GROUP BY line_key""";

  private static final String INSERT_RETURNED_ITEM = """
      INSERT INTO loyalty_returned_items (organization_id, reverse_id, earn_id, line_key, quantity) VALUES ($1, $2, $3, $4, $5)""";

  Future<LoyaltyProgram> program(SqlConnection conn, UUID org) {
    return conn.preparedQuery(PROGRAM).execute(Tuple.of(org)).map(rows -> {
      if (rows.size() == 0) {
        return LoyaltyProgram.DEFAULT;
      }
      Row r = rows.iterator().next();
      List<Tier> tiers = new ArrayList<>();
      for (Object o : (JsonArray) r.getValue("tiers")) {
        JsonObject t = (JsonObject) o;
        List<String> benefits = new ArrayList<>();
        t.getJsonArray("benefits", new JsonArray()).forEach(b -> benefits.add(String.valueOf(b)));
        tiers.add(new Tier(t.getString("code"), t.getLong("threshold"), new BigDecimal(t.getValue("multiplier").toString()), benefits));
      }
      return new LoyaltyProgram(r.getString("strategy"), r.getBigDecimal("points_per_unit"), r.getBigDecimal("max_points_rate"),
          r.getInteger("points_per_money_unit"), r.getInteger("min_redemption"), r.getInteger("tier_window_months"),
          r.getInteger("downgrade_grace_days"), r.getInteger("expiry_months"), r.getInteger("hold_minutes"), tiers,
          r.getBoolean("transfers_enabled"), r.getLong("max_transfer_points"), r.getInteger("expiring_notice_days"),
          r.getString("time_zone"), r.getInteger("pending_days"));
    });
  }

  Future<Void> saveProgram(SqlConnection conn, UUID org, LoyaltyProgram p, String actor) {
    JsonArray tiers = new JsonArray();
    p.tiers().forEach(t -> tiers.add(new JsonObject().put("code", t.code()).put("threshold", t.threshold())
        .put("multiplier", t.multiplier().toPlainString()).put("benefits", new JsonArray(t.benefits()))));
    return conn.preparedQuery(SAVE_PROGRAM).execute(Tuple.of(org, p.strategy(), p.pointsPerUnit(), p.maxPointsRate())
        .addValue(p.pointsPerMoneyUnit()).addValue(p.minRedemption()).addValue(p.tierWindowMonths())
        .addValue(p.downgradeGraceDays()).addValue(p.expiryMonths()).addValue(p.holdMinutes()).addValue(tiers).addValue(actor)
        .addValue(p.transfersEnabled()).addValue(p.maxTransferPoints()).addValue(p.expiringNoticeDays())
        .addValue(p.timeZone()).addValue(p.pendingDays())).mapEmpty();
  }

  /** Opens the account on first use, then locks it for the rest of the transaction. */
  Future<LoyaltyAccount> lockAccount(SqlConnection conn, UUID org, UUID customerId, String firstTier, Instant now) {
    return lockAccount(conn, org, customerId, firstTier, now, false);
  }

  /**
   * As {@link #lockAccount(SqlConnection, UUID, UUID, String, Instant)}; an account merged into another
   * customer is refused (CUSTOMER_MERGED) unless {@code mergedToo}: an operation that waited for the
   * lock while a merge moved the points away must not land on the empty account.
   */
  Future<LoyaltyAccount> lockAccount(SqlConnection conn, UUID org, UUID customerId, String firstTier, Instant now, boolean mergedToo) {
    // PERF: the lock goes out behind the opening without waiting (pipelined; the server runs them in
    // order, so the lock finds the row the opening may have inserted): one round trip less.
    Future<RowSet<Row>> opened = conn.preparedQuery(OPEN_ACCOUNT).execute(Tuple.of(org, customerId, firstTier, utc(now)));
    Future<RowSet<Row>> locked = conn.preparedQuery(LOCK_ACCOUNT).execute(Tuple.of(org, customerId));
    return opened
        .compose(created -> created.size() == 0 || registered.contains(org) ? Future.succeededFuture()
            : conn.preparedQuery(REGISTER_TENANT).execute(Tuple.of(org)).onSuccess(v -> rememberRegistered(conn, org)).mapEmpty())
        .compose(v -> locked)
        .map(rows -> {
          Row r = rows.iterator().next();
          if (!mergedToo) {
            AccountMerges.requireNotMerged(customerId, r.getUUID("merged_into"));
          }
          return account(r);
        });
  }

  private void rememberRegistered(SqlConnection conn, UUID org) {
    Transaction tx = conn.transaction();
    if (tx != null) {
      tx.completion().onSuccess(v -> registered.add(org));
    }
  }

  Future<LoyaltyAccount> account(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(ACCOUNT).execute(Tuple.of(org, customerId))
        .map(rows -> rows.size() == 0 ? null : account(rows.iterator().next()));
  }

  Future<Void> updateAccount(SqlConnection conn, UUID org, UUID customerId, long balanceDelta, long heldDelta, long lifetimeDelta,
                             String tier, Instant tierSince, Instant belowTierSince) {
    return updateAccount(conn, org, customerId, balanceDelta, heldDelta, lifetimeDelta, tier, tierSince, belowTierSince, 0);
  }

  Future<Void> updateAccount(SqlConnection conn, UUID org, UUID customerId, long balanceDelta, long heldDelta, long lifetimeDelta,
                             String tier, Instant tierSince, Instant belowTierSince, long pendingDelta) {
    return conn.preparedQuery(UPDATE_ACCOUNT).execute(Tuple.of(org, customerId, balanceDelta, heldDelta, lifetimeDelta, tier)
        .addValue(utc(tierSince)).addValue(belowTierSince == null ? null : utc(belowTierSince)).addValue(pendingDelta)).mapEmpty();
  }

  /** Appends an entry, or answers null when its idempotency key is already taken. */
  Future<LedgerEntry> append(SqlConnection conn, UUID org, LedgerEntry e, String idempotencyKey, long pendingDelta) {
    return conn.preparedQuery(INSERT_ENTRY).execute(Tuple.of(org, e.customerId(), e.type(), e.points(), e.heldDelta(), e.balanceAfter())
            .addValue(e.amount()).addValue(e.reference()).addValue(idempotencyKey).addValue(e.requestHash()).addValue(e.channel())
            .addValue(e.reason()).addValue(e.actor()).addValue(e.shortfall()).addValue(e.tierAfter()).addValue(e.tierUpgraded())
            .addValue(utc(e.createdAt())).addValue(pendingDelta))
        .map(rows -> rows.size() == 0 ? null : entry(rows.iterator().next()));
  }

  Future<LedgerEntry> entryByKey(SqlConnection conn, UUID org, String idempotencyKey) {
    return conn.preparedQuery(ENTRY_BY_KEY).execute(Tuple.of(org, idempotencyKey))
        .map(rows -> rows.size() == 0 ? null : entry(rows.iterator().next()));
  }

  Future<Long> qualifying(SqlConnection conn, UUID org, UUID customerId, Instant since) {
    return conn.preparedQuery(QUALIFYING).execute(Tuple.of(org, customerId, utc(since)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  Future<Void> addLot(SqlConnection conn, UUID org, LedgerEntry earn, Instant expiresAt, Instant pendingUntil) {
    return conn.preparedQuery(ADD_LOT).execute(Tuple.of(org, earn.id(), earn.customerId(), earn.points(), utc(earn.createdAt()),
        expiresAt == null ? null : utc(expiresAt)).addValue(pendingUntil == null ? null : utc(pendingUntil))).mapEmpty();
  }

  /** What is left of one earn's points (0 when it earned none), and whether they are still pending. */
  record Lot(long remaining, boolean pending) {}

  Future<Lot> lot(SqlConnection conn, UUID org, long ledgerId) {
    return conn.preparedQuery(LOT_REMAINING).execute(Tuple.of(org, ledgerId)).map(rows -> {
      if (rows.size() == 0) {
        return new Lot(0, false);
      }
      Row r = rows.iterator().next();
      return new Lot(r.getLong("remaining"), r.getValue("pending_until") != null);
    });
  }

  record Reversed(long points, BigDecimal amount) {}

  Future<Reversed> reversedSoFar(SqlConnection conn, UUID org, UUID customerId, String reference) {
    return conn.preparedQuery(REVERSED_SO_FAR).execute(Tuple.of(org, customerId, reference)).map(rows -> {
      Row r = rows.iterator().next();
      return new Reversed(r.getLong("points"), r.getBigDecimal("amount"));
    });
  }

  record Redeemed(UUID customerId, long points) {}

  /** The points redeemed under a reference (an order or a sale), per customer. */
  Future<List<Redeemed>> redemptions(SqlConnection conn, UUID org, String reference) {
    return conn.preparedQuery(REDEMPTIONS_BY_REFERENCE).execute(Tuple.of(org, reference)).map(rows -> {
      List<Redeemed> out = new ArrayList<>();
      rows.forEach(r -> out.add(new Redeemed(r.getUUID("customer_id"), r.getLong("points"))));
      return out;
    });
  }

  record PendingLot(long ledgerId, UUID customerId, long remaining) {}

  Future<List<PendingLot>> duePendingLots(SqlConnection conn, UUID org, Instant now, UUID afterCustomer, int customers) {
    return conn.preparedQuery(DUE_PENDING_LOTS_BATCH).execute(Tuple.of(org, utc(now), customers, afterCustomer)).map(rows -> {
      List<PendingLot> out = new ArrayList<>();
      rows.forEach(r -> out.add(new PendingLot(r.getLong("ledger_id"), r.getUUID("customer_id"), r.getLong("remaining"))));
      return out;
    });
  }

  /** Makes a pending lot spendable; answers its points then, or -1 when it was released already. */
  Future<Long> releaseLot(SqlConnection conn, UUID org, long ledgerId) {
    return conn.preparedQuery(RELEASE_LOT).execute(Tuple.of(org, ledgerId))
        .map(rows -> rows.size() == 0 ? -1L : rows.iterator().next().getLong(0));
  }

  /** Takes points from the customer's lots, oldest first (the preferred lot first); answers how many were taken. */
  Future<Long> consume(SqlConnection conn, UUID org, UUID customerId, long points, long preferredLot) {
    return consume(conn, org, customerId, points, preferredLot, -1)
        .map(takes -> takes.stream().mapToLong(LotTake::points).sum());
  }

  /** What one consumption took from one lot, with that lot's dates (a transfer hands them on). */
  record LotTake(long lotId, long points, Instant earnedAt, Instant expiresAt) {}

  /**
   * Takes points oldest first; the lots of ledger row {@code preferredLedger}, then lot
   * {@code preferredLotId}, first (-1: none). Answers what it took from which lot.
   */
  Future<List<LotTake>> consume(SqlConnection conn, UUID org, UUID customerId, long points, long preferredLedger, long preferredLotId) {
    if (points <= 0) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(LOTS_FIFO).execute(Tuple.of(org, customerId, preferredLedger, preferredLotId)).compose(rows -> {
      List<Tuple> updates = new ArrayList<>();
      List<LotTake> takes = new ArrayList<>();
      long left = points;
      for (Row r : rows) {
        if (left == 0) {
          break;
        }
        long take = Math.min(left, r.getLong("remaining"));
        updates.add(Tuple.of(org, r.getLong("id"), take));
        OffsetDateTime expires = r.getOffsetDateTime("expires_at");
        takes.add(new LotTake(r.getLong("id"), take, r.getOffsetDateTime("earned_at").toInstant(),
            expires == null ? null : expires.toInstant()));
        left -= take;
      }
      return updates.isEmpty() ? Future.succeededFuture(List.<LotTake>of())
          : conn.preparedQuery(TAKE_FROM_LOT).executeBatch(updates).map(List.copyOf(takes));
    });
  }

  /** The receiver's lots of a transfer_in row: what each sender lot gave, with its dates. */
  Future<Void> addTransferredLots(SqlConnection conn, UUID org, LedgerEntry transferIn, List<LotTake> takes) {
    if (takes.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (LotTake t : takes) {
      rows.add(Tuple.of(org, transferIn.id(), transferIn.customerId(), t.points(), utc(t.earnedAt()),
          t.expiresAt() == null ? null : utc(t.expiresAt())).addValue(t.lotId()));
    }
    return conn.preparedQuery(ADD_TRANSFERRED_LOT).executeBatch(rows).mapEmpty();
  }

  /** The transfer's audit row, beside its two ledger rows. */
  Future<Void> recordTransfer(SqlConnection conn, UUID org, String transferId, LedgerEntry out, LedgerEntry in, String correlationId) {
    return conn.preparedQuery(INSERT_TRANSFER).execute(Tuple.of(org, transferId, out.customerId(), in.customerId(), in.points(),
        in.reason()).addValue(in.actor()).addValue(correlationId).addValue(out.id()).addValue(in.id()).addValue(utc(in.createdAt())))
        .mapEmpty();
  }

  record ExpiringLot(long lotId, UUID customerId, long remaining, Instant expiresAt) {}

  /** Marks the next {@code limit} lots expiring in (now, until] after lot {@code afterLot}, and answers them. */
  Future<List<ExpiringLot>> markExpiring(SqlConnection conn, UUID org, Instant now, Instant until, long afterLot, int limit) {
    return conn.preparedQuery(MARK_EXPIRING_BATCH).execute(Tuple.of(org, utc(now), utc(until), afterLot, limit)).map(rows -> {
      List<ExpiringLot> out = new ArrayList<>();
      rows.forEach(r -> out.add(new ExpiringLot(r.getLong("id"), r.getUUID("customer_id"), r.getLong("remaining"),
          r.getOffsetDateTime("expires_at").toInstant())));
      out.sort(java.util.Comparator.comparingLong(ExpiringLot::lotId));
      return out;
    });
  }

  /** A due lot; {@code transferred}: it came with a transfer, so its ledger row may carry other lots too. */
  record ExpiredLot(long ledgerId, UUID customerId, long remaining, long lotId, boolean transferred) {}

  Future<Long> expiring(SqlConnection conn, UUID org, UUID customerId, Instant before) {
    return conn.preparedQuery(EXPIRING).execute(Tuple.of(org, customerId, utc(before))).map(rows -> rows.iterator().next().getLong(0));
  }

  Future<Void> insertHold(SqlConnection conn, UUID org, Hold h, Instant now) {
    return conn.preparedQuery(INSERT_HOLD).execute(Tuple.of(org, h.id(), h.customerId(), h.points(), h.reference(),
        utc(h.expiresAt())).addValue(utc(now))).mapEmpty();
  }

  Future<Hold> hold(SqlConnection conn, UUID org, UUID holdId) {
    return conn.preparedQuery(HOLD).execute(Tuple.of(org, holdId)).map(rows -> rows.size() == 0 ? null : hold(rows.iterator().next()));
  }

  Future<Hold> lockHold(SqlConnection conn, UUID org, UUID holdId) {
    return conn.preparedQuery(LOCK_HOLD).execute(Tuple.of(org, holdId)).map(rows -> rows.size() == 0 ? null : hold(rows.iterator().next()));
  }

  Future<Hold> holdByReference(SqlConnection conn, UUID org, String reference) {
    return conn.preparedQuery(HOLD_BY_REFERENCE).execute(Tuple.of(org, reference))
        .map(rows -> rows.size() == 0 ? null : hold(rows.iterator().next()));
  }

  Future<Void> closeHold(SqlConnection conn, UUID org, UUID holdId, String status, Instant now) {
    return conn.preparedQuery(CLOSE_HOLD).execute(Tuple.of(org, holdId, status, utc(now))).mapEmpty();
  }

  Future<List<UUID>> dueHolds(SqlConnection conn, UUID org, Instant now) {
    return conn.preparedQuery(DUE_HOLDS).execute(Tuple.of(org, utc(now))).map(PointsLedger::uuids);
  }

  Future<List<ExpiredLot>> expiredLots(SqlConnection conn, UUID org, Instant now, UUID afterCustomer, int customers) {
    return conn.preparedQuery(EXPIRED_LOTS_BATCH).execute(Tuple.of(org, utc(now), afterCustomer, customers)).map(rows -> {
      List<ExpiredLot> out = new ArrayList<>();
      rows.forEach(r -> out.add(new ExpiredLot(r.getLong("ledger_id"), r.getUUID("customer_id"), r.getLong("remaining"),
          r.getLong("id"), r.getBoolean("transferred"))));
      return out;
    });
  }

  Future<List<UUID>> accountsAboveFirstTier(SqlConnection conn, UUID org, String firstTier, UUID afterCustomer, int limit) {
    return conn.preparedQuery(ACCOUNTS_FOR_REVIEW_BATCH).execute(Tuple.of(org, firstTier, afterCustomer, limit))
        .map(PointsLedger::uuids);
  }

  Future<List<LedgerEntry>> page(SqlConnection conn, UUID org, UUID customerId, Long beforeId, int limit) {
    return conn.preparedQuery(LEDGER_PAGE).execute(Tuple.of(org, customerId, beforeId, limit)).map(rows -> {
      List<LedgerEntry> out = new ArrayList<>();
      rows.forEach(r -> out.add(entry(r)));
      return out;
    });
  }

  /** Stores an earn's lines (line key to quantity, keys unique). */
  Future<Void> addEarnItems(SqlConnection conn, UUID org, long earnId, java.util.Map<String, Integer> lines) {
    if (lines.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    lines.forEach((key, qty) -> rows.add(Tuple.of(org, earnId, key, qty)));
    return conn.preparedQuery(INSERT_EARN_ITEM).executeBatch(rows).mapEmpty();
  }

  /** An earn's lines, or what its returns gave back of them: line key to quantity. */
  Future<java.util.Map<String, Integer>> earnItems(SqlConnection conn, UUID org, long earnId) {
    return conn.preparedQuery(EARN_ITEMS).execute(Tuple.of(org, earnId)).map(PointsLedger::quantities);
  }

  Future<java.util.Map<String, Integer>> returnedItems(SqlConnection conn, UUID org, long earnId) {
    return conn.preparedQuery(RETURNED_ITEMS).execute(Tuple.of(org, earnId)).map(PointsLedger::quantities);
  }

  Future<Void> addReturnedItems(SqlConnection conn, UUID org, long reverseId, long earnId, java.util.Map<String, Integer> lines) {
    if (lines.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    lines.forEach((key, qty) -> rows.add(Tuple.of(org, reverseId, earnId, key, qty)));
    return conn.preparedQuery(INSERT_RETURNED_ITEM).executeBatch(rows).mapEmpty();
  }

  private static java.util.Map<String, Integer> quantities(RowSet<Row> rows) {
    java.util.Map<String, Integer> out = new java.util.TreeMap<>();
    rows.forEach(r -> out.put(r.getString("line_key"), r.getNumeric("quantity").intValue()));
    return out;
  }

  /** Organization ids only (not tenant data): the scheduled jobs visit each in its own tenant transaction. */
  Future<List<UUID>> tenants(io.vertx.sqlclient.Pool pool) {
    return pool.query(TENANTS).execute().map(PointsLedger::uuids);
  }

  private static List<UUID> uuids(RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getUUID(0)));
    return out;
  }

  private static LoyaltyAccount account(Row r) {
    OffsetDateTime below = r.getOffsetDateTime("below_tier_since");
    return new LoyaltyAccount(r.getUUID("customer_id"), r.getLong("balance"), r.getLong("held"), r.getLong("lifetime_earned"),
        r.getString("tier"), r.getOffsetDateTime("tier_since").toInstant(), below == null ? null : below.toInstant(), r.getLong("pending"));
  }

  private static Hold hold(Row r) {
    return new Hold(r.getUUID("id"), r.getUUID("customer_id"), r.getLong("points"), r.getString("reference"), r.getString("status"),
        r.getOffsetDateTime("expires_at").toInstant());
  }

  static LedgerEntry entry(Row r) {
    return new LedgerEntry(r.getLong("id"), r.getUUID("customer_id"), r.getString("entry_type"), r.getLong("points"),
        r.getLong("held_delta"), r.getLong("balance_after"), r.getBigDecimal("amount"), r.getString("reference"),
        r.getString("request_hash"), r.getString("channel"), r.getString("reason"), r.getString("actor"), r.getLong("shortfall"),
        r.getString("tier_after"), r.getBoolean("tier_upgraded"), r.getOffsetDateTime("created_at").toInstant());
  }

  static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
