package com.zenlogic.customerservice.platform.values;

import com.zenlogic.customerservice.platform.errors.DomainException;

import java.time.Duration;
import java.time.Instant;

/**
 * Report periods [from, to) (KPIs, loyalty liability, credit statements): both ends within
 * 2000-01-01..2100-01-01 and at most 3,660 days (ten years) long. Wider periods are refused rather than
 * computed: 0001-01-01..9999-12-31 overflowed the date arithmetic and scanned every row for nothing.
 */
public final class Periods {
  public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
  public static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");
  public static final Duration LONGEST = Duration.ofDays(3660);

  private Periods() {}

  /** The period itself when it is within the bounds; else INVALID naming from or to. */
  public static void check(Instant from, Instant to) {
    within("from", from);
    within("to", to);
    if (!from.isBefore(to)) {
      throw DomainException.invalid("from", "must be before to");
    }
    if (Duration.between(from, to).compareTo(LONGEST) > 0) {
      throw DomainException.invalid("from", "must be at most 3660 days (ten years) before to");
    }
  }

  private static void within(String field, Instant at) {
    if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
      throw DomainException.invalid(field, "must be between 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z");
    }
  }
}
