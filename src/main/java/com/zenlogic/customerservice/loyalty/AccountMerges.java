package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;

/**
 * The loyalty side of a customer merge, inside the merge's tenant transaction: every point of the
 * merged account (available, held and pending) moves to the survivor with its lots (earn, expiry
 * and pending dates unchanged) and its open holds, as a merge_out row on the merged account and a
 * merge_in row on the survivor. The merged account's ledger stays where it is and is linked to the
 * survivor (its qualifying points and its ledger read include it). Punch-card stamps and rewards
 * are added to the survivor's cards. The survivor's tier is the higher of the two, re-evaluated on
 * the joined history.
 */
public final class AccountMerges {
  /** What moved; all zero when the merged customer had no loyalty account. */
  public record PointsMoved(long balance, long available, long held, long pending, long lots, long openHolds, long lifetime,
                            long stamps, long rewards, String tierAfter) {}

  private static final String LOCK_FOR_MERGE = """
      SELECT customer_id, balance, held, pending, lifetime_earned, tier, tier_since, below_tier_since, merged_into
      FROM loyalty_accounts WHERE organization_id = $1 AND customer_id = $2 FOR UPDATE""";

  // Before the accounts, as a capture does (hold, then account): a capture and a merge never wait on each other in a cycle.
  private static final String LOCK_OPEN_HOLDS = """
      SELECT id FROM loyalty_holds WHERE organization_id = $1 AND customer_id = $2 AND status = 'open' ORDER BY id FOR UPDATE""";

  private static final String MOVE_OPEN_HOLDS = """
      UPDATE loyalty_holds SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2 AND status = 'open'""";

  private static final String MOVE_LOTS = """
      UPDATE loyalty_lots SET customer_id = $3 WHERE organization_id = $1 AND customer_id = $2 AND remaining > 0""";

  private static final String CLOSE_ACCOUNT = """
      UPDATE loyalty_accounts SET merged_into = $3, updated_at = now() WHERE organization_id = $1 AND customer_id = $2""";

  private static final String SET_TIER = """
      UPDATE loyalty_accounts SET tier = $3, tier_since = $4, below_tier_since = $5, updated_at = now()
      WHERE organization_id = $1 AND customer_id = $2""";

  // The survivor takes over the merged account and everything linked to it (a chain of merges stays flat).
  private static final String LINK = """
      INSERT INTO loyalty_account_links (organization_id, customer_id, linked_id)
      SELECT $1::uuid, $3::uuid, linked_id FROM loyalty_account_links WHERE organization_id = $1 AND customer_id = $2
      UNION SELECT $1::uuid, $3::uuid, $2::uuid
      ON CONFLICT DO NOTHING""";

  private static final String UNLINK = "DELETE FROM loyalty_account_links WHERE organization_id = $1 AND customer_id = $2";

  private static final String LOCK_CARDS = """
      SELECT program_id, customer_id, stamps, rewards_available FROM punch_cards
      WHERE organization_id = $1 AND customer_id = ANY ($2) ORDER BY program_id, customer_id FOR UPDATE""";

  private static final String MERGED_CARDS = """
      SELECT c.program_id, c.stamps, c.rewards_available, p.stamps_required FROM punch_cards c
      JOIN punch_card_programs p ON p.organization_id = c.organization_id AND p.id = c.program_id
      WHERE c.organization_id = $1 AND c.customer_id = $2 AND (c.stamps > 0 OR c.rewards_available > 0)""";

  private static final String EMPTY_CARD = """
      UPDATE punch_cards SET stamps = 0, rewards_available = 0, updated_at = now()
      WHERE organization_id = $1 AND program_id = $2 AND customer_id = $3""";

