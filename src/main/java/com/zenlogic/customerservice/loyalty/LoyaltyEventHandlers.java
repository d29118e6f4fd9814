package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.loyalty.LoyaltyEventMessages.OrderCancelled;
import com.zenlogic.customerservice.loyalty.LoyaltyEventMessages.Sale;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import com.zenlogic.customerservice.platform.inbox.Inbox;
import com.zenlogic.customerservice.platform.inbox.OrderCancellations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.UUID;

/** Serves {@link LoyaltyEventMessages}: consumed events applied by the loyalty engine, each once (its inbox row). */
public final class LoyaltyEventHandlers {
  static final String ENGINE = "loyalty";

  private final Db db;
  private final LoyaltyService loyalty;
  private final CustomerCache cache;

  private LoyaltyEventHandlers(Db db, LoyaltyService loyalty, CustomerCache cache) {
    this.db = db;
    this.loyalty = loyalty;
    this.cache = cache;
  }

  public static void register(Vertx vertx, Db db, LoyaltyService loyalty, CustomerCache cache) {
    LoyaltyEventHandlers h = new LoyaltyEventHandlers(db, loyalty, cache);
    LoyaltyEventMessages.APPLY_PURCHASE.serve(vertx, h::purchase);
    LoyaltyEventMessages.APPLY_ORDER_COMPLETED.serve(vertx, h::orderCompleted);
    LoyaltyEventMessages.APPLY_ORDER_CANCELLED.serve(vertx, h::orderCancelled);
  }

  private Future<Applied> purchase(Sale s) {
    return changed(s.delivery(), s.customerId(), Inbox.applyOnce(db, s.delivery(), ENGINE, conn -> loyalty.earnIn(conn, earn(s))));
  }

  private Future<Applied> orderCompleted(Sale s) {
    UUID org = s.delivery().organizationId();
    return changed(s.delivery(), s.customerId(), Inbox.applyOnce(db, s.delivery(), ENGINE,
        conn -> OrderCancellations.lockAndCheck(conn, org, s.reference())
            .compose(cancelled -> cancelled ? Future.succeededFuture() : loyalty.earnIn(conn, earn(s)))));
  }

  private Future<Applied> orderCancelled(OrderCancelled c) {
    UUID org = c.delivery().organizationId();
    return changed(c.delivery(), c.customerId(), Inbox.applyOnce(db, c.delivery(), ENGINE,
        conn -> OrderCancellations.lockAndRemember(conn, org, c.orderId(), c.customerId(), c.delivery().messageId())
            .compose(v -> loyalty.reverseIn(conn, new LoyaltyMessages.Reverse(c.delivery().caller(), c.orderId(), "order cancelled"))
                .<Object>map(r -> r)
                // An order that earned nothing (or whose completion has not arrived) has nothing to take back.
                .recover(e -> e instanceof DomainException d && d.code() == ErrorCode.TRANSACTION_NOT_FOUND
                    ? Future.succeededFuture() : Future.failedFuture(e)))
            // Points spent on the order come back too, once (unredeem:<order>), whether or not it earned any.
            .compose(v -> loyalty.refundIn(conn, c.delivery().caller(), c.orderId(), "order cancelled"))));
  }

  private static LoyaltyMessages.Earn earn(Sale s) {
    return new LoyaltyMessages.Earn(s.delivery().caller(), s.customerId(), s.reference(), s.amount(), null, s.channel(), s.items());
  }

  /** After commit: the customer's cached view is stale (a cache outage must not fail what is committed). */
  private Future<Applied> changed(Delivery d, UUID customer, Future<Applied> applied) {
    return applied.compose(a -> a.duplicate() || customer == null ? Future.succeededFuture(a)
        : cache.invalidate(d.organizationId(), customer).recover(e -> Future.succeededFuture()).map(a));
  }
}
