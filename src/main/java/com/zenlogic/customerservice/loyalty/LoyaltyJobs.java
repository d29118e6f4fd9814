package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.infra.Caller;
import java.util.Set;
import java.util.UUID;

/** Who the scheduled loyalty work acts as: the system, inside one organization at a time. */
final class LoyaltyJobs {
  private LoyaltyJobs() {}

  static Caller system(UUID org) {
    return new Caller(org, "system", null, Set.of(), "job-" + UUID.randomUUID());
  }
}
