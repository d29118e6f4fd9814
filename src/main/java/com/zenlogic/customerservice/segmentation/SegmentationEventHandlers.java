package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Inbox;
import com.zenlogic.customerservice.platform.inbox.OrderCancellations;
import com.zenlogic.customerservice.segmentation.SegmentationEventMessages.OrderCancelled;
import com.zenlogic.customerservice.segmentation.SegmentationEventMessages.PurchaseMade;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.UUID;

/** Serves {@link SegmentationEventMessages}: consumed events applied by segmentation, each once (its inbox row). */
public final class SegmentationEventHandlers {
  static final String ENGINE = "segmentation";

  private SegmentationEventHandlers() {}

  public static void register(Vertx vertx, Db db, SegmentationService segments) {
    SegmentationEventMessages.APPLY_PURCHASE.serve(vertx, p -> Inbox.applyOnce(db, p.delivery(), ENGINE,
        conn -> segments.recordPurchaseIn(conn, p.delivery().caller(), p.purchase())));
    SegmentationEventMessages.APPLY_ORDER_COMPLETED.serve(vertx, (PurchaseMade p) -> Inbox.applyOnce(db, p.delivery(), ENGINE,
        conn -> OrderCancellations.lockAndCheck(conn, p.delivery().organizationId(), p.orderId())
            .compose(cancelled -> cancelled ? Future.succeededFuture() : segments.recordPurchaseIn(conn, p.delivery().caller(), p.purchase()))));
    SegmentationEventMessages.APPLY_ORDER_CANCELLED.serve(vertx, (OrderCancelled c) -> {
      UUID org = c.delivery().organizationId();
      return Inbox.applyOnce(db, c.delivery(), ENGINE,
          conn -> OrderCancellations.lockAndRemember(conn, org, c.orderId(), c.customerId(), c.delivery().messageId())
              .compose(v -> segments.cancelPurchaseIn(conn, c.delivery().caller(), "order:" + c.orderId())));
    });
  }
}
