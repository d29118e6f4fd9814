package com.zenlogic.customerservice.platform.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The refill race against the real Redis: a slow read that missed must not store what a write has since replaced. */
class RedisCustomerCacheTest {
  static Vertx vertx;
  static RedisCustomerCache cache;
  static LocalCustomerCache local;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    cache = new RedisCustomerCache(vertx, "redis://127.0.0.1:6379", "test-" + UUID.randomUUID(), 60,
        java.util.concurrent.ConcurrentHashMap.newKeySet());
    local = new LocalCustomerCache(60_000, 1000);
  }

  @AfterAll
  static void stop() throws Exception {
    cache.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.await(5, TimeUnit.SECONDS);
  }

  @Test
  void aRefillThatRacedAnInvalidationIsDropped() throws Exception {
    for (CustomerCache c : new CustomerCache[] {cache, local}) {
      UUID org = UUID.randomUUID();
      UUID id = UUID.randomUUID();
      CustomerCache.Entry miss = await(c.read(org, id));
      assertFalse(miss.hit());
      // Meanwhile a write commits and invalidates; then the slow reader tries to store what it read before.
      await(c.invalidate(org, id));
      await(c.store(org, id, miss, Buffer.buffer("old")));
      assertFalse(await(c.read(org, id)).hit(), c.getClass().getSimpleName() + " must not resurrect the old value");
      CustomerCache.Entry second = await(c.read(org, id));
      await(c.store(org, id, second, Buffer.buffer("new")));
      assertEquals(Buffer.buffer("new"), await(c.read(org, id)).value());
      await(c.invalidate(org, id));
      assertFalse(await(c.read(org, id)).hit());
    }
  }

  @Test
  void aLookupKeyResolvesToTheCustomersEntryInOneCall() throws Exception {
    UUID org = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    CustomerCache.Lookup unknown = await(cache.lookup(org, "phone", "+56941234567"));
    assertEquals(null, unknown.customerId());
    await(cache.index(org, "phone", "+56941234567", id));
    CustomerCache.Lookup indexed = await(cache.lookup(org, "phone", "+56941234567"));
    assertEquals(id, indexed.customerId());
    assertFalse(indexed.entry().hit());
    await(cache.store(org, id, indexed.entry(), Buffer.buffer("card")));
    CustomerCache.Lookup hit = await(cache.lookup(org, "phone", "+56941234567"));
    assertTrue(hit.entry().hit());
    assertEquals(Buffer.buffer("card"), hit.entry().value());
    assertEquals(null, await(cache.lookup(UUID.randomUUID(), "phone", "+56941234567")).customerId(), "keys are per organization");
  }
}
