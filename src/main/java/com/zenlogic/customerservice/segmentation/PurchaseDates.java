package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.time.Duration;
import java.time.Instant;

/**
 * When a purchase may have happened: not before 2000-01-01 and not more than one day after now (a
 * till's clock may run ahead). A purchase dated 9999-12-31 would stay the customer's "last purchase"
 * for good and skew recency and RFM scoring for the whole organization.
 */
public final class PurchaseDates {
  public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  public static final Duration AHEAD = Duration.ofDays(1);

  private PurchaseDates() {}

  public static Instant checked(String field, Instant occurredAt, Instant now) {
    if (occurredAt.isBefore(EARLIEST) || occurredAt.isAfter(now.plus(AHEAD))) {
      throw DomainException.invalid(field, "must be between 2000-01-01T00:00:00Z and one day from now");
    }
    return occurredAt;
  }
}
