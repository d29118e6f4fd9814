package com.zenlogic.customerservice.platform.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Operational settings: what the service exposes to whom, connection and retention limits, and the
 * schedule of the periodic loyalty work. Keys are environment variable names, as in AppConfig.
 *
 * @param zeroConfig       false forbids the embedded database (the container image sets it): no DB_URL → refuse to start
 * @param opsToken         bearer token that unlocks /metrics and detailed readiness from anywhere; null = loopback only
 * @param opsTrustLoopback loopback callers see /metrics and details without the token (turn off behind a local proxy)
 * @param idleTimeoutSeconds a connection with no traffic for this long is closed (HTTP and gRPC servers)
 * @param inboxRetentionDays consumed-message ids kept this long for deduplication, then pruned
 * @param outboxMaxAttempts failed deliveries of one outbox row before it is parked
 * @param jobsFirstRunSeconds delay of the first point-expiry and tier-review run after start
 * @param jobsIntervalSeconds period of those runs afterwards
 * @param jobsBatchSize     accounts per transaction in those runs
 */
public record OpsConfig(
    boolean zeroConfig,
    String opsToken,
    boolean opsTrustLoopback,
    int idleTimeoutSeconds,
    int inboxRetentionDays,
    int outboxMaxAttempts,
    int jobsFirstRunSeconds,
    int jobsIntervalSeconds,
    int jobsBatchSize) {

  public static final List<String> KEYS = List.of("ZERO_CONFIG", "OPS_TOKEN", "OPS_TRUST_LOOPBACK",
      "IDLE_TIMEOUT_SECONDS", "INBOX_RETENTION_DAYS", "OUTBOX_MAX_ATTEMPTS", "LOYALTY_JOBS_FIRST_RUN_SECONDS",
      "LOYALTY_JOBS_INTERVAL_SECONDS", "LOYALTY_JOBS_BATCH");

  public static final OpsConfig DEFAULTS = from(new JsonObject());

  public static OpsConfig from(JsonObject json) {
    return from(new ConfigReader(json));
  }

  public static OpsConfig from(ConfigReader r) {
    String token = r.optionalText("OPS_TOKEN");
    if (token != null && token.length() < 16) {
      throw new ConfigException("OPS_TOKEN", "must be at least 16 characters");
    }
    return new OpsConfig(
        r.bool("ZERO_CONFIG", true),
        token,
        r.bool("OPS_TRUST_LOOPBACK", true),
        r.positive("IDLE_TIMEOUT_SECONDS", 120),
        r.positive("INBOX_RETENTION_DAYS", 14),
        r.positive("OUTBOX_MAX_ATTEMPTS", 10),
        r.positive("LOYALTY_JOBS_FIRST_RUN_SECONDS", 45),
        r.positive("LOYALTY_JOBS_INTERVAL_SECONDS", 3600),
        r.positive("LOYALTY_JOBS_BATCH", 500));
  }
}