  // Stamps add up; a full card becomes a reward, as a purchase's stamps do.
  private static final String ADD_TO_CARD = """
      INSERT INTO punch_cards AS c (organization_id, program_id, customer_id, stamps, rewards_available, rewards_issued)
      VALUES ($1, $2, $3, $4::int % $6::int, $5::int + $4::int / $6::int, $4::int / $6::int)
      ON CONFLICT (organization_id, program_id, customer_id) DO UPDATE SET
        stamps = (c.stamps + $4::int) % $6::int, rewards_available = c.rewards_available + $5::int + (c.stamps + $4::int) / $6::int,
        rewards_issued = c.rewards_issued + (c.stamps + $4::int) / $6::int, updated_at = now()""";

  private static final String CARD_ENTRY = """
      INSERT INTO punch_card_ledger (organization_id, program_id, customer_id, entry_type, quantity, reference)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""";

  private final PointsLedger ledger = new PointsLedger();

  private record Account(UUID customerId, long balance, long held, long pending, long lifetime, String tier, Instant tierSince,
                         Instant belowTierSince, UUID mergedInto) {}

  /**
   * Moves the merged customer's points to the survivor. The caller holds both customer rows; this
   * locks the merged customer's open holds, then both accounts in PostgreSQL's uuid order (as a
   * transfer and the jobs do), so concurrent earns, redemptions and captures queue behind it.
   */
  public Future<PointsMoved> move(SqlConnection conn, UUID org, UUID merged, UUID survivor, String actor, Instant now) {
    return conn.preparedQuery(LOCK_OPEN_HOLDS).execute(Tuple.of(org, merged))
        .compose(holds -> ledger.program(conn, org))
        .compose(program -> {
          boolean mergedFirst = PointsTransfers.pgOrder(merged, survivor) < 0;
          UUID first = mergedFirst ? merged : survivor;
          UUID second = mergedFirst ? survivor : merged;
          return lock(conn, org, first, program.firstTier(), now)
              .compose(a -> lock(conn, org, second, program.firstTier(), now).map(b -> mergedFirst ? new Account[] {a, b} : new Account[] {b, a}))
              .compose(pair -> move(conn, org, pair[0], pair[1], program, actor, now));
        });
  }

  private Future<PointsMoved> move(SqlConnection conn, UUID org, Account m, Account s, LoyaltyProgram program, String actor, Instant now) {
    String hash = m.customerId() + "|" + s.customerId();
    String reference = m.customerId().toString();
    long[] counts = new long[2];
    Future<Void> points = Future.succeededFuture();
    if (m.balance() > 0 || m.lifetime() > 0) {
      LedgerEntry out = new LedgerEntry(0, m.customerId(), LedgerEntry.MERGE_OUT, -m.balance(), -m.held(), 0, null, s.customerId().toString(),
          hash, null, "merged into " + s.customerId(), actor, 0, m.tier(), false, now);
      LedgerEntry in = new LedgerEntry(0, s.customerId(), LedgerEntry.MERGE_IN, m.balance(), m.held(), s.balance() + m.balance(), null,
          reference, hash, null, "merged from " + m.customerId(), actor, 0, s.tier(), false, now);
      points = ledger.append(conn, org, out, "merge_out:" + m.customerId(), -m.pending())
          .compose(saved -> ledger.append(conn, org, in, "merge_in:" + m.customerId(), m.pending()))
          .compose(saved -> conn.preparedQuery(MOVE_LOTS).execute(Tuple.of(org, m.customerId(), s.customerId())))
          .compose(lots -> {
            counts[0] = lots.rowCount();
            return conn.preparedQuery(MOVE_OPEN_HOLDS).execute(Tuple.of(org, m.customerId(), s.customerId()));
          })
          .compose(holds -> {
            counts[1] = holds.rowCount();
            return ledger.updateAccount(conn, org, m.customerId(), -m.balance(), -m.held(), -m.lifetime(), m.tier(), m.tierSince(),
                m.belowTierSince(), -m.pending());
          })
          .compose(v -> ledger.updateAccount(conn, org, s.customerId(), m.balance(), m.held(), m.lifetime(), s.tier(), s.tierSince(),
              s.belowTierSince(), m.pending()));
    }
    long[] cards = new long[2];
    return points
        .compose(v -> conn.preparedQuery(CLOSE_ACCOUNT).execute(Tuple.of(org, m.customerId(), s.customerId())))
        .compose(v -> conn.preparedQuery(LINK).execute(Tuple.of(org, m.customerId(), s.customerId())))
        .compose(v -> conn.preparedQuery(UNLINK).execute(Tuple.of(org, m.customerId())))
        .compose(v -> moveCards(conn, org, m.customerId(), s.customerId(), cards))
        .compose(v -> retier(conn, org, m, s, program, now))
        .map(tier -> new PointsMoved(m.balance(), m.balance() - m.held() - m.pending(), m.held(), m.pending(), counts[0], counts[1],
            m.lifetime(), cards[0], cards[1], tier));
  }

