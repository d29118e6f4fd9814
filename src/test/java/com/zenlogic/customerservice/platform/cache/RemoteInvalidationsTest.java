package com.zenlogic.customerservice.platform.cache;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The invalidation channel under a stream of writes, against the real Redis: the near cache stays
 * trusted (its liveness ping is answered while announcements flow), and bursts larger than a
 * connection pool's wait queue are all confirmed by every process.
 */
class RemoteInvalidationsTest {
  static final String REDIS = "redis://127.0.0.1:6379";
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theNearCacheStaysTrustedWhileAnnouncementsStream() throws Exception {
    String prefix = "test-" + UUID.randomUUID() + ":";
    RemoteInvalidations remote = new RemoteInvalidations(vertx, REDIS, prefix, new LocalCustomerCache(60_000, 1000));
    remote.start();
    try {
      waitFor(remote::trusted, "subscribed", 10_000);
      // Another process's writes, as fast as one pipelined connection sends them, for longer than the ping's tolerance.
      RedisConnection flood = Redis.createClient(vertx, REDIS).connect().await(5, TimeUnit.SECONDS);
      long until = System.currentTimeMillis() + 4_000;
      int distrusted = 0;
      while (System.currentTimeMillis() < until) {
        List<Request> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          batch.add(Request.cmd(Command.PUBLISH).arg(RedisCustomerCache.channel(prefix))
              .arg(RemoteInvalidations.NO_ACK + " " + UUID.randomUUID() + ":" + UUID.randomUUID()));
        }
        flood.batch(batch).await(5, TimeUnit.SECONDS);
        distrusted += remote.trusted() ? 0 : 1;
      }
      flood.close();
      assertEquals(0, distrusted, "samples with the near cache bypassed while announcements flowed");
    } finally {
      remote.close();
    }
  }

  @Test
  void aBurstOfInvalidationsIsConfirmedByEveryProcess() throws Exception {
    String prefix = "test-" + UUID.randomUUID();
    List<NearCustomerCache> processes = new ArrayList<>();
    List<RemoteInvalidations> remotes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      LocalCustomerCache near = new LocalCustomerCache(60_000, 10_000);
      RemoteInvalidations remote = new RemoteInvalidations(vertx, REDIS, prefix + ":", near);
      remote.start();
      remotes.add(remote);
      processes.add(new NearCustomerCache(near, new RedisCustomerCache(vertx, REDIS, prefix, 60, ConcurrentHashMap.newKeySet()), remote));
    }
    try {
      waitFor(() -> remotes.stream().allMatch(RemoteInvalidations::trusted), "both subscribed", 10_000);
      for (int round = 0; round < 3; round++) {
        List<Future<Void>> writes = new ArrayList<>();
        UUID org = UUID.randomUUID();
        for (int i = 0; i < 300; i++) {
          writes.add(processes.get(i % 2).invalidate(org, UUID.randomUUID()));
        }
        Future.all(writes).await(30, TimeUnit.SECONDS);
      }
      for (RemoteInvalidations r : remotes) {
        assertEquals(0, r.unconfirmed(), "invalidations acknowledged without every process's confirmation");
      }
    } finally {
      for (int i = 0; i < 2; i++) {
        remotes.get(i).close();
        processes.get(i).close().await(5, TimeUnit.SECONDS);
      }
    }
  }
}
