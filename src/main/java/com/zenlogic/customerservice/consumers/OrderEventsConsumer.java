package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.credit.CreditService;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyService;
import com.zenlogic.customerservice.segmentation.SegmentationService;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * customer_order_queue on order_events: order.completed earns points and records the purchase;
 * order.cancelled takes the points back, frees the credit and removes the purchase from the
 * history and statistics.
 *
 * <p>The two may arrive in either order (another queue, a redelivery, a retry): a cancellation is
 * remembered per (organization, order_id), and a completion that finds it earns and records
 * nothing, so out-of-order delivery ends in the same state as in-order delivery. Both take a
 * transaction-scoped advisory lock on the order first, so a completion and a cancellation applied
 * at the same moment by two deliveries are serialised rather than both missing each other.
 */
public final class OrderEventsConsumer extends EventConsumerVerticle {
  private static final String LOCK_ORDER = "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/order/' || $2, 0))";
  private static final String CANCELLED = "SELECT 1 FROM order_cancellations WHERE organization_id = $1 AND order_id = $2";
  private static final String REMEMBER_CANCELLATION = """
      INSERT INTO order_cancellations (organization_id, order_id, customer_id, message_id) VALUES ($1, $2, $3, $4)
      ON CONFLICT (organization_id, order_id) DO NOTHING""";

  private LoyaltyService loyalty;
  private CreditService credit;
  private SegmentationService segments;

  private final com.zenlogic.customerservice.segmentation.SegmentPolicy policy;

  public OrderEventsConsumer(DbUrl runtimeDb, String amqpUrl, Supplier<CustomerCache> caches,
                com.zenlogic.customerservice.segmentation.SegmentPolicy policy, OpsConfig ops) {
    super(runtimeDb, amqpUrl, caches, ops);
    this.policy = policy;
  }

  @Override
  protected String name() {
    return "customer_order_consumer";
  }

  @Override
  protected String exchange() {
    return "order_events";
  }

  @Override
  protected String queue() {
    return "customer_order_queue";
  }

  @Override
  protected List<String> routingKeys() {
    return List.of("order.completed", "order.cancelled");
  }

  @Override
  protected void prepare() {
    loyalty = new LoyaltyService(db, CustomerChangeListener.NONE, Clock.systemUTC());
    credit = new CreditService(db, CustomerChangeListener.NONE, Clock.systemUTC());
    segments = new SegmentationService(db, Clock.systemUTC(), policy);
  }

  @Override
  protected Future<UUID> apply(SqlConnection conn, Caller caller, ConsumedEvent event) {
    if (!"order.completed".equals(event.eventType()) && !"order.cancelled".equals(event.eventType())) {
      return Future.succeededFuture();
    }
    UUID customer = event.customerId();
    String orderId = event.text("order_id");
    UUID org = caller.organizationId();
    Future<Void> locked = conn.preparedQuery(LOCK_ORDER).execute(Tuple.of(org.toString(), orderId)).mapEmpty();
    if ("order.completed".equals(event.eventType())) {
      BigDecimal amount = Decimals.money("data.total_amount", event.data().getValue("total_amount"));
      List<LoyaltyMessages.Item> items = PosEventsConsumer.items(event.data());
      var purchase = PosEventsConsumer.purchase(event, customer, "order", "order:" + orderId, amount, items);
      return locked
          .compose(v -> conn.preparedQuery(CANCELLED).execute(Tuple.of(org, orderId)))
          .compose(rows -> rows.size() > 0 ? Future.<UUID>succeededFuture()
              : loyalty.earnIn(conn, new LoyaltyMessages.Earn(caller, customer, orderId, amount, null, "order", items))
                  .compose(e -> segments.recordPurchaseIn(conn, caller, purchase))
                  .map(customer));
    }
    return locked
        .compose(v -> conn.preparedQuery(REMEMBER_CANCELLATION).execute(Tuple.of(org, orderId, customer, event.messageId())))
        .compose(v -> loyalty.reverseIn(conn, new LoyaltyMessages.Reverse(caller, orderId, "order cancelled"))
            .<Object>map(r -> r).recover(e -> ignore(e, ErrorCode.TRANSACTION_NOT_FOUND)))
        .compose(v -> credit.releaseIn(conn, new CreditMessages.Release(caller, customer, orderId, null))
            .<Object>map(r -> r).recover(e -> ignore(e, ErrorCode.ORDER_NOT_FOUND, ErrorCode.CREDIT_LINE_NOT_FOUND)))
        .compose(v -> segments.cancelPurchaseIn(conn, caller, "order:" + orderId))
        .map(customer);
  }

  /** A cancelled order that earned nothing or used no credit (or arrived before its completion) is fine: nothing to undo. */
  private static Future<Object> ignore(Throwable e, ErrorCode... expected) {
    if (e instanceof DomainException d) {
      for (ErrorCode code : expected) {
        if (d.code() == code) {
          return Future.succeededFuture();
        }
      }
    }
    return Future.failedFuture(e);
  }
}
