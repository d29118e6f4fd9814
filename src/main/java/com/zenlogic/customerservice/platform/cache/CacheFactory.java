package com.zenlogic.customerservice.platform.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Chooses the cache backend from configuration. Each verticle instance asks {@link #perInstance()}
 * for its own handle; {@link #listener()} is the verticle that keeps the near cache in step with
 * other processes (null without Redis).
 */
public final class CacheFactory {
  private final Supplier<CustomerCache> perInstance;
  private final VerticleBase listener;

  private CacheFactory(Supplier<CustomerCache> perInstance, VerticleBase listener) {
    this.perInstance = perInstance;
    this.listener = listener;
  }

  /**
   * Redis: a near cache shared by the process in front of one Redis connection per verticle
   * instance (pipelined, on its own event loop). Without Redis: the in-process cache alone.
   */
  public static CacheFactory of(Vertx vertx, CacheConfig config) {
    if (!config.enabled()) {
      NoCustomerCache none = new NoCustomerCache();
      return new CacheFactory(() -> none, null);
    }
    if (config.redisUrl() == null) {
      LocalCustomerCache local = new LocalCustomerCache(config.ttlSeconds() * 1000L, 200_000);
      return new CacheFactory(() -> local, null);
    }
    Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
    LocalCustomerCache near = new LocalCustomerCache(config.nearTtlSeconds() * 1000L, 200_000);
    RemoteInvalidations remote = new RemoteInvalidations(vertx, config.redisUrl(), config.keyPrefix() + ":", near);
    VerticleBase listener = new VerticleBase() {
      @Override
      public Future<?> start() {
        remote.start();
        return Future.succeededFuture();
      }

      @Override
      public Future<?> stop() {
        remote.close();
        return Future.succeededFuture();
      }
    };
    return new CacheFactory(() -> new NearCustomerCache(near, new RedisCustomerCache(vertx, config.redisUrl(),
        config.keyPrefix(), config.ttlSeconds(), pendingInvalidations), remote), listener);
  }

  public Supplier<CustomerCache> perInstance() {
    return perInstance;
  }

  public VerticleBase listener() {
    return listener;
  }
}
