package com.zenlogic.customerservice.loyalty;

import static com.zenlogic.customerservice.loyalty.Postings.answer;
import static com.zenlogic.customerservice.loyalty.Postings.writeThen;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The release job of the return window: a pending lot past its pending_until becomes spendable.
 * One 'available' ledger row per lot (0 points, pending delta = what the lot still holds, key
 * available:<lot>), so pending = sum of pending deltas and the tier counts the points from now: the
 * release may upgrade the tier, as an earn does.
 */
final class PendingPoints {
  private final Db db;
  private final PointsLedger ledger;
  private final Postings postings;
  private final CacheDrop caches;
  private final Clock clock;

  PendingPoints(Db db, PointsLedger ledger, Postings postings, CacheDrop caches, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.postings = postings;
    this.caches = caches;
    this.clock = clock;
  }

  Future<Long> release(UUID org) {
    return LoyaltyService.Batch.all(LoyaltyJobs.DEFAULT_BATCH, after -> batch(org, after, LoyaltyJobs.DEFAULT_BATCH));
  }

  /** The due pending lots of the next {@code customers} accounts after {@code after}, one transaction; caches dropped after commit. */
  Future<LoyaltyService.Batch> batch(UUID org, UUID after, int customers) {
    Caller system = LoyaltyJobs.system(org);
    Instant now = clock.instant();
    Set<UUID> changed = new LinkedHashSet<>();
    Set<UUID> examined = new HashSet<>();
    UUID[] last = {null};
    return db.withTenant(org, conn -> ledger.program(conn, org).compose(program -> ledger.duePendingLots(conn, org, now, after, customers)
        .compose(lots -> {
          Future<Long> chain = Future.succeededFuture(0L);
          for (PointsLedger.PendingLot lot : lots) {
            examined.add(lot.customerId());
            last[0] = lot.customerId();
            String key = "available:" + lot.ledgerId();
            chain = chain.compose(total -> postings.<Long>post(LedgerEntry.AVAILABLE, conn, system, lot.customerId(), program.firstTier(),
                key, now, locked -> {
                  if (locked.existing() != null) {
                    return answer(total);
                  }
                  LoyaltyAccount account = locked.account();
                  // Re-read under the account lock: a return may have taken from the lot since the batch was listed.
                  return ledger.lot(conn, org, lot.ledgerId()).compose(current -> {
                    if (!current.pending()) {
                      return answer(total);
                    }
                    long points = current.remaining();
                    return ledger.qualifying(conn, org, lot.customerId(), program.tierWindowStart(now)).compose(before -> {
                      Tier tier = program.tier(account.tier());
                      Tier reached = program.tierFor(before + points);
                      boolean upgraded = reached.threshold() > tier.threshold();
                      Tier afterTier = upgraded ? reached : tier;
                      Posting.Builder posting = Posting.of(LedgerEntry.AVAILABLE, account, key, now).pending(-points)
                          .reference("lot " + lot.ledgerId()).requestHash(lot.customerId() + "|" + points)
                          .reason("return window over").actor("system")
                          .tier(afterTier.code(), upgraded, upgraded ? now : account.tierSince(),
                              upgraded ? null : account.belowTierSince());
                      if (points > 0) {
                        posting.event(LoyaltyEvents.POINTS_AVAILABLE, new JsonObject().put("customer_id", lot.customerId().toString())
                            .put("points", points).put("earn_ledger_id", lot.ledgerId())
                            .put("points_balance", posting.balanceAfter())
                            .put("points_available", account.available() + points));
                      }
                      if (upgraded) {
                        posting.event(LoyaltyEvents.TIER_UPGRADED, new JsonObject().put("customer_id", lot.customerId().toString())
                            .put("from_tier", tier.code()).put("to_tier", afterTier.code()).put("qualifying_points", before + points));
                      }
                      return writeThen(posting.build(), saved -> ledger.releaseLot(conn, org, lot.ledgerId()).map(v -> {
                        changed.add(lot.customerId());
                        return total + points;
                      }), () -> Future.succeededFuture(total));
                    });
                  });
                }));
          }
          return chain;
        })))
        .compose(total -> caches.dropAll(org, changed).map(new LoyaltyService.Batch(total, last[0], examined.size())));
  }
}
