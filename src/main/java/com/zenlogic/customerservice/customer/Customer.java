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
    long version,
    UUID mergedInto) {

  public Customer(UUID id, UUID organizationId, CustomerProfile profile, Instant createdAt, Instant updatedAt, Instant deletedAt,
                  Instant erasedAt, long version) {
    this(id, organizationId, profile, createdAt, updatedAt, deletedAt, erasedAt, version, null);
  }

  /** Merged into another customer: its reads answer with the survivor's id. */
  public boolean merged() {
    return mergedInto != null;
  }

  public boolean deleted() {
    return deletedAt != null;
  }

  public String etag() {
    return "\"" + version + "\"";
  }
}
