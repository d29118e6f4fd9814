package com.zenlogic.customerservice.api.grpc;

import java.math.BigDecimal;

/** Money back to the seed callers' float fields; parsing them is Decimals' job. */
final class Amounts {
  private Amounts() {}

  /** Back to the wire: exact cents become the nearest double, as the seed callers expect. */
  static double wire(BigDecimal amount) {
    return amount == null ? 0.0 : amount.doubleValue();
  }
}
