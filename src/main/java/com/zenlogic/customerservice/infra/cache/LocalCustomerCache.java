package com.zenlogic.customerservice.infra.cache;

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
  private final long ttlMillis;
  private final int maxEntries;

  public LocalCustomerCache(long ttlMillis, int maxEntries) {
    this.ttlMillis = ttlMillis;
    this.maxEntries = maxEntries;
  }

  @Override
  public Future<Entry> read(UUID org, UUID customerId) {
    return Future.succeededFuture(entry(org + ":" + customerId));
  }

  private Entry entry(String id) {
    long generation = generations.getOrDefault(id, 0L);
    Stored s = values.get(id);
    if (s != null && s.generation == generation && s.expiresAt > System.currentTimeMillis()) {
      return new Entry(s.value, Long.toString(generation));
    }
    return new Entry(null, Long.toString(generation));
  }

  @Override
  public Future<Lookup> lookup(UUID org, String kind, String key) {
    UUID id = keys.get(org + ":" + kind + ":" + key);
    return Future.succeededFuture(new Lookup(id, id == null ? new Entry(null, null) : entry(org + ":" + id)));
  }

  @Override
  public Future<Void> store(UUID org, UUID customerId, Entry miss, Buffer value) {
    String id = org + ":" + customerId;
    if (values.size() >= maxEntries) {
      values.clear();
      keys.clear();
    }
    long expected = miss.generation() == null ? 0L : Long.parseLong(miss.generation());
    // The generation check and the write are one atomic step per key.
    generations.compute(id, (k, current) -> {
      long now = current == null ? 0L : current;
      if (now == expected) {
        values.put(id, new Stored(value, now, System.currentTimeMillis() + ttlMillis));
      }
      return current;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> index(UUID org, String kind, String key, UUID customerId) {
    keys.put(org + ":" + kind + ":" + key, customerId);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> invalidate(UUID org, UUID customerId) {
    String id = org + ":" + customerId;
    generations.merge(id, clock.incrementAndGet(), (old, fresh) -> old + 1);
    values.remove(id);
    return Future.succeededFuture();
  }

  @Override
  public JsonObject health() {
    return new JsonObject().put("backend", "in-process").put("state", "up").put("entries", values.size());
  }
}
