package com.zenlogic.customerservice.loyalty;

import static com.zenlogic.customerservice.loyalty.Postings.answer;
import static com.zenlogic.customerservice.loyalty.Postings.write;

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

/** Writes expiry entries for points past their date, oldest lot first; held points wait for their hold. */
final class PointsExpiry {
  private final Db db;
  private final PointsLedger ledger;
  private final Postings postings;
  private final CacheDrop caches;
  private final Clock clock;

  PointsExpiry(Db db, PointsLedger ledger, Postings postings, CacheDrop caches, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.postings = postings;
    this.caches = caches;
    this.clock = clock;
  }

  /** Every due lot of the organization, batch after batch. */
  Future<Long> expire(UUID org) {
    return LoyaltyService.Batch.all(LoyaltyJobs.DEFAULT_BATCH, after -> batch(org, after, LoyaltyJobs.DEFAULT_BATCH));
  }

  /**
   * Expiry for the next {@code customers} accounts after {@code after} (null: from the start), in
   * one transaction: only those accounts are locked meanwhile, and their cached views are dropped
   * after the commit, so a read in between cannot cache the old balance again.
   */
  Future<LoyaltyService.Batch> batch(UUID org, UUID after, int customers) {
    Caller system = LoyaltyJobs.system(org);
    Instant now = clock.instant();
    Set<UUID> changed = new LinkedHashSet<>();
    Set<UUID> examined = new HashSet<>();
    UUID[] last = {null};
    return db.withTenant(org, conn -> ledger.expiredLots(conn, org, now, after, customers).compose(lots -> {
      Future<Long> chain = Future.succeededFuture(0L);
      for (PointsLedger.ExpiredLot lot : lots) {
        examined.add(lot.customerId());
        last[0] = lot.customerId();
        chain = chain.compose(total -> postings.<Long>post(LedgerEntry.EXPIRE, conn, system, lot.customerId(), "bronze", null, now, locked -> {
          LoyaltyAccount account = locked.account();
          long expire = Math.min(lot.remaining(), account.available());
          if (expire <= 0) {
            return answer(total);
          }
          // An earned lot is named by its ledger row (keys unchanged); a transferred one by its own id,
          // since one transfer_in row carries a lot per sender lot.
          String name = lot.transferred() ? "lot:" + lot.lotId() : String.valueOf(lot.ledgerId());
          Posting.Builder posting = Posting.of(LedgerEntry.EXPIRE, account, "expire:" + name + ":" + lot.remaining(), now)
              .points(-expire).reference("lot " + name).requestHash(lot.customerId() + "|" + expire)
              .reason("points expired").actor("system").consumeLot(expire, lot.ledgerId(), lot.lotId());
          posting.event(LoyaltyEvents.POINTS_EXPIRED, new JsonObject().put("customer_id", lot.customerId().toString())
              .put("points", expire).put("points_balance", posting.balanceAfter()));
          return write(posting.build(), saved -> {
            changed.add(lot.customerId());
            return total + expire;
          }, () -> Future.succeededFuture(total));
        }));
      }
      return chain;
    })).compose(total -> caches.dropAll(org, changed).map(new LoyaltyService.Batch(total, last[0], examined.size())));
  }
}
