package com.zenlogic.customerservice.platform.cache;

import com.zenlogic.customerservice.platform.metrics.Breakers;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis-backed checkout cache, one pipelined connection per verticle instance, every command
 * behind a circuit breaker with a short timeout: a slow or absent Redis turns into cache misses,
 * never into errors.
 *
 * <p>Keys: {prefix}:c:{org}:{id} value, {prefix}:g:{org}:{id} generation, {prefix}:k:{org}:{kind}:{key} id.
 * An invalidation that could not reach Redis is kept and replayed before any instance of this
 * process reads from Redis again, so its acknowledged writes are never followed by stale reads.
 */
public final class RedisCustomerCache implements CustomerCache {
  private static final Logger LOG = LoggerFactory.getLogger(RedisCustomerCache.class);

  // Resolves key -> id -> (value, generation) in one round trip.
  private static final String LOOKUP = """
      local id = redis.call('GET', KEYS[1])
      if not id then return {false, false, false} end
      local v = redis.call('GET', ARGV[1] .. 'c:' .. ARGV[2] .. ':' .. id)
      local g = redis.call('GET', ARGV[1] .. 'g:' .. ARGV[2] .. ':' .. id)
      return {id, v or false, g or ''}""";

  // Writes the value only if no invalidation bumped the generation since the miss was read.
  private static final String STORE = """
      local g = redis.call('GET', KEYS[2]) or ''
      if g == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end
      return 0""";

  // Also tells every process's near cache (see RemoteInvalidations) to drop its copy.
  private static final String INVALIDATE = """
      redis.call('INCR', KEYS[2])
      redis.call('EXPIRE', KEYS[2], ARGV[1])
      redis.call('DEL', KEYS[1])
      return redis.call('PUBLISH', ARGV[2], ARGV[3])""";

  private final Redis client;
  private final CircuitBreaker breaker;
  private final String prefix;
  private final int ttlSeconds;
  // Shared by every instance in this process: a write on the HTTP verticle must hold back reads on the gRPC ones.
  private final Set<String> pendingInvalidations;
  private Future<RedisConnection> connection;

