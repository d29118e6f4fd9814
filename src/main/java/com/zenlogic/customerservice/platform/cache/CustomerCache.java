package com.zenlogic.customerservice.platform.cache;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Cache-aside store for what the checkout lookup answers about a customer, as opaque bytes.
 *
 * <p>Refills cannot resurrect stale data: a read that misses carries the customer's cache
 * generation, and {@link #store} writes only if no invalidation happened since that read.
 * {@link #invalidate} is called after a change commits and before it is acknowledged.
 *
 * <p>Every method tolerates an unavailable backend: reads then miss, stores are skipped.
 */
public interface CustomerCache {

  /**
   * A cached value, or a miss carrying the generation a refill must still match; a null
   * generation means the backend could not be read, and the refill is skipped.
   */
  record Entry(Buffer value, String generation) {
    public boolean hit() {
      return value != null;
    }
  }

  /** What a lookup key (phone, card, ...) points at, and the cached value of that customer if any. */
  record Lookup(UUID customerId, Entry entry) {}

  Future<Entry> read(UUID org, UUID customerId);

  /** Resolves a lookup key to a customer id and that customer's entry in one round trip where possible. */
  Future<Lookup> lookup(UUID org, String kind, String key);

  /** Stores a freshly loaded value unless the customer was invalidated after {@code miss} was read. */
  Future<Void> store(UUID org, UUID customerId, Entry miss, Buffer value);

  /** Remembers which customer a lookup key belongs to (ids never change; the value is checked on use). */
  Future<Void> index(UUID org, String kind, String key, UUID customerId);

  Future<Void> invalidate(UUID org, UUID customerId);

  /** For /health/ready: the backend and its state. */
  JsonObject health();

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
