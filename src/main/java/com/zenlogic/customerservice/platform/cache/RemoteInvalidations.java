package com.zenlogic.customerservice.platform.cache;

import com.zenlogic.customerservice.platform.metrics.CacheMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every process's near cache honest about writes made anywhere.
 *
 * <p>A writer announces each invalidation on a Redis channel with a message id; every process
 * (this one included) drops its near copy and confirms on an ack channel; the writer waits for as
 * many confirmations as Redis says it delivered (bounded by ACK_TIMEOUT_MS) before the write is
 * acknowledged. A process trusts its near cache only while its subscription is alive and answers
 * pings; otherwise it empties and bypasses it, since announcements may have been missed.
 */
final class RemoteInvalidations {
  /** Message id of announcements nobody waits for (replays after an outage). */
  static final String NO_ACK = "-";

  private static final Logger LOG = LoggerFactory.getLogger(RemoteInvalidations.class);
  private static final long PING_EVERY_MS = 1000;
  private static final long ACK_TIMEOUT_MS = 250;

  private final Vertx vertx;
  private final Redis client;
  private final String channel;
  private final String ackChannel;
  private final LocalCustomerCache local;
  private final String processId = UUID.randomUUID().toString();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
  private final AtomicBoolean trusted = new AtomicBoolean(false);
  private final AtomicLong unconfirmed = new AtomicLong();
  private volatile RedisConnection connection;
  // Confirmations go out on one pipelined connection of their own: cheaper than leasing a pooled
  // connection per confirmation, and a burst cannot overflow the pool's wait queue (24 by default).
  private Future<RedisConnection> ackConnection;
  private volatile boolean closed;
  private volatile long lastPong;
  private long timer = -1;

  /** Confirmations counted as they arrive, possibly before the writer knows how many to expect. */
  private static final class Waiter {
    final AtomicInteger received = new AtomicInteger();
    final Promise<Void> done = Promise.promise();
    volatile long expected = Long.MAX_VALUE;

    void check() {
      if (received.get() >= expected) {
        done.tryComplete();
      }
    }
  }

  RemoteInvalidations(Vertx vertx, String redisUrl, String prefix, LocalCustomerCache local) {
    this.vertx = vertx;
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setPoolName("cache-invalidations"));
    this.channel = RedisCustomerCache.channel(prefix);
    this.ackChannel = RedisCustomerCache.ackChannel(prefix);
    this.local = local;
  }

  void start() {
    connect();
    timer = vertx.setPeriodic(PING_EVERY_MS, id -> watch());
  }

  /** True when every invalidation published since the near cache was last emptied has been applied. */
  boolean trusted() {
    return trusted.get();
  }

  /** Invalidations acknowledged before every receiver confirmed (timed out). */
  long unconfirmed() {
    return unconfirmed.get();
  }

  /** A fresh message id; register it before announcing so no confirmation can be missed. */
  String expect() {
    String id = processId + "/" + sequence.incrementAndGet();
    waiters.put(id, new Waiter());
    return id;
  }

  /** Completes when {@code receivers} processes confirmed (or after the timeout: a silent one stops trusting itself). */
  Future<Void> confirmed(String messageId, long receivers) {
    Waiter w = waiters.get(messageId);
    if (w == null || receivers <= 0) {
      waiters.remove(messageId);
      return Future.succeededFuture();
    }
    w.expected = receivers;
    w.check();
    long timeout = vertx.setTimer(ACK_TIMEOUT_MS, t -> {
      if (w.done.tryComplete()) {
        unconfirmed.incrementAndGet();
        CacheMetrics.unconfirmed();
        LOG.warn("Invalidation {} confirmed by {} of {} processes within {} ms", messageId, w.received.get(), receivers,
            ACK_TIMEOUT_MS);
      }
    });
    return w.done.future().onComplete(v -> {
      vertx.cancelTimer(timeout);
      waiters.remove(messageId);
    });
  }

  void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    distrust("shutting down");
    client.close();
  }

  private void connect() {
    if (closed) {
      return;
    }
    client.connect().compose(conn -> {
      connection = conn;
      conn.handler(this::onMessage);
      conn.exceptionHandler(e -> lost(conn, e.toString()));
      conn.endHandler(v -> lost(conn, "connection closed"));
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel).arg(ackChannel)).map(conn);
    }).onSuccess(conn -> {
      lastPong = System.currentTimeMillis();
      // Anything published before the subscription took effect may have been missed: start empty.
      local.clear();
      if (trusted.compareAndSet(false, true)) {
        LOG.info("Near cache enabled: subscribed to {}", channel);
      }
    }).onFailure(e -> distrust("cannot subscribe: " + e.getMessage()));
  }

  private void onMessage(Response message) {
    // Anything the subscription delivers shows it alive. The PING's own answer may arrive here rather
    // than complete its send: the client hands a push that comes in while the PING is pending the
    // PING's place in its reply queue, and the real PONG then comes here as a plain reply. Under a
    // stream of writes that was every ping, and the near cache switched itself off every few seconds.
    lastPong = System.currentTimeMillis();
    // RESP2 and RESP3 push both arrive as ["message", channel, payload].
    if (message == null || message.type() != ResponseType.PUSH && message.type() != ResponseType.MULTI || message.size() < 1) {
      return;
    }
    String kind = message.get(0).toString();
    if ("message".equals(kind) && message.size() == 3) {
      String from = message.get(1).toString();
      String payload = message.get(2).toString();
      if (from.equals(channel)) {
        int space = payload.indexOf(' ');
        local.invalidateNow(payload.substring(space + 1));
        String messageId = payload.substring(0, space);
        if (messageId.startsWith(processId)) {
          // Our own announcement came back: counted here, no confirmation round trip through Redis.
          received(messageId);
        } else if (!NO_ACK.equals(messageId)) {
          confirm(messageId);
        }
      } else {
        received(payload);
      }
    }
  }

  private void received(String messageId) {
    Waiter w = waiters.get(messageId);
    if (w != null) {
      w.received.incrementAndGet();
      w.check();
    }
  }

  /** Confirms another process's announcement; a lost confirmation only makes that writer wait its timeout. */
  private void confirm(String messageId) {
    if (ackConnection == null || ackConnection.failed()) {
      ackConnection = client.connect().onSuccess(c -> {
        Future<RedisConnection> mine = ackConnection;
        c.exceptionHandler(e -> dropAckConnection(mine));
        c.endHandler(v -> dropAckConnection(mine));
      });
    }
    ackConnection.compose(c -> c.send(Request.cmd(Command.PUBLISH).arg(ackChannel).arg(messageId)))
        .onFailure(e -> LOG.debug("Confirmation of {} not sent: {}", messageId, e.toString()));
  }

  private void dropAckConnection(Future<RedisConnection> which) {
    if (ackConnection == which) {
      ackConnection = null;
    }
  }

  private void watch() {
    RedisConnection conn = connection;
    if (conn == null) {
      connect();
      return;
    }
    if (System.currentTimeMillis() - lastPong > 2 * PING_EVERY_MS + 500) {
      lost(conn, "no answer to ping");
      return;
    }
    conn.send(Request.cmd(Command.PING)).onSuccess(r -> lastPong = System.currentTimeMillis());
  }

  private void lost(RedisConnection conn, String why) {
    if (connection == conn) {
      connection = null;
      conn.close();
      distrust(why);
    }
  }

  private void distrust(String why) {
    if (trusted.compareAndSet(true, false)) {
      LOG.warn("Near cache disabled ({}): checkout reads use Redis or PostgreSQL until resubscribed", why);
    }
    local.clear();
  }
}
