package com.zenlogic.customerservice.platform.cache;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;

/** The checkout cache: Redis (null = in-process only), on/off, TTLs, key and channel prefix. */
public record CacheConfig(String redisUrl, boolean enabled, int ttlSeconds, int nearTtlSeconds, String keyPrefix) {
  public static final List<String> KEYS =
      List.of("REDIS_URL", "CACHE_ENABLED", "CACHE_TTL_SECONDS", "CACHE_NEAR_TTL_SECONDS", "CACHE_KEY_PREFIX");

  public static CacheConfig from(ConfigReader r) {
    return new CacheConfig(r.uri("REDIS_URL", "redis"), r.bool("CACHE_ENABLED", true),
        r.positive("CACHE_TTL_SECONDS", 300), r.positive("CACHE_NEAR_TTL_SECONDS", 30), r.text("CACHE_KEY_PREFIX", "cs"));
  }
}
