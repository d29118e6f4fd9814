package com.zenlogic.customerservice.infra;

import java.math.BigDecimal;

/** Money read from JSON (REST bodies, consumed events): "99.99" or 99.99, exact to the cent, never a double. */
public final class Money {
  private static final BigDecimal MAX = new BigDecimal("1000000000");

  private Money() {}

  public static BigDecimal parse(String field, Object value) {
    BigDecimal amount = decimal(field, value);
    if (amount.signum() < 0 || amount.scale() > 2 || amount.compareTo(MAX) > 0) {
      throw DomainException.invalid(field, "must be an amount from 0 to 1000000000 with at most 2 decimals");
    }
    return amount;
  }

  public static BigDecimal decimal(String field, Object value) {
    try {
      // Number.toString of a parsed JSON number is its shortest exact decimal: 99.99 stays 99.99.
      String text = value instanceof Number n ? n.toString() : value instanceof String s ? s.trim() : null;
      if (text != null) {
        BigDecimal d = new BigDecimal(text).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw DomainException.invalid(field, value == null ? "is required" : "must be a decimal number");
  }
}
