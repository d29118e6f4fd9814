package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.credit.CreditService;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * customer_payment_queue on payment_events: payment.received records the payment, which frees the
 * credit it pays (the seed's two calls are one effect), once per payment_reference.
 */
public final class PaymentEventsConsumer extends EventConsumerVerticle {
  private CreditService credit;

  public PaymentEventsConsumer(DbUrl runtimeDb, String amqpUrl, Supplier<CustomerCache> caches, OpsConfig ops) {
    super(runtimeDb, amqpUrl, caches, ops);
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
  protected void prepare() {
    credit = new CreditService(db, CustomerChangeListener.NONE, Clock.systemUTC());
  }

  @Override
  protected Future<UUID> apply(SqlConnection conn, Caller caller, ConsumedEvent event) {
    if (!"payment.received".equals(event.eventType())) {
      return Future.succeededFuture();
    }
    UUID customer = event.customerId();
    return credit.recordPaymentIn(conn, new CreditMessages.Payment(caller, customer, event.text("payment_reference"),
        Decimals.money("data.amount", event.data().getValue("amount")))).map(customer);
  }
}
