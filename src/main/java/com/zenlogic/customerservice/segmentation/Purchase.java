package com.zenlogic.customerservice.segmentation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One purchase in the customer's history; occurredAt is when it happened, not when we heard of it.
 * items are its lines when the source sent them (empty otherwise), kept in purchase_items.
 */
public record Purchase(UUID customerId, String source, String reference, BigDecimal amount, Instant occurredAt, String localId,
                       Integer itemCount, List<PurchaseItem> items) {
  public Purchase {
    items = items == null ? List.of() : List.copyOf(items);
  }
}
