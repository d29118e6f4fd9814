package com.zenlogic.customerservice.platform.inbox;

import com.zenlogic.customerservice.platform.bus.Bus;

/** An engine's answer to a consumed message: applied now, or already applied before (a redelivery, changed nothing). */
public record Applied(boolean duplicate) implements Bus.Local {
  public static final Applied NOW = new Applied(false);
  public static final Applied BEFORE = new Applied(true);

  /** Two engines' answers as one: a duplicate only if neither applied anything now. */
  public Applied and(Applied other) {
    return duplicate && other.duplicate ? BEFORE : NOW;
  }
}
