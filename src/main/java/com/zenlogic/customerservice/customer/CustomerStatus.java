package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;

/** Blocked customers stay visible but may not buy on credit or redeem; deleted ones are hidden. */
public enum CustomerStatus {
  ACTIVE, BLOCKED, DELETED;

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static CustomerStatus of(String field, String code) {
    for (CustomerStatus s : values()) {
      if (s.code().equals(code)) {
        return s;
      }
    }
    throw DomainException.invalid(field, "must be active, blocked or deleted");
  }
}
