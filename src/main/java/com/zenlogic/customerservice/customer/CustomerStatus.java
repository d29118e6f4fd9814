package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;

/**
 * Blocked customers stay visible but may not buy on credit or redeem; deleted ones are hidden; a
 * merged one lives on in its survivor (only a merge sets it).
 */
public enum CustomerStatus {
  ACTIVE, BLOCKED, DELETED, MERGED;

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static CustomerStatus of(String field, String code) {
    for (CustomerStatus s : values()) {
      if (s.code().equals(code)) {
        return s;
      }
    }
    throw DomainException.invalid(field, "must be active, blocked, deleted or merged");
  }
}
