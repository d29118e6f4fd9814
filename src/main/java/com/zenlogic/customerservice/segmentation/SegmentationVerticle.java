package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.tracing.Redact;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import com.zenlogic.customerservice.platform.db.DbUrl;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segmentation as a verticle: serves its addresses and rescoring every organization hourly. Deployed
 * as a worker, so the batch's database time never sits on an event loop the APIs share.
 */
public final class SegmentationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentationVerticle.class);

  private final DbUrl runtimeDb;
  private final long batchEveryMillis;
  private JobLease rfmLease;
  private final String orderService;
  private final SegmentPolicy policy;
  private Db db;

  public SegmentationVerticle(DbUrl runtimeDb, long batchEveryMillis, String orderService, SegmentPolicy policy) {
    this.policy = policy;
    this.runtimeDb = runtimeDb;
    this.batchEveryMillis = batchEveryMillis;
    this.orderService = orderService;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, 4, "segmentation");
    SegmentationService segments = new SegmentationService(db, Clock.systemUTC(), policy);
    SegmentationEventHandlers.register(vertx, db, segments);
    Kpis kpis = new Kpis(db);
    SegmentationMessages.SEGMENT.serve(vertx, q -> segments.segmentForPricing(q.caller(), q.customerId()));
    SegmentationMessages.FAVOURITES.serve(vertx, q -> segments.favourites(q.caller(), q.customerId(), q.limit()));
    SegmentationMessages.STATS.serve(vertx, q -> segments.stats(q.caller(), q.customerId()));
    OrderServiceClient orders = orderService == null ? null : new OrderServiceClient(vertx, orderService);
    SegmentationMessages.HISTORY.serve(vertx, q -> backfill(segments, orders, q)
        .compose(partial -> segments.history(q.caller(), q.customerId(), q.beforeAt(), q.beforeId(), q.limit())
            .map(rows -> new SegmentationMessages.History(rows, partial))));
    SegmentationMessages.PURCHASE_LINES.serve(vertx, q -> segments.purchaseLines(q.caller(), q.customerId(), q.purchaseIds())
        .map(SegmentationMessages.PurchaseLines::new));
    SegmentationMessages.SEGMENTS.serve(vertx, q -> segments.segments(q.caller()).map(SegmentationMessages.SegmentCounts::new));
    SegmentationMessages.SEGMENT_CUSTOMERS.serve(vertx, q -> segments.segmentCustomers(q.caller(), q.segment(), q.after(), q.limit()).map(SegmentationMessages.Members::new));
    SegmentationMessages.RECALCULATE.serve(vertx, q -> segments.recalculate(q.caller()));
    SegmentationMessages.RECORD_PURCHASE.serve(vertx, q -> segments.recordPurchase(q.caller(), q.purchase()).map(SegmentationMessages.Recorded::new));
    SegmentationMessages.KPIS.serve(vertx, q -> kpis.compute(q.caller(), q.from(), q.to()));
    // One node of the cluster rescoring at a time: the holder of the lease.
    rfmLease = JobLease.of(vertx, db.pool(), "segmentation.rfm-batch").start();
    vertx.setPeriodic(batchEveryMillis, id -> rfmLease.runIfHeld(() -> segments.tenants().compose(orgs -> {
      Future<Void> chain = Future.succeededFuture();
      for (UUID org : orgs) {
        Caller system = new Caller(org, "system", null, Set.of(), "rfm-batch-" + UUID.randomUUID());
        chain = chain.compose(v -> segments.recalculate(system).<Void>mapEmpty().recover(e -> {
          LOG.warn("RFM batch failed for organization {}: {}", org, Redact.failure(e));
          return Future.succeededFuture();
        }));
      }
      return chain;
    })));
    return Future.succeededFuture();
  }

  /**
   * First page only: pulls the customer's orders from the Order Service and records those missing
   * (once per order, whatever source saw it first). Answers whether history is partial.
   */
  private static Future<Boolean> backfill(SegmentationService segments, OrderServiceClient orders, SegmentationMessages.HistoryQuery q) {
    if (orders == null || q.beforeId() != null) {
      return Future.succeededFuture(false);
    }
    return segments.segment(q.caller(), q.customerId())
        .compose(known -> orders.orders(q.caller().organizationId(), q.customerId(), q.authorization()))
        .compose(list -> segments.recordPurchases(q.caller(), list))
        .map(false)
        .recover(e -> {
          if (e instanceof com.zenlogic.customerservice.platform.errors.DomainException d
              && d.code() == com.zenlogic.customerservice.platform.errors.ErrorCode.CUSTOMER_NOT_FOUND) {
            return Future.failedFuture(e);
          }
          LOG.debug("History backfill unavailable: {}", e.toString());
          return Future.succeededFuture(true);
        });
  }

  @Override
  public Future<?> stop() {
    return (rfmLease == null ? Future.succeededFuture() : rfmLease.stop())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }
}
