package com.zenlogic.customerservice.events.consumers;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.credit.CreditService;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.infra.Caller;
import com.zenlogic.customerservice.infra.DbUrl;
import com.zenlogic.customerservice.infra.DomainException;
import com.zenlogic.customerservice.infra.ErrorCode;
import com.zenlogic.customerservice.infra.Decimals;
import com.zenlogic.customerservice.infra.cache.CustomerCache;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyService;
import com.zenlogic.customerservice.segmentation.SegmentationService;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** customer_order_queue on order_events: order.completed earns points; order.cancelled takes them back and frees credit. */
public final class OrderEventsConsumer extends EventConsumerVerticle {
  private LoyaltyService loyalty;
  private CreditService credit;
  private SegmentationService segments;

  private final com.zenlogic.customerservice.segmentation.SegmentPolicy policy;

  public OrderEventsConsumer(DbUrl runtimeDb, String amqpUrl, Supplier<CustomerCache> caches,
                com.zenlogic.customerservice.segmentation.SegmentPolicy policy) {
    super(runtimeDb, amqpUrl, caches);
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
    UUID customer = event.customerId();
    String orderId = event.text("order_id");
    return switch (event.eventType()) {
      case "order.completed" -> {
        java.math.BigDecimal amount = Decimals.money("data.total_amount", event.data().getValue("total_amount"));
        List<LoyaltyMessages.Item> items = PosEventsConsumer.items(event.data());
        yield loyalty.earnIn(conn, new LoyaltyMessages.Earn(caller, customer, orderId, amount, null, "order", items))
            .compose(e -> segments.recordPurchaseIn(conn, caller, PosEventsConsumer.purchase(event, customer, "order",
                "order:" + orderId, amount, items)))
            .map(customer);
      }
      case "order.cancelled" -> loyalty.reverseIn(conn, new LoyaltyMessages.Reverse(caller, orderId, "order cancelled"))
          .<Object>map(r -> r).recover(e -> ignore(e, ErrorCode.TRANSACTION_NOT_FOUND))
          .compose(v -> credit.releaseIn(conn, new CreditMessages.Release(caller, customer, orderId, null))
              .<Object>map(r -> r).recover(e -> ignore(e, ErrorCode.ORDER_NOT_FOUND)))
          .map(customer);
      default -> Future.succeededFuture();
    };
  }

  /** A cancelled order that earned nothing or used no credit is fine: nothing to undo. */
  private static Future<Object> ignore(Throwable e, ErrorCode expected) {
    return e instanceof DomainException d && d.code() == expected ? Future.succeededFuture() : Future.failedFuture(e);
  }
}
