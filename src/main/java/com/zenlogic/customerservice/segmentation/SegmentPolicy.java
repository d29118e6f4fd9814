package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;

/**
 * The tunable parts of segmentation (RFM_WINDOW_DAYS, VIP_TOP_SHARE, VIP_PLATINUM, CHURN_*):
 * service-wide settings, defaults from the issue.
 */
public record SegmentPolicy(int windowDays, double vipTopShare, boolean vipIncludesPlatinum, double churnHighRatio,
                            double churnMediumRatio, int singlePurchaseHighDays, int singlePurchaseMediumDays) {

  public static final SegmentPolicy DEFAULT = new SegmentPolicy(365, 0.05, true, 2.0, 1.0, 90, 45);

  public static final List<String> KEYS = List.of("RFM_WINDOW_DAYS", "VIP_TOP_SHARE", "VIP_PLATINUM",
      "CHURN_HIGH_RATIO", "CHURN_MEDIUM_RATIO", "CHURN_SINGLE_HIGH_DAYS", "CHURN_SINGLE_MEDIUM_DAYS");

  public static SegmentPolicy from(ConfigReader r) {
    return new SegmentPolicy(r.positive("RFM_WINDOW_DAYS", 365), r.decimal("VIP_TOP_SHARE", 0.05),
        r.bool("VIP_PLATINUM", true), r.decimal("CHURN_HIGH_RATIO", 2.0), r.decimal("CHURN_MEDIUM_RATIO", 1.0),
        r.positive("CHURN_SINGLE_HIGH_DAYS", 90), r.positive("CHURN_SINGLE_MEDIUM_DAYS", 45));
  }

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
