package com.zenlogic.customerservice.platform.cache;

import com.zenlogic.customerservice.platform.metrics.CacheMetrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-process cache for a single node without Redis. One instance is shared by the verticles of
 * the process (thread-safe); bounded by dropping everything when full, which is rare and harmless.
 */
public final class LocalCustomerCache implements CustomerCache {
  private record Stored(Buffer value, long generation, long expiresAt) {}

  private final Map<String, Stored> values = new ConcurrentHashMap<>();
  private final Map<String, Long> generations = new ConcurrentHashMap<>();
  private final Map<String, UUID> keys = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong();
  private final AtomicLong epoch = new AtomicLong();
  private final long ttlMillis;
  private final int maxEntries;

  public LocalCustomerCache(long ttlMillis, int maxEntries) {
    this.ttlMillis = ttlMillis;
    this.maxEntries = maxEntries;
  }

  @Override
  public Future<Entry> read(UUID org, UUID customerId) {
    Entry entry = readNow(org, customerId);
    // Only the cache used alone counts here; in front of Redis, NearCustomerCache counts the near level.
    CacheMetrics.read(CacheMetrics.LOCAL, entry.hit());
    return Future.succeededFuture(entry);
  }

  /** The same as read, without the Future: the near cache calls this on every checkout lookup. */
  Entry readNow(UUID org, UUID customerId) {
    return entry(org + ":" + customerId);
  }

  UUID keyNow(UUID org, String kind, String key) {
    return keys.get(org + ":" + kind + ":" + key);
  }

  /** Drops everything: what another process changed while we could not hear about it may be stale. */
  void clear() {
    // A new epoch first: refills read before the clear must not land after it.
    epoch.incrementAndGet();
    values.clear();
    keys.clear();
    generations.clear();
  }

  private Entry entry(String id) {
    long generation = generations.getOrDefault(id, 0L);
    String token = epoch.get() + ":" + generation;
    Stored s = values.get(id);
    if (s != null && s.generation == generation && s.expiresAt > System.currentTimeMillis()) {
      return new Entry(s.value, token);
    }
    return new Entry(null, token);
  }

  @Override
  public Future<Lookup> lookup(UUID org, String kind, String key) {
    UUID id = keys.get(org + ":" + kind + ":" + key);
    Lookup found = new Lookup(id, id == null ? new Entry(null, null) : entry(org + ":" + id));
    CacheMetrics.read(CacheMetrics.LOCAL, found.entry().hit());
    return Future.succeededFuture(found);
  }

  @Override
  public Future<Void> store(UUID org, UUID customerId, Entry miss, Buffer value) {
    storeNow(org + ":" + customerId, miss, value);
    return Future.succeededFuture();
  }

  void storeNow(String id, Entry miss, Buffer value) {
    if (miss.generation() == null) {
      return;
    }
    if (values.size() >= maxEntries || generations.size() >= 4 * maxEntries) {
      clear();
    }
    String[] token = miss.generation().split(":", 2);
    if (Long.parseLong(token[0]) != epoch.get()) {
      return;
    }
    long expected = Long.parseLong(token[1]);
    // The generation check and the write are one atomic step per key.
    generations.compute(id, (k, current) -> {
      long now = current == null ? 0L : current;
      if (now == expected && Long.parseLong(token[0]) == epoch.get()) {
        values.put(id, new Stored(value, now, System.currentTimeMillis() + ttlMillis));
      }
      return current;
    });
  }

  @Override
  public Future<Void> index(UUID org, String kind, String key, UUID customerId) {
    keys.put(org + ":" + kind + ":" + key, customerId);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> invalidate(UUID org, UUID customerId) {
    invalidateNow(org + ":" + customerId);
    return Future.succeededFuture();
  }

  /** id is "org:customer", the form invalidation messages carry between processes. */
  void invalidateNow(String id) {
    generations.merge(id, clock.incrementAndGet(), (old, fresh) -> old + 1);
    values.remove(id);
  }

  @Override
  public JsonObject health() {
    return new JsonObject().put("backend", "in-process").put("state", "up").put("entries", values.size());
  }
}
