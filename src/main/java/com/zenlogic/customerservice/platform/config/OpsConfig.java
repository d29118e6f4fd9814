package com.zenlogic.customerservice.platform.config;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

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

  public static final OpsConfig DEFAULTS = from(new JsonObject());

  public static OpsConfig from(JsonObject json) {
    String token = text(json, "OPS_TOKEN");
    if (token != null && token.length() < 16) {
      throw new ConfigException("OPS_TOKEN", "must be at least 16 characters");
    }
    return new OpsConfig(
        bool(json, "ZERO_CONFIG", true),
        token,
        bool(json, "OPS_TRUST_LOOPBACK", true),
        positive(json, "IDLE_TIMEOUT_SECONDS", 120),
        positive(json, "INBOX_RETENTION_DAYS", 14),
        positive(json, "OUTBOX_MAX_ATTEMPTS", 10),
        positive(json, "LOYALTY_JOBS_FIRST_RUN_SECONDS", 45),
        positive(json, "LOYALTY_JOBS_INTERVAL_SECONDS", 3600),
        positive(json, "LOYALTY_JOBS_BATCH", 500));
  }

  private static String text(JsonObject json, String key) {
    Object value = json.getValue(key);
    String text = value == null ? null : String.valueOf(value).trim();
    return text == null || text.isEmpty() ? null : text;
  }

  private static boolean bool(JsonObject json, String key, boolean fallback) {
    String value = text(json, key);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(key, "must be true or false, got '" + value + "'");
    };
  }

  private static int positive(JsonObject json, String key, int fallback) {
    String value = text(json, key);
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new ConfigException(key, "must be a positive whole number, got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a positive whole number, got '" + value + "'");
    }
  }
}
