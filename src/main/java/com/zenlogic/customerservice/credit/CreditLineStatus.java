package com.zenlogic.customerservice.credit;

import java.util.Locale;

/**
 * A credit line's status. The lowercase code is what the database column, REST and gRPC carry
 * ("pending", "approved", "suspended", "closed"); the enum is what the service reasons with.
 * Which action may move a line out of which status is declared once, in {@link CreditLineAction}.
 */
public enum CreditLineStatus {
  PENDING, APPROVED, SUSPENDED, CLOSED;

  /** The wire and database form. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Only an approved line may be used for a credit sale. */
  public boolean usable() {
    return this == APPROVED;
  }

  /** The status a stored code names; an unknown code is a schema bug, not a caller error. */
  public static CreditLineStatus of(String code) {
    for (CreditLineStatus s : values()) {
      if (s.code().equals(code)) {
        return s;
      }
    }
    throw new IllegalStateException("unknown credit line status " + code);
  }
}
