package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Periodic tier review: an account whose qualifying points fell below its tier's threshold is
 * marked, and after the grace period goes down one tier (never more per review). It moves no
 * points, so it writes no ledger row: only the account's tier and the downgrade event.
 */
final class TierReview {
  private final Db db;
  private final PointsLedger ledger;
  private final CacheDrop caches;
  private final Clock clock;

  TierReview(Db db, PointsLedger ledger, CacheDrop caches, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.caches = caches;
    this.clock = clock;
  }

  /** loyalty.tier.downgrade_warning: the account fell below its tier's threshold and goes down one tier at downgrade_at. */
  static JsonObject warning(UUID customerId, LoyaltyProgram program, Tier tier, long qualifying, Instant since) {
    Tier lower = program.previous(tier.code());
    return new JsonObject().put("customer_id", customerId.toString()).put("tier", tier.code())
        .put("to_tier", lower == null ? tier.code() : lower.code()).put("qualifying_points", qualifying)
        .put("threshold", tier.threshold()).put("below_since", since.toString())
        .put("downgrade_at", since.plus(Duration.ofDays(program.downgradeGraceDays())).toString());
  }

  Future<Integer> review(UUID org) {
    return LoyaltyService.Batch.all(LoyaltyJobs.DEFAULT_BATCH, after -> batch(org, after, LoyaltyJobs.DEFAULT_BATCH))
        .map(Long::intValue);
  }

  /** The review of the next {@code accounts} accounts after {@code after}, in one transaction; caches dropped after commit. */
  Future<LoyaltyService.Batch> batch(UUID org, UUID after, int accounts) {
    Caller system = LoyaltyJobs.system(org);
    Instant now = clock.instant();
    Set<UUID> changed = new LinkedHashSet<>();
    int[] examined = {0};
    UUID[] last = {null};
    return db.withTenant(org, conn -> ledger.program(conn, org).compose(program ->
        ledger.accountsAboveFirstTier(conn, org, program.firstTier(), after, accounts).compose(ids -> {
          examined[0] = ids.size();
          last[0] = ids.isEmpty() ? null : ids.get(ids.size() - 1);
          Future<Integer> chain = Future.succeededFuture(0);
          for (UUID id : ids) {
            chain = chain.compose(n -> ledger.lockAccount(conn, org, id, "bronze", now).compose(account ->
                ledger.qualifying(conn, org, id, program.tierWindowStart(now)).compose(qualifying -> {
                  Tier tier = program.tier(account.tier());
                  if (qualifying >= tier.threshold()) {
                    return account.belowTierSince() == null ? Future.succeededFuture(n)
                        : ledger.updateAccount(conn, org, id, 0, 0, 0, tier.code(), account.tierSince(), null).map(n);
                  }
                  if (account.belowTierSince() == null) {
                    return ledger.updateAccount(conn, org, id, 0, 0, 0, tier.code(), account.tierSince(), now)
                        .compose(v -> Outbox.record(conn, system, LoyaltyEvents.TIER_DOWNGRADE_WARNING, id,
                            warning(id, program, tier, qualifying, now)))
                        .map(n);
                  }
                  if (account.belowTierSince().plus(Duration.ofDays(program.downgradeGraceDays())).isAfter(now)) {
                    return Future.succeededFuture(n);
                  }
                  Tier lower = program.previous(tier.code());
                  Instant stillBelow = qualifying < lower.threshold() ? now : null;
                  return ledger.updateAccount(conn, org, id, 0, 0, 0, lower.code(), now, stillBelow)
                      .compose(v -> Outbox.record(conn, system, LoyaltyEvents.TIER_DOWNGRADED, id, new JsonObject()
                          .put("customer_id", id.toString()).put("from_tier", tier.code()).put("to_tier", lower.code())
                          .put("qualifying_points", qualifying)))
                      // Still below the lower tier too: its grace period starts now.
                      .compose(v -> stillBelow == null ? Future.succeededFuture() : Outbox.record(conn, system,
                          LoyaltyEvents.TIER_DOWNGRADE_WARNING, id, warning(id, program, lower, qualifying, now)).mapEmpty())
                      .map(v -> {
                        changed.add(id);
                        return n + 1;
                      });
                })));
          }
          return chain;
        })))
        .compose(n -> caches.dropAll(org, changed).map(new LoyaltyService.Batch(n, last[0], examined[0])));
  }
}
