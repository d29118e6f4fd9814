package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * customer_cache_hits_total{level} and customer_cache_misses_total{level}: reads of the customer
 * cache by level: "near" (in-process, in front of Redis), "redis", or "local" (in-process, alone,
 * without REDIS_URL). A read the near level cannot answer counts a near miss, then a Redis hit or miss.
 * Hit ratio of a level: hits / (hits + misses).
 *
 * <p>customer_cache_invalidations_unconfirmed_total{reason="timeout"}: writes acknowledged before
 * every process confirmed it dropped its near copy (the silent one stops trusting its near cache).
 */
public final class CacheMetrics {
  public static final String NEAR = "near";
  public static final String REDIS = "redis";
  public static final String LOCAL = "local";

  private static final CounterFamily HITS = new CounterFamily("customer_cache_hits", "Customer cache reads answered", Tags.empty(),
      "level", null);
  private static final CounterFamily MISSES = new CounterFamily("customer_cache_misses", "Customer cache reads not answered",
      Tags.empty(), "level", null);

  private static final CounterFamily UNCONFIRMED = new CounterFamily("customer_cache_invalidations_unconfirmed",
      "Invalidations not confirmed by every process within the timeout", Tags.empty(), "reason", null);

  private CacheMetrics() {}

  public static void unconfirmed() {
    UNCONFIRMED.increment("timeout", "");
  }

  public static void read(String level, boolean hit) {
    (hit ? HITS : MISSES).increment(level, "");
  }
}
