package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.credit.CreditEventMessages;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import com.zenlogic.customerservice.platform.values.Decimals;
import io.vertx.core.Future;
import java.util.List;

/**
 * customer_payment_queue on payment_events: payment.received records the payment, which frees the
 * credit it pays (the seed's two calls are one effect), once per payment_reference: the credit engine applies it.
 */
public final class PaymentEventsConsumer extends EventConsumerVerticle {

  public PaymentEventsConsumer(DbUrl runtimeDb, String amqpUrl, OpsConfig ops) {
    super(runtimeDb, amqpUrl, ops);
  }

  @Override
  protected String name() {
    return "customer_payment_consumer";
  }

  @Override
  protected String exchange() {
    return "payment_events";
  }

  @Override
  protected String queue() {
    return "customer_payment_queue";
  }

  @Override
  protected List<String> routingKeys() {
    return List.of("payment.received");
  }

  @Override
  protected Future<Applied> handOver(ConsumedEvent event, Delivery delivery) {
    if (!"payment.received".equals(event.eventType())) {
      return nothingToApply(delivery);
    }
    var payment = new CreditEventMessages.PaymentReceived(delivery, event.customerId(), event.text("payment_reference"),
        Decimals.money("data.amount", event.data().getValue("amount")));
    return CreditEventMessages.APPLY_PAYMENT.request(vertx, payment);
  }
}
