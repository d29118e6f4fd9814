package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * What the event consumers ask of the credit engine; each request carries its {@link Delivery}
 * (the inbox key), written by the engine in the same transaction as the effect. All idempotent.
 */
public final class CreditEventMessages {
  /** payment.received: records the payment (which frees the credit it pays) once per payment reference. */
  public static final Address<PaymentReceived, Applied> APPLY_PAYMENT =
      Address.of("credit.apply-payment", PaymentReceived.class, Applied.class).idempotent();
  /** order.cancelled: frees the credit the order used, if any. */
  public static final Address<OrderCancelled, Applied> APPLY_ORDER_CANCELLED =
      Address.of("credit.apply-order-cancelled", OrderCancelled.class, Applied.class).idempotent();

  private CreditEventMessages() {}

  public record PaymentReceived(Delivery delivery, UUID customerId, String paymentReference, BigDecimal amount) implements Bus.Local {}

  public record OrderCancelled(Delivery delivery, UUID customerId, String orderId) implements Bus.Local {}
}
