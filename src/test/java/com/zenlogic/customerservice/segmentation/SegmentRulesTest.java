package com.zenlogic.customerservice.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SegmentRulesTest {
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void theGridCoversEveryScoreWithTheIssuesSegments() {
    String[][] expected = {
        // F=1            F=2                   F=3                   F=4            F=5
        {"hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"},                          // R=1
        {"hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"},                          // R=2
        {"about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"},                     // R=3
        {"promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"},                  // R=4
        {"new", "potential_loyalist", "potential_loyalist", "champions", "champions"}};               // R=5
    for (int r = 1; r <= 5; r++) {
      for (int f = 1; f <= 5; f++) {
        assertEquals(expected[r - 1][f - 1], SegmentRules.segment(r, f), "R" + r + " F" + f);
      }
    }
  }

  @Test
  void churnFollowsTheIntervalRuleAndTheConfiguredThresholds() {
    Instant last = NOW.minus(Duration.ofDays(10));
    assertEquals("low", SegmentRules.churn(3, last.minus(Duration.ofDays(20)), last, NOW));    // mean 10 days, 10 since
    assertEquals("medium", SegmentRules.churn(3, last.minus(Duration.ofDays(10)), last, NOW)); // mean 5, ratio 2
    assertEquals("high", SegmentRules.churn(3, last.minus(Duration.ofDays(8)), last, NOW));    // mean 4, ratio 2.5
    assertEquals("medium", SegmentRules.churn(1, last, last, last.plus(Duration.ofDays(46))));
    assertEquals("high", SegmentRules.churn(1, last, last, last.plus(Duration.ofDays(91))));
    SegmentPolicy strict = new SegmentPolicy(365, 0.05, true, 1.5, 0.5, 30, 10);
    assertEquals("high", SegmentRules.churn(1, last, last, NOW.plus(Duration.ofDays(25)), strict));
    assertEquals("medium", SegmentRules.churn(3, last.minus(Duration.ofDays(20)), last, NOW, strict));
  }
}
