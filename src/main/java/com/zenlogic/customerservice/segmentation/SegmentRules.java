package com.zenlogic.customerservice.segmentation;

import java.time.Duration;
import java.time.Instant;

/**
 * The widely used RF grid and the churn rule. The same grid is written in SQL for the batch
 * (SegmentRepository.RESCORE); SegmentRulesTest keeps the two in step.
 */
public final class SegmentRules {
  public static final String NONE = "none";
  public static final String LOST = "lost";
  public static final java.util.List<String> SEGMENTS = java.util.List.of("champions", "loyal", "potential_loyalist", "new",
      "promising", "need_attention", "about_to_sleep", "at_risk", "cannot_lose", "hibernating", LOST, NONE);

  private SegmentRules() {}

  /** Segment from recency and frequency scores (1..5, 5 best). */
  public static String segment(int r, int f) {
    if (r == 5 && f >= 4) {
      return "champions";
    }
    if ((r == 3 || r == 4) && f >= 4) {
      return "loyal";
    }
    if (r >= 4 && (f == 2 || f == 3)) {
      return "potential_loyalist";
    }
    if (r == 5 && f == 1) {
      return "new";
    }
    if (r == 4 && f == 1) {
      return "promising";
    }
    if (r == 3 && f == 3) {
      return "need_attention";
    }
    if (r == 3) {
      return "about_to_sleep";
    }
    if (f == 5) {
      return "cannot_lose";
    }
    if (f >= 3) {
      return "at_risk";
    }
    return "hibernating";
  }

  /**
   * Churn risk: with two or more purchases, days since the last over the customer's mean interval
   * (> 2 high, > 1 medium); with one purchase, > 90 days high, > 45 medium.
   */
  public static String churn(int purchases, Instant first, Instant last, Instant now) {
    return churn(purchases, first, last, now, SegmentPolicy.DEFAULT);
  }

  public static String churn(int purchases, Instant first, Instant last, Instant now, SegmentPolicy policy) {
    if (purchases == 0 || last == null) {
      return "low";
    }
    double since = Duration.between(last, now).toSeconds() / 86400.0;
    if (purchases == 1) {
      return since > policy.singlePurchaseHighDays() ? "high" : since > policy.singlePurchaseMediumDays() ? "medium" : "low";
    }
    double mean = Duration.between(first, last).toSeconds() / 86400.0 / (purchases - 1);
    if (mean <= 0) {
      return since > 1 ? "high" : "low";
    }
    double ratio = since / mean;
    return ratio > policy.churnHighRatio() ? "high" : ratio > policy.churnMediumRatio() ? "medium" : "low";
  }
}
