package com.zenlogic.customerservice.segmentation;

/** R, F, M scores 1..5 (0 = no purchase in the window), the segment, VIP and churn risk. */
public record Score(int recency, int frequency, int monetary, String segment, boolean vip, String churnRisk) {}