  /** The higher of the two tiers, or a higher one still that the joined qualifying points reach; never lower. */
  private Future<String> retier(SqlConnection conn, UUID org, Account m, Account s, LoyaltyProgram program, Instant now) {
    return ledger.qualifying(conn, org, s.customerId(), program.tierWindowStart(now)).compose(qualifying -> {
      Tier current = program.tier(s.tier());
      Tier best = current;
      for (Tier t : new Tier[] {program.tier(m.tier()), program.tierFor(qualifying)}) {
        if (t.threshold() > best.threshold()) {
          best = t;
        }
      }
      if (best == current) {
        return Future.succeededFuture(current.code());
      }
      String tier = best.code();
      return conn.preparedQuery(SET_TIER).execute(Tuple.of(org, s.customerId(), tier, PointsLedger.utc(now), null)).map(tier);
    });
  }

  private Future<Void> moveCards(SqlConnection conn, UUID org, UUID merged, UUID survivor, long[] moved) {
    String reference = "merge:" + merged;
    return conn.preparedQuery(LOCK_CARDS).execute(Tuple.of(org).addArrayOfUUID(new UUID[] {merged, survivor}))
        .compose(locked -> conn.preparedQuery(MERGED_CARDS).execute(Tuple.of(org, merged)))
        .compose(rows -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            UUID program = r.getUUID("program_id");
            int stamps = r.getInteger("stamps");
            int rewards = r.getInteger("rewards_available");
            int required = r.getInteger("stamps_required");
            moved[0] += stamps;
            moved[1] += rewards;
            chain = chain
                .compose(v -> conn.preparedQuery(EMPTY_CARD).execute(Tuple.of(org, program, merged)))
                .compose(v -> conn.preparedQuery(ADD_TO_CARD).execute(Tuple.of(org, program, survivor, stamps, rewards, required)))
                .compose(v -> conn.preparedQuery(CARD_ENTRY).executeBatch(java.util.List.of(
                    Tuple.of(org, program, merged, "stamp", -stamps, reference),
                    Tuple.of(org, program, survivor, "stamp", stamps, reference))))
                .mapEmpty();
          }
          return chain;
        });
  }

  private Future<Account> lock(SqlConnection conn, UUID org, UUID customerId, String firstTier, Instant now) {
    // Opens a missing account first (as every posting does), so both rows exist and are locked.
    return ledger.lockAccount(conn, org, customerId, firstTier, now, true)
        .compose(opened -> conn.preparedQuery(LOCK_FOR_MERGE).execute(Tuple.of(org, customerId)))
        .map(rows -> {
          Row r = rows.iterator().next();
          var below = r.getOffsetDateTime("below_tier_since");
          return new Account(customerId, r.getLong("balance"), r.getLong("held"), r.getLong("pending"), r.getLong("lifetime_earned"),
              r.getString("tier"), r.getOffsetDateTime("tier_since").toInstant(), below == null ? null : below.toInstant(),
              r.getUUID("merged_into"));
        });
  }

  /** A points operation that waited for an account while it was merged away is refused, naming the survivor. */
  static void requireNotMerged(UUID customerId, UUID mergedInto) {
    if (mergedInto != null) {
      throw ErrorCode.CUSTOMER_MERGED.exception(customerId, mergedInto);
    }
  }
}
