package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.credit.CreditEventMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyEventMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.segmentation.SegmentationEventMessages;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * customer_order_queue on order_events: order.completed earns points and records the purchase
 * (loyalty, then segmentation); order.cancelled takes the points back, frees the credit and removes
 * the purchase from the history and statistics (loyalty, credit, segmentation).
 *
 * <p>The two may arrive in either order (another queue, another node, a redelivery, a retry): each
 * engine's handler locks the order and remembers a cancellation per (organization, order_id)
 * (platform/inbox/OrderCancellations), and a completion that finds it applies nothing, so
 * out-of-order delivery ends in the same state as in-order delivery.
 */
public final class OrderEventsConsumer extends EventConsumerVerticle {

  public OrderEventsConsumer(DbUrl runtimeDb, String amqpUrl, OpsConfig ops) {
    super(runtimeDb, amqpUrl, ops);
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
  protected Future<Applied> handOver(ConsumedEvent event, Delivery delivery) {
    if ("order.completed".equals(event.eventType())) {
      UUID customer = event.customerId();
      String orderId = event.text("order_id");
      BigDecimal amount = Decimals.money("data.total_amount", event.data().getValue("total_amount"));
      var lines = PosEventsConsumer.lines(event.data());
      List<LoyaltyMessages.Item> items = PosEventsConsumer.items(lines);
      var purchase = PosEventsConsumer.purchase(event, customer, "order", "order:" + orderId, amount, lines);
      return LoyaltyEventMessages.APPLY_ORDER_COMPLETED.request(vertx,
              new LoyaltyEventMessages.Sale(delivery, customer, orderId, amount, "order", items))
          .compose(earned -> SegmentationEventMessages.APPLY_ORDER_COMPLETED.request(vertx,
              new SegmentationEventMessages.PurchaseMade(delivery, orderId, purchase)).map(earned::and));
    }
    if ("order.cancelled".equals(event.eventType())) {
      UUID customer = event.customerId();
      String orderId = event.text("order_id");
      return LoyaltyEventMessages.APPLY_ORDER_CANCELLED.request(vertx, new LoyaltyEventMessages.OrderCancelled(delivery, customer, orderId))
          .compose(reversed -> CreditEventMessages.APPLY_ORDER_CANCELLED.request(vertx,
              new CreditEventMessages.OrderCancelled(delivery, customer, orderId)).map(reversed::and))
          .compose(soFar -> SegmentationEventMessages.APPLY_ORDER_CANCELLED.request(vertx,
              new SegmentationEventMessages.OrderCancelled(delivery, customer, orderId)).map(soFar::and));
    }
    return nothingToApply(delivery);
  }
}
