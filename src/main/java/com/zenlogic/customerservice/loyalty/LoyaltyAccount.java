package com.zenlogic.customerservice.loyalty;

import java.time.Instant;
import java.util.UUID;

/**
 * A customer's points: balance (all points), held (reserved by open holds), pending (earned inside
 * the program's return window, not yet spendable), and what is left to redeem: balance - held - pending.
 */
public record LoyaltyAccount(UUID customerId, long balance, long held, long lifetimeEarned, String tier, Instant tierSince,
                             Instant belowTierSince, long pending) {
  public LoyaltyAccount(UUID customerId, long balance, long held, long lifetimeEarned, String tier, Instant tierSince,
                        Instant belowTierSince) {
    this(customerId, balance, held, lifetimeEarned, tier, tierSince, belowTierSince, 0);
  }

  public long available() {
    return balance - held - pending;
  }
}
