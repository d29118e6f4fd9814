package com.zenlogic.customerservice.loyalty;

import java.time.Instant;
import java.util.UUID;

/** Points reserved at the POS while the sale completes: captured (redeemed) or cancelled, or they expire. */
public record Hold(UUID id, UUID customerId, long points, String reference, String status, Instant expiresAt) {
  public static final String OPEN = "open";
  public static final String CAPTURED = "captured";
  public static final String CANCELLED = "cancelled";
  public static final String EXPIRED = "expired";
}
