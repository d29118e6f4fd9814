package com.zenlogic.customerservice.customer;

import java.time.Instant;
import java.util.UUID;

/** A customer as stored: its profile plus the fields only the service sets. */
public record Customer(
    UUID id,
    UUID organizationId,
    CustomerProfile profile,
    Instant createdAt,
    Instant updatedAt,
    Instant deletedAt,
    Instant erasedAt,
    long version) {

  public boolean deleted() {
    return deletedAt != null;
  }

  public String etag() {
    return "\"" + version + "\"";
  }
}
