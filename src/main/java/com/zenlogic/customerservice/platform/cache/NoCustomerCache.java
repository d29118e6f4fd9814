package com.zenlogic.customerservice.platform.cache;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** CACHE_ENABLED=false: every read goes to PostgreSQL (used to measure the database path). */
public final class NoCustomerCache implements CustomerCache {
  private static final Entry MISS = new Entry(null, null);

  @Override
  public Future<Entry> read(UUID org, UUID customerId) {
    return Future.succeededFuture(MISS);
  }

  @Override
  public Future<Lookup> lookup(UUID org, String kind, String key) {
    return Future.succeededFuture(new Lookup(null, MISS));
  }

  @Override
  public Future<Void> store(UUID org, UUID customerId, Entry miss, Buffer value) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> index(UUID org, String kind, String key, UUID customerId) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> invalidate(UUID org, UUID customerId) {
    return Future.succeededFuture();
  }

  @Override
  public JsonObject health() {
    return new JsonObject().put("backend", "none").put("state", "disabled");
  }
}
