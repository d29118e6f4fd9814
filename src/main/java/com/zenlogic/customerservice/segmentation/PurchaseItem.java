package com.zenlogic.customerservice.segmentation;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One line of a purchase as the till or the order sent it: what (product or variant id, name,
 * category), how much (quantity, decimal: 1.5 kg) and at what unit price (optional). Validated by
 * {@link PurchaseItems#read}.
 */
public record PurchaseItem(String productId, String variantId, String name, String category, BigDecimal quantity,
                           BigDecimal unitPrice) {

  /** quantity × unit price to the cent (half up), or null without a price. */
  public BigDecimal lineAmount() {
    return unitPrice == null ? null : quantity.multiply(unitPrice).setScale(2, RoundingMode.HALF_UP);
  }

  /** Whole units, for punch cards (a card stamps whole coffees). */
  public int wholeUnits() {
    return quantity.setScale(0, RoundingMode.DOWN).intValueExact();
  }
}
