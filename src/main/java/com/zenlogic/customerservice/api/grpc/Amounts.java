package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.infra.DomainException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The seed callers send money as float(amount); it becomes an exact BigDecimal here, once, rounded
 * to cents. Nothing past this boundary sees a double.
 */
final class Amounts {
  /** Larger than any single sale or credit line we serve; beyond it a double has lost the cents anyway. */
  static final BigDecimal MAX = new BigDecimal("1000000000.00");

  private Amounts() {}

  static BigDecimal money(String field, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw DomainException.invalid(field, "must be a finite number");
    }
    if (value < 0) {
      throw DomainException.invalid(field, "must not be negative");
    }
    // BigDecimal.valueOf uses the shortest decimal that round-trips: 99.99 stays 99.99.
    BigDecimal amount = BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_EVEN);
    if (amount.compareTo(MAX) > 0) {
      throw DomainException.invalid(field, "must not exceed " + MAX.toPlainString());
    }
    return amount;
  }

  static BigDecimal positiveMoney(String field, double value) {
    BigDecimal amount = money(field, value);
    if (amount.signum() == 0) {
      throw DomainException.invalid(field, "must be greater than zero");
    }
    return amount;
  }

  /** Back to the wire: exact cents become the nearest double, as the seed callers expect. */
  static double wire(BigDecimal amount) {
    return amount == null ? 0.0 : amount.doubleValue();
  }
}
