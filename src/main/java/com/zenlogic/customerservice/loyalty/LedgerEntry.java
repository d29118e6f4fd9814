package com.zenlogic.customerservice.loyalty;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One append-only row of the points ledger. */
public record LedgerEntry(
    long id,
    UUID customerId,
    String type,
    long points,
    long heldDelta,
    long balanceAfter,
    BigDecimal amount,
    String reference,
    String requestHash,
    String channel,
    String reason,
    String actor,
    long shortfall,
    String tierAfter,
    boolean tierUpgraded,
    Instant createdAt) {

  public static final String EARN = "earn";
  public static final String REDEEM = "redeem";
  public static final String HOLD = "hold";
  public static final String RELEASE = "release";
  public static final String REVERSE = "reverse";
  public static final String EXPIRE = "expire";
  public static final String ADJUST = "adjust";
  /** Pending points became spendable (0 points; the pending delta is negative). */
  public static final String AVAILABLE = "available";
  /** Points spent on a cancelled order or a voided sale, given back. */
  public static final String REFUND = "refund";
  public static final String TRANSFER_OUT = "transfer_out";
  public static final String TRANSFER_IN = "transfer_in";
  /** All of a merged customer's points leaving its account for the survivor's (AccountMerges). */
  public static final String MERGE_OUT = "merge_out";
  public static final String MERGE_IN = "merge_in";
}
