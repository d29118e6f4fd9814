package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Publishes loyalty.points.expiring once per lot, the program's expiring_notice_days (default 30,
 * 0 = off) before the lot expires, for the points it still holds. "Once" is the lot's
 * expiring_notified_at, set in the same statement that picks the lot and in the same transaction
 * as the outbox row: a rerun, a second node or a restart finds it set. Spent lots are not notified;
 * points that are already due are the expiry's business, not a notice's.
 */
final class ExpiringNotices {
  private final Db db;
  private final PointsLedger ledger;
  private final Clock clock;

  ExpiringNotices(Db db, PointsLedger ledger, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.clock = clock;
  }

  /** Every due notice of the organization, batch after batch; answers how many were published. */
  Future<Long> notifyAll(UUID org, int batch) {
    return notifyFrom(org, -1, 0L, batch);
  }

  private Future<Long> notifyFrom(UUID org, long afterLot, long total, int batch) {
    return batch(org, afterLot, batch).compose(b -> b.examined() < batch ? Future.succeededFuture(total + b.count())
        : notifyFrom(org, b.lastLot(), total + b.count(), batch));
  }

  /** What one batch did: notices published, the last lot it took, how many lots it took. */
  record Batch(long count, long lastLot, int examined) {}

  /** The next {@code lots} lots due for a notice after lot {@code afterLot}, marked and published in one transaction. */
  Future<Batch> batch(UUID org, long afterLot, int lots) {
    Caller system = LoyaltyJobs.system(org);
    Instant now = clock.instant();
    return db.withTenant(org, conn -> ledger.program(conn, org).compose(program -> {
      if (program.expiringNoticeDays() == 0) {
        return Future.succeededFuture(new Batch(0, afterLot, 0));
      }
      Instant until = now.plus(Duration.ofDays(program.expiringNoticeDays()));
      return ledger.markExpiring(conn, org, now, until, afterLot, lots).compose(due -> {
        Future<Void> chain = Future.succeededFuture();
        for (PointsLedger.ExpiringLot lot : due) {
          chain = chain.compose(v -> Outbox.record(conn, system, LoyaltyEvents.POINTS_EXPIRING, lot.customerId(), new JsonObject()
              .put("customer_id", lot.customerId().toString()).put("lot_id", lot.lotId()).put("points", lot.remaining())
              .put("expires_at", lot.expiresAt().toString())).mapEmpty());
        }
        return chain.map(v -> new Batch(due.size(), due.isEmpty() ? afterLot : due.get(due.size() - 1).lotId(), due.size()));
      });
    }));
  }
}
