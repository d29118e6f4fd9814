package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import java.util.UUID;

/**
 * What the event consumers ask of segmentation; each request carries its {@link Delivery} (the
 * inbox key), written by the engine in the same transaction as the effect. All idempotent.
 */
public final class SegmentationEventMessages {
  /** A POS sale enters the purchase history (once per reference) and rescores its customer. */
  public static final Address<PurchaseMade, Applied> APPLY_PURCHASE =
      Address.of("segmentation.apply-purchase", PurchaseMade.class, Applied.class).idempotent();
  /** A completed order enters the history, unless the order was cancelled first. */
  public static final Address<PurchaseMade, Applied> APPLY_ORDER_COMPLETED =
      Address.of("segmentation.apply-order-completed", PurchaseMade.class, Applied.class).idempotent();
  /** A cancelled order leaves the history, the statistics and RFM. */
  public static final Address<OrderCancelled, Applied> APPLY_ORDER_CANCELLED =
      Address.of("segmentation.apply-order-cancelled", OrderCancelled.class, Applied.class).idempotent();

  private SegmentationEventMessages() {}

  /** orderId: the order's id for APPLY_ORDER_COMPLETED (the tombstone key), else null. */
  public record PurchaseMade(Delivery delivery, String orderId, Purchase purchase) implements Bus.Local {}

  public record OrderCancelled(Delivery delivery, UUID customerId, String orderId) implements Bus.Local {}
}
