package com.zenlogic.customerservice.platform.cache;

import com.zenlogic.customerservice.platform.metrics.CacheMetrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Two levels: an in-process near cache (shared by the verticles of this process) in front of Redis.
 * PERF: a warm checkout lookup is answered from memory, with no network round trip at all.
 *
 * <p>Freshness: a write invalidates the near cache of its own process synchronously, then Redis,
 * which announces it to every process (RemoteInvalidations); the write is acknowledged once they
 * confirmed. A process uses its near cache only while that announcement channel is known alive.
 *
 * <p>A miss carries both levels' generations, encoded as "near|redis" ("near|" when Redis could not
 * be read), so a refill of either level is dropped if an invalidation happened since.
 */
public final class NearCustomerCache implements CustomerCache {
  private final LocalCustomerCache near;
  private final RedisCustomerCache redis;
  private final RemoteInvalidations remote;

  NearCustomerCache(LocalCustomerCache near, RedisCustomerCache redis, RemoteInvalidations remote) {
    this.near = near;
    this.redis = redis;
    this.remote = remote;
  }

  @Override
  public Future<Entry> read(UUID org, UUID customerId) {
    Entry first = near.readNow(org, customerId);
    if (first.hit() && remote.trusted()) {
      CacheMetrics.read(CacheMetrics.NEAR, true);
      return Future.succeededFuture(first);
    }
    CacheMetrics.read(CacheMetrics.NEAR, false);
    return redis.read(org, customerId).map(second -> {
      CacheMetrics.read(CacheMetrics.REDIS, second.hit());
      if (second.hit()) {
        near.storeNow(org + ":" + customerId, first, second.value());
        return second;
      }
      return new Entry(null, combine(first, second));
    });
  }

  @Override
  public Future<Lookup> lookup(UUID org, String kind, String key) {
    UUID known = remote.trusted() ? near.keyNow(org, kind, key) : null;
    if (known != null) {
      Entry first = near.readNow(org, known);
      if (first.hit()) {
        CacheMetrics.read(CacheMetrics.NEAR, true);
        return Future.succeededFuture(new Lookup(known, first));
      }
    }
    CacheMetrics.read(CacheMetrics.NEAR, false);
    return redis.lookup(org, kind, key).map(found -> {
      CacheMetrics.read(CacheMetrics.REDIS, found.customerId() != null && found.entry().hit());
      if (found.customerId() == null) {
        return found;
      }
      Entry first = near.readNow(org, found.customerId());
      near.index(org, kind, key, found.customerId());
      if (found.entry().hit()) {
        near.storeNow(org + ":" + found.customerId(), first, found.entry().value());
        return found;
      }
      return new Lookup(found.customerId(), new Entry(null, combine(first, found.entry())));
    });
  }

  @Override
  public Future<Void> store(UUID org, UUID customerId, Entry miss, Buffer value) {
    if (miss.generation() == null) {
      return Future.succeededFuture();
    }
    String[] parts = miss.generation().split("\\|", -1);
    near.storeNow(org + ":" + customerId, new Entry(null, parts[0]), value);
    if (parts.length < 2 || parts[1].isEmpty()) {
      return Future.succeededFuture();
    }
    return redis.store(org, customerId, new Entry(null, parts[1].equals("-") ? "" : parts[1]), value);
  }

  @Override
  public Future<Void> index(UUID org, String kind, String key, UUID customerId) {
    near.index(org, kind, key, customerId);
    return redis.index(org, kind, key, customerId);
  }

  /** Drops this process's copy at once, then every other process's before the write is acknowledged. */
  @Override
  public Future<Void> invalidate(UUID org, UUID customerId) {
    near.invalidateNow(org + ":" + customerId);
    String messageId = remote.expect();
    return redis.announce(org, customerId, messageId).compose(receivers -> remote.confirmed(messageId, receivers));
  }

  @Override
  public JsonObject health() {
    return redis.health().put("near_cache", remote.trusted() ? "on" : "bypassed (invalidation channel down)");
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  /** "near|redis": "-" stands for a Redis generation that is empty (key absent), nothing for "unknown". */
  private static String combine(Entry near, Entry redis) {
    String second = redis.generation() == null ? "" : redis.generation().isEmpty() ? "-" : redis.generation();
    return near.generation() + "|" + second;
  }
}
