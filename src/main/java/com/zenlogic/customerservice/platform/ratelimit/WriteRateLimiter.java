package com.zenlogic.customerservice.platform.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes per organization, as a GCRA (the token bucket of {@code rate} per second holding
 * {@code burst}): one budget per organization for the whole cluster, kept in Redis by one Lua script
 * on Redis's clock. Without Redis, or while it does not answer, each process limits on its own
 * (the same rate per node): degraded, but neither refusing every write nor silently unlimited.
 */
public final class WriteRateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(WriteRateLimiter.class);
  private static final long REDIS_TIMEOUT_MS = 200;
  private static final long REDIS_RETRY_MS = 1_000;

  // KEYS[1] the organization's key; ARGV[1] microseconds between writes, ARGV[2] burst tolerance in
  // microseconds (whole numbers: exact in Lua's doubles up to 2^53, centuries of microseconds).
  // Answers {1, 0} when admitted (and books it), {0, ms until the next write is admitted} when not.
  static final String GCRA = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local interval = tonumber(ARGV[1])
      local tolerance = tonumber(ARGV[2])
      local tat = tonumber(redis.call('GET', KEYS[1]) or now)
      if tat < now then tat = now end
      local next_tat = tat + interval
      local wait = next_tat - tolerance - now
      if wait > 0 then return {0, math.ceil(wait / 1000)} end
      redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1000)
      return {1, 0}""";

  /** Admitted, or refused with the wait until the next write of this organization would be admitted. */
  public record Decision(boolean allowed, long retryAfterMillis) {
    /** Retry-After in whole seconds, at least 1. */
    public long retryAfterSeconds() {
      return Math.max(1, (retryAfterMillis + 999) / 1000);
    }
  }

  private static final Decision ALLOWED = new Decision(true, 0);

  private final Redis redis;
  private final String keyPrefix;
  private final long intervalMicros;
  private final long toleranceMicros;
  private final LocalBuckets local;
  private volatile long redisRetryAt;

  /**
   * @param writesPerSecond 0 = no limit
   * @param redisUrl null = this process limits alone
   */
  public WriteRateLimiter(Vertx vertx, int writesPerSecond, int burst, String redisUrl, String keyPrefix) {
    // Rounded up, so the limit is never more than the configured rate.
    this.intervalMicros = writesPerSecond <= 0 ? 0 : (1_000_000L + writesPerSecond - 1) / writesPerSecond;
    this.toleranceMicros = intervalMicros * Math.max(1, burst);
    this.keyPrefix = keyPrefix + ":ratelimit:writes:";
    this.redis = writesPerSecond <= 0 || redisUrl == null ? null
        : Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(8).setMaxWaitingHandlers(4096));
    // One fallback budget per process, shared by every HTTP verticle instance of it.
    LocalMap<String, LocalBuckets> map = vertx.sharedData().getLocalMap("cs.write-rate-limits");
    LocalBuckets fresh = new LocalBuckets();
    LocalBuckets existing = map.putIfAbsent("buckets", fresh);
    this.local = existing == null ? fresh : existing;
  }

  public boolean enabled() {
    return intervalMicros > 0;
  }

  public Future<Decision> acquire(UUID organizationId) {
    if (!enabled()) {
      return Future.succeededFuture(ALLOWED);
    }
    if (redis == null || System.currentTimeMillis() < redisRetryAt) {
      return Future.succeededFuture(local.acquire(organizationId, intervalMicros, toleranceMicros));
    }
    return redis.send(Request.cmd(Command.EVAL).arg(GCRA).arg(1).arg(keyPrefix + organizationId)
            .arg(intervalMicros).arg(toleranceMicros))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(r -> r.get(0).toInteger() == 1 ? ALLOWED : new Decision(false, r.get(1).toLong()))
        .recover(e -> {
          if (System.currentTimeMillis() >= redisRetryAt) {
            LOG.warn("Write rate limits: Redis does not answer ({}); limiting per process for now", e.toString());
          }
          redisRetryAt = System.currentTimeMillis() + REDIS_RETRY_MS;
          return Future.succeededFuture(local.acquire(organizationId, intervalMicros, toleranceMicros));
        });
  }

  public Future<Void> close() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }

  /** The same GCRA in this process: theoretical arrival time per organization. */
  static final class LocalBuckets implements Shareable {
    private final Map<UUID, long[]> tat = new ConcurrentHashMap<>();

    Decision acquire(UUID org, long interval, long tolerance) {
      long now = System.nanoTime() / 1_000;
      long[] slot = tat.computeIfAbsent(org, k -> new long[] {now});
      synchronized (slot) {
        long t = Math.max(slot[0], now);
        long next = t + interval;
        long wait = next - tolerance - now;
        if (wait > 0) {
          return new Decision(false, (wait + 999) / 1_000);
        }
        slot[0] = next;
        return ALLOWED;
      }
    }
  }
}
