package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;

/** A person buys for themselves (B2C); a company buys on account (B2B). */
public enum CustomerType {
  PERSON, COMPANY;

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static CustomerType of(String field, String code) {
    for (CustomerType t : values()) {
      if (t.code().equals(code)) {
        return t;
      }
    }
    throw DomainException.invalid(field, "must be person or company");
  }
}
