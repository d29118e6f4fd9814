package com.zenlogic.customerservice.platform.values;

import com.zenlogic.customerservice.platform.errors.DomainException;

import java.security.SecureRandom;
import java.util.UUID;

/** Identifier helpers: time-ordered UUIDv7 for new rows, strict parsing of caller-supplied ids. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final java.util.regex.Pattern CANONICAL =
      java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Ids() {}

  /**
   * UUIDv7 (RFC 9562): 48-bit Unix milliseconds then random bits. Time-ordered ids keep index
   * inserts local and give list endpoints a stable creation order to page on.
   */
  public static UUID newId() {
    long millis = System.currentTimeMillis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (millis << 16) | 0x7000L | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /** Parses a UUID in its canonical 36-character form, or fails naming the field. */
  public static UUID parse(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw DomainException.invalid(field, "is required");
    }
    // UUID.fromString alone takes signs and short groups ("+0000000-0-…"): check the shape first.
    if (!CANONICAL.matcher(value).matches()) {
      throw DomainException.invalid(field, "must be a UUID");
    }
    return UUID.fromString(value);
  }
}
