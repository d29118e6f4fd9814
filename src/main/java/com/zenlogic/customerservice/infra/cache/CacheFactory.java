package com.zenlogic.customerservice.infra.cache;

import com.zenlogic.customerservice.infra.AppConfig;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Chooses the cache backend from configuration; each verticle instance asks for its own handle. */
public final class CacheFactory {
  private CacheFactory() {}

  /**
   * Redis: one client and connection per verticle instance (pipelined, on its own event loop).
   * In-process: one shared instance, since it only works within one process anyway.
   */
  public static Supplier<CustomerCache> of(Vertx vertx, AppConfig config) {
    if (!config.cacheEnabled()) {
      NoCustomerCache none = new NoCustomerCache();
      return () -> none;
    }
    if (config.redisUrl() == null) {
      LocalCustomerCache local = new LocalCustomerCache(config.cacheTtlSeconds() * 1000L, 200_000);
      return () -> local;
    }
    Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
    return () -> new RedisCustomerCache(vertx, config.redisUrl(), config.cacheKeyPrefix(), config.cacheTtlSeconds(),
        pendingInvalidations);
  }
}
