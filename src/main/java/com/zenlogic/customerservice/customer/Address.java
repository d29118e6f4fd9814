package com.zenlogic.customerservice.customer;

import java.time.Instant;
import java.util.UUID;

/** A shipping or billing address; at most one default of each kind per customer. */
public record Address(
    UUID id,
    UUID customerId,
    String kind,
    String label,
    String line1,
    String line2,
    String city,
    String region,
    String postalCode,
    String country,
    boolean isDefault,
    Instant createdAt,
    Instant updatedAt) {

  public static final String SHIPPING = "shipping";
  public static final String BILLING = "billing";
}
