package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * What the event consumers ask of the loyalty engine. Each request carries its {@link Delivery}
 * (the inbox key): the engine writes the inbox row and the effect in one transaction and answers
 * whether it applied now or before. All are idempotent: a resend after a timeout finds the row.
 */
public final class LoyaltyEventMessages {
  /** A POS sale (pos.transaction.completed) earns points once per transaction id. */
  public static final Address<Sale, Applied> APPLY_PURCHASE =
      Address.of("loyalty.apply-purchase", Sale.class, Applied.class).idempotent();
  /** A completed order (order.completed) earns points once per order id, unless the order was cancelled first. */
  public static final Address<Sale, Applied> APPLY_ORDER_COMPLETED =
      Address.of("loyalty.apply-order-completed", Sale.class, Applied.class).idempotent();
  /** A cancelled order (order.cancelled) takes its points back and leaves a tombstone for a late completion. */
  public static final Address<OrderCancelled, Applied> APPLY_ORDER_CANCELLED =
      Address.of("loyalty.apply-order-cancelled", OrderCancelled.class, Applied.class).idempotent();

  private LoyaltyEventMessages() {}

  /** reference: the POS transaction id or the order id (the earn key); channel: "pos" or "order". */
  public record Sale(Delivery delivery, UUID customerId, String reference, BigDecimal amount, String channel,
                     List<LoyaltyMessages.Item> items) implements Bus.Local {}

  public record OrderCancelled(Delivery delivery, UUID customerId, String orderId) implements Bus.Local {}
}