  public RedisCustomerCache(Vertx vertx, String redisUrl, String keyPrefix, int ttlSeconds, Set<String> pendingInvalidations) {
    this.pendingInvalidations = pendingInvalidations;
    this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxWaitingHandlers(4096)
        .setPoolName("cache")
        .setTracingPolicy(io.vertx.core.tracing.TracingPolicy.PROPAGATE));
    this.prefix = keyPrefix + ":";
    this.ttlSeconds = ttlSeconds;
    this.breaker = CircuitBreaker.create("redis-cache", vertx, new CircuitBreakerOptions()
        .setMaxFailures(3)
        .setTimeout(150)
        .setResetTimeout(1000));
    breaker.openHandler(v -> LOG.warn("Redis cache circuit OPEN: checkout reads go to PostgreSQL"));
    breaker.closeHandler(v -> LOG.info("Redis cache circuit closed: Redis answers again"));
    Breakers.register(Breakers.REDIS, breaker);
  }

  @Override
  public Future<Entry> read(UUID org, UUID customerId) {
    return usable().compose(ok -> !ok ? miss() : call(Request.cmd(Command.MGET)
            .arg(valueKey(org, customerId)).arg(generationKey(org, customerId)))
        .map(r -> new Entry(buffer(r.get(0)), generation(r.get(1))))
        .otherwise(e -> new Entry(null, null)));
  }

  @Override
  public Future<Lookup> lookup(UUID org, String kind, String key) {
    return usable().compose(ok -> !ok ? Future.succeededFuture(new Lookup(null, new Entry(null, null)))
        : call(Request.cmd(Command.EVAL).arg(LOOKUP).arg(1).arg(indexKey(org, kind, key)).arg(prefix).arg(org.toString()))
            .map(r -> {
              String id = text(r.get(0));
              return new Lookup(id == null ? null : UUID.fromString(id), new Entry(buffer(r.get(1)), generation(r.get(2))));
            })
            .otherwise(e -> new Lookup(null, new Entry(null, null))));
  }

  @Override
  public Future<Void> store(UUID org, UUID customerId, Entry miss, Buffer value) {
    if (miss.generation() == null) {
      // The read did not reach Redis: whether an invalidation happened since is unknown.
      return Future.succeededFuture();
    }
    return call(Request.cmd(Command.EVAL).arg(STORE).arg(2).arg(valueKey(org, customerId)).arg(generationKey(org, customerId))
            .arg(miss.generation() == null ? "" : miss.generation()).arg(value).arg(ttlSeconds))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  @Override
  public Future<Void> index(UUID org, String kind, String key, UUID customerId) {
    return call(Request.cmd(Command.SET).arg(indexKey(org, kind, key)).arg(customerId.toString()).arg("EX").arg(ttlSeconds))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /**
   * Never fails the write it follows: if Redis cannot be told, the invalidation is remembered and
   * this instance reads from PostgreSQL until it has been replayed. Entries expire after the TTL in
   * any case, which bounds what other instances may serve during a partition.
   */
  @Override
  public Future<Void> invalidate(UUID org, UUID customerId) {
    return announce(org, customerId, RemoteInvalidations.NO_ACK).mapEmpty();
  }

  /**
   * Invalidates and announces it to every process's near cache with this message id; answers how
   * many processes received the announcement, or -1 when Redis could not be told (kept for replay).
   */
  Future<Long> announce(UUID org, UUID customerId, String messageId) {
    String id = org + ":" + customerId;
    return sendInvalidation(id, messageId).recover(e -> {
      pendingInvalidations.add(id);
      return Future.succeededFuture(-1L);
    });
  }

  @Override
  public JsonObject health() {
    return new JsonObject().put("backend", "redis").put("state", breaker.state().name().toLowerCase())
        .put("pending_invalidations", pendingInvalidations.size());
  }

  @Override
  public Future<Void> close() {
    Breakers.unregister(Breakers.REDIS, breaker);
    return client.close();
  }

  /** True when Redis may be read: breaker not open and no invalidation of ours left to replay. */
  private Future<Boolean> usable() {
    if (pendingInvalidations.isEmpty()) {
      return Future.succeededFuture(true);
    }
    List<Future<Void>> replays = new ArrayList<>();
    for (String id : List.copyOf(pendingInvalidations)) {
      replays.add(sendInvalidation(id, RemoteInvalidations.NO_ACK).<Void>mapEmpty().onSuccess(v -> pendingInvalidations.remove(id)));
    }
    return Future.all(replays).map(true).otherwise(false);
  }

  private Future<Long> sendInvalidation(String id, String messageId) {
    return call(Request.cmd(Command.EVAL).arg(INVALIDATE).arg(2).arg(prefix + "c:" + id).arg(prefix + "g:" + id)
        .arg(Math.max(ttlSeconds * 2, 3600)).arg(channel(prefix)).arg(messageId + " " + id)).map(Response::toLong);
  }

  private Future<Response> call(Request request) {
    return breaker.execute(() -> connection().compose(c -> c.send(request)));
  }

  /** The instance's connection, reopened on demand after Redis dropped it. */
  private Future<RedisConnection> connection() {
    if (connection == null || connection.failed()) {
      connection = client.connect().onSuccess(c -> {
        Future<RedisConnection> mine = connection;
        c.exceptionHandler(e -> dropConnection(mine));
        c.endHandler(v -> dropConnection(mine));
      });
    }
    return connection;
  }

  private void dropConnection(Future<RedisConnection> which) {
    if (connection == which) {
      connection = null;
    }
  }

  /** The pub/sub channel invalidations are announced on; messages are "messageId org:customer". */
  static String channel(String prefix) {
    return prefix + "invalidations";
  }

  /** Where processes confirm they applied an announced invalidation; messages are the message id. */
  static String ackChannel(String prefix) {
    return prefix + "invalidation-acks";
  }

  private static Future<Entry> miss() {
    return Future.succeededFuture(new Entry(null, null));
  }

  private String valueKey(UUID org, UUID id) {
    return prefix + "c:" + org + ":" + id;
  }

  private String generationKey(UUID org, UUID id) {
    return prefix + "g:" + org + ":" + id;
  }

  private String indexKey(UUID org, String kind, String key) {
    return prefix + "k:" + org + ":" + kind + ":" + key;
  }

  private static Buffer buffer(Response r) {
    return r == null || r.toBuffer() == null ? null : r.toBuffer();
  }

  private static String text(Response r) {
    return r == null ? null : r.toString();
  }

  /** A generation read from Redis: "" when the key does not exist yet (null means "unknown"). */
  private static String generation(Response r) {
    return r == null ? "" : r.toString();
  }
}
