package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.config.ConfigException;

/**
 * The tunable parts of segmentation (RFM_WINDOW_DAYS, VIP_TOP_SHARE, VIP_PLATINUM, CHURN_*):
 * service-wide settings, defaults from the issue.
 */
public record SegmentPolicy(int windowDays, double vipTopShare, boolean vipIncludesPlatinum, double churnHighRatio,
                            double churnMediumRatio, int singlePurchaseHighDays, int singlePurchaseMediumDays) {

  public static final SegmentPolicy DEFAULT = new SegmentPolicy(365, 0.05, true, 2.0, 1.0, 90, 45);

  public SegmentPolicy {
    if (windowDays < 1 || windowDays > 3650) {
      throw new ConfigException("RFM_WINDOW_DAYS", "must be 1 to 3650");
    }
    if (vipTopShare <= 0 || vipTopShare > 1) {
      throw new ConfigException("VIP_TOP_SHARE", "must be greater than 0 and at most 1 (0.05 = top 5%)");
    }
    if (churnMediumRatio <= 0 || churnHighRatio < churnMediumRatio) {
      throw new ConfigException("CHURN_HIGH_RATIO", "must be at least CHURN_MEDIUM_RATIO, both positive");
    }
    if (singlePurchaseMediumDays < 1 || singlePurchaseHighDays < singlePurchaseMediumDays) {
      throw new ConfigException("CHURN_SINGLE_HIGH_DAYS", "must be at least CHURN_SINGLE_MEDIUM_DAYS, both positive");
    }
  }
}
