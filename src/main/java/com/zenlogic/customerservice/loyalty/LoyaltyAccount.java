package com.zenlogic.customerservice.loyalty;

import java.time.Instant;
import java.util.UUID;

/** A customer's points: balance (all points), held (reserved by open holds), what is left to redeem. */
public record LoyaltyAccount(UUID customerId, long balance, long held, long lifetimeEarned, String tier, Instant tierSince,
                             Instant belowTierSince) {
  public long available() {
    return balance - held;
  }
}
