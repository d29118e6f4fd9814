package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * customer_cache_hits_total{level} and customer_cache_misses_total{level}: reads of the customer
 * cache by level: "near" (in-process, in front of Redis), "redis", or "local" (in-process, alone,
 * without REDIS_URL). A read the near level cannot answer counts a near miss, then a Redis hit or miss.
 * Hit ratio of a level: hits / (hits + misses).
 */
public final class CacheMetrics {
  public static final String NEAR = "near";
  public static final String REDIS = "redis";
  public static final String LOCAL = "local";

  private static final CounterFamily HITS = new CounterFamily("customer_cache_hits", "Customer cache reads answered", Tags.empty(),
      "level", null);
  private static final CounterFamily MISSES = new CounterFamily("customer_cache_misses", "Customer cache reads not answered",
      Tags.empty(), "level", null);

  private CacheMetrics() {}

  public static void read(String level, boolean hit) {
    (hit ? HITS : MISSES).increment(level, "");
  }
}
