package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.credit.CreditEventMessages.OrderCancelled;
import com.zenlogic.customerservice.credit.CreditEventMessages.PaymentReceived;
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

/** Serves {@link CreditEventMessages}: consumed events applied by the credit engine, each once (its inbox row). */
public final class CreditEventHandlers {
  static final String ENGINE = "credit";

  private final Db db;
  private final CreditService credit;
  private final CustomerCache cache;

  private CreditEventHandlers(Db db, CreditService credit, CustomerCache cache) {
    this.db = db;
    this.credit = credit;
    this.cache = cache;
  }

  public static void register(Vertx vertx, Db db, CreditService credit, CustomerCache cache) {
    CreditEventHandlers h = new CreditEventHandlers(db, credit, cache);
    CreditEventMessages.APPLY_PAYMENT.serve(vertx, h::payment);
    CreditEventMessages.APPLY_ORDER_CANCELLED.serve(vertx, h::orderCancelled);
  }

  private Future<Applied> payment(PaymentReceived p) {
    return changed(p.delivery(), p.customerId(), Inbox.applyOnce(db, p.delivery(), ENGINE, conn -> credit.recordPaymentIn(conn,
        new CreditMessages.Payment(p.delivery().caller(), p.customerId(), p.paymentReference(), p.amount()))));
  }

  private Future<Applied> orderCancelled(OrderCancelled c) {
    UUID org = c.delivery().organizationId();
    return changed(c.delivery(), c.customerId(), Inbox.applyOnce(db, c.delivery(), ENGINE,
        conn -> OrderCancellations.lockAndRemember(conn, org, c.orderId(), c.customerId(), c.delivery().messageId())
            .compose(v -> credit.releaseIn(conn, new CreditMessages.Release(c.delivery().caller(), c.customerId(), c.orderId(), null))
                .<Object>map(r -> r)
                // An order paid without credit (or a customer without a line) has nothing to free.
                .recover(e -> e instanceof DomainException d
                    && (d.code() == ErrorCode.ORDER_NOT_FOUND || d.code() == ErrorCode.CREDIT_LINE_NOT_FOUND)
                    ? Future.succeededFuture() : Future.failedFuture(e)))));
  }

  /** After commit: the customer's cached view is stale (a cache outage must not fail what is committed). */
  private Future<Applied> changed(Delivery d, UUID customer, Future<Applied> applied) {
    return applied.compose(a -> a.duplicate() ? Future.succeededFuture(a)
        : cache.invalidate(d.organizationId(), customer).recover(e -> Future.succeededFuture()).map(a));
  }
}
