package com.zenlogic.customerservice.platform.auth;

import java.util.Arrays;
import java.util.List;

/**
 * Every permission the service checks, once. {@link #wire()} is the string in the tokens'
 * "permissions" claim; it never changes (issued tokens carry it).
 */
public enum Permission {
  CUSTOMERS_READ("customers:read"),
  CUSTOMERS_WRITE("customers:write"),
  LOYALTY_READ("loyalty:read"),
  LOYALTY_WRITE("loyalty:write"),
  LOYALTY_ADMIN("loyalty:admin"),
  CREDIT_READ("credit:read"),
  CREDIT_WRITE("credit:write"),
  CREDIT_APPROVE("credit:approve"),
  SEGMENTS_READ("segments:read"),
  SEGMENTS_ADMIN("segments:admin"),
  ANALYTICS_READ("analytics:read"),
  /** The audit of a customer's changes and the data-protection access request (export). */
  CUSTOMERS_ADMIN("customers:admin");

  private final String wire;

  Permission(String wire) {
    this.wire = wire;
  }

  /** The token claim's string, e.g. "loyalty:write". */
  public String wire() {
    return wire;
  }

  /** The claim strings of all permissions (a dev token's default). */
  public static List<String> allWire() {
    return Arrays.stream(values()).map(Permission::wire).toList();
  }

  @Override
  public String toString() {
    return wire;
  }
}
