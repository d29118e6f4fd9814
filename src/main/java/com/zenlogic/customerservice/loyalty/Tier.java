package com.zenlogic.customerservice.loyalty;

import java.math.BigDecimal;
import java.util.List;

/** A membership level: reached with qualifying points in the rolling window; its benefits are data. */
public record Tier(String code, long threshold, BigDecimal multiplier, List<String> benefits) {
  public Tier {
    benefits = List.copyOf(benefits);
  }
}
