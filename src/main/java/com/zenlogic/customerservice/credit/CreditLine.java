package com.zenlogic.customerservice.credit;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A B2B customer's credit line: what they may owe (limit), what they owe (outstanding), what they overpaid. */
public record CreditLine(UUID customerId, BigDecimal creditLimit, String currency, int termsDays, CreditLineStatus status,
                         BigDecimal outstanding, BigDecimal creditBalance, String approvedBy, Instant approvedAt, String notes) {
  /** limit − outstanding + credit balance, never below zero (a lowered limit can sit under what is owed). */
  public BigDecimal available() {
    return creditLimit.subtract(outstanding).add(creditBalance).max(BigDecimal.ZERO.setScale(2));
  }
}
