package com.zenlogic.customerservice.infra;

import java.security.SecureRandom;
import java.util.UUID;

/** Identifier helpers: time-ordered UUIDv7 for new rows, strict parsing of caller-supplied ids. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

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
    if (value.length() != 36) {
      throw DomainException.invalid(field, "must be a UUID");
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw DomainException.invalid(field, "must be a UUID");
    }
  }
}
