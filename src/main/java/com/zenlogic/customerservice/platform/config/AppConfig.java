package com.zenlogic.customerservice.platform.config;

import com.zenlogic.customerservice.platform.db.DbUrl;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Typed, validated configuration. Keys are the environment variable names, so one name works in
 * conf/config.json, in the file named by CONFIG_FILE and in the environment.
 */
public record AppConfig(
    int httpPort,
    int grpcPort,
    int httpInstances,
    int grpcInstances,
    String dbUrl,
    String dbAppUser,
    String dbAppPassword,
    int dbPoolSize,
    int checkoutDbInFlight,
    String redisUrl,
    String amqpUrl,
    String jwtHs256Secret,
    String jwtPublicKeyPath,
    String jwtPublicKeyAlgorithm,
    String jwtIssuer,
    String jwtAudience,
    int jwtMaxLifetimeSeconds,
    String defaultPhoneRegion,
    Path dataDir,
    int embeddedPgPort,
    long httpBodyLimit,
    int shutdownGraceSeconds,
    boolean grpcTrustNetwork,
    int grpcMaxMessageBytes,
    boolean cacheEnabled,
    int cacheTtlSeconds,
    int cacheNearTtlSeconds,
    String cacheKeyPrefix,
    String orderServiceGrpc,
    com.zenlogic.customerservice.segmentation.SegmentPolicy segmentPolicy,
    OpsConfig ops) {

  public static final String[] KEYS = {
    "HTTP_PORT", "GRPC_PORT", "HTTP_INSTANCES", "GRPC_INSTANCES", "DB_URL", "DB_APP_USER",
    "DB_APP_PASSWORD", "DB_POOL_SIZE", "CHECKOUT_DB_IN_FLIGHT", "REDIS_URL", "AMQP_URL", "JWT_HS256_SECRET",
    "JWT_PUBLIC_KEY_PATH", "JWT_PUBLIC_KEY_ALGORITHM", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_MAX_LIFETIME_SECONDS", "DEFAULT_PHONE_REGION", "DATA_DIR",
    "EMBEDDED_PG_PORT", "HTTP_BODY_LIMIT", "SHUTDOWN_GRACE_SECONDS", "GRPC_TRUST_NETWORK",
    "GRPC_MAX_MESSAGE_BYTES", "CACHE_ENABLED", "CACHE_TTL_SECONDS", "CACHE_NEAR_TTL_SECONDS", "CACHE_KEY_PREFIX", "ORDER_SERVICE_GRPC", "RFM_WINDOW_DAYS", "VIP_TOP_SHARE", "VIP_PLATINUM",
    "CHURN_HIGH_RATIO", "CHURN_MEDIUM_RATIO", "CHURN_SINGLE_HIGH_DAYS", "CHURN_SINGLE_MEDIUM_DAYS",
    "ZERO_CONFIG", "OPS_TOKEN", "OPS_TRUST_LOOPBACK", "IDLE_TIMEOUT_SECONDS", "INBOX_RETENTION_DAYS",
    "OUTBOX_MAX_ATTEMPTS", "LOYALTY_JOBS_FIRST_RUN_SECONDS", "LOYALTY_JOBS_INTERVAL_SECONDS", "LOYALTY_JOBS_BATCH"
  };

  public static AppConfig from(JsonObject json) {
    int cores = Runtime.getRuntime().availableProcessors();
    String dbUrl = optionalText(json, "DB_URL");
    if (dbUrl != null) {
      DbUrl.parse("DB_URL", dbUrl);
    }
    OpsConfig ops = OpsConfig.from(json);
    if (dbUrl == null && !ops.zeroConfig()) {
      throw new ConfigException("DB_URL", "is required: ZERO_CONFIG=false forbids the embedded development database");
    }
    // A well-known default password would be a password anyone can guess; only zero-config generates one (DATA_DIR).
    String appPassword = optionalText(json, "DB_APP_PASSWORD");
    if (dbUrl != null && appPassword == null) {
      throw new ConfigException("DB_APP_PASSWORD", "is required when DB_URL is set (the runtime role's password)");
    }
    String region = text(json, "DEFAULT_PHONE_REGION", "CL").toUpperCase(Locale.ROOT);
    if (!PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
      throw new ConfigException("DEFAULT_PHONE_REGION", "'" + region + "' is not an ISO 3166 region libphonenumber knows");
    }
    String secret = optionalText(json, "JWT_HS256_SECRET");
    if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("JWT_HS256_SECRET", "must be at least 32 bytes for HS256");
    }
    String publicKeyPath = optionalText(json, "JWT_PUBLIC_KEY_PATH");
    if (secret != null && publicKeyPath != null) {
      throw new ConfigException("JWT_PUBLIC_KEY_PATH", "set either JWT_HS256_SECRET or JWT_PUBLIC_KEY_PATH, not both");
    }
    String publicKeyAlgorithm = text(json, "JWT_PUBLIC_KEY_ALGORITHM", "RS256");
    if (!publicKeyAlgorithm.equals("RS256") && !publicKeyAlgorithm.equals("ES256")) {
      throw new ConfigException("JWT_PUBLIC_KEY_ALGORITHM", "must be RS256 or ES256, got '" + publicKeyAlgorithm + "'");
    }
    return new AppConfig(
        port(json, "HTTP_PORT", 8007),
        port(json, "GRPC_PORT", 50007),
        positive(json, "HTTP_INSTANCES", cores),
        positive(json, "GRPC_INSTANCES", cores),
        dbUrl,
        text(json, "DB_APP_USER", "customer_app"),
        appPassword,
        positive(json, "DB_POOL_SIZE", 16),
        positive(json, "CHECKOUT_DB_IN_FLIGHT", com.zenlogic.customerservice.customer.CheckoutReads.DEFAULT_IN_FLIGHT),
        uri(json, "REDIS_URL", "redis"),
        uri(json, "AMQP_URL", "amqp"),
        secret,
        publicKeyPath,
        publicKeyAlgorithm,
        text(json, "JWT_ISSUER", "zenlogic-auth"),
        text(json, "JWT_AUDIENCE", "customer-service"),
        positive(json, "JWT_MAX_LIFETIME_SECONDS", 86_400),
        region,
        Path.of(text(json, "DATA_DIR", "data")),
        port(json, "EMBEDDED_PG_PORT", 54329),
        positive(json, "HTTP_BODY_LIMIT", 256 * 1024),
        positive(json, "SHUTDOWN_GRACE_SECONDS", 8),
        bool(json, "GRPC_TRUST_NETWORK", false),
        positive(json, "GRPC_MAX_MESSAGE_BYTES", 64 * 1024),
        bool(json, "CACHE_ENABLED", true),
        positive(json, "CACHE_TTL_SECONDS", 300),
        positive(json, "CACHE_NEAR_TTL_SECONDS", 30),
        text(json, "CACHE_KEY_PREFIX", "cs"),
        hostPort(json, "ORDER_SERVICE_GRPC"),
        new com.zenlogic.customerservice.segmentation.SegmentPolicy(positive(json, "RFM_WINDOW_DAYS", 365),
            decimal(json, "VIP_TOP_SHARE", 0.05), bool(json, "VIP_PLATINUM", true), decimal(json, "CHURN_HIGH_RATIO", 2.0),
            decimal(json, "CHURN_MEDIUM_RATIO", 1.0), positive(json, "CHURN_SINGLE_HIGH_DAYS", 90),
            positive(json, "CHURN_SINGLE_MEDIUM_DAYS", 45)),
        ops);
  }

  private static double decimal(JsonObject json, String key, double fallback) {
    String value = optionalText(json, key);
    if (value == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a number, got '" + value + "'");
    }
  }

  private static String hostPort(JsonObject json, String key) {
    String value = optionalText(json, key);
    if (value != null && !value.matches("^[A-Za-z0-9.\\-]+:\\d{1,5}$")) {
      throw new ConfigException(key, "must be host:port, got '" + value + "'");
    }
    return value;
  }

  /** No DB_URL: the service runs on its embedded PostgreSQL under DATA_DIR. */
  public boolean embeddedDatabase() {
    return dbUrl == null;
  }

  public AppConfig withDbUrl(String url) {
    return new AppConfig(httpPort, grpcPort, httpInstances, grpcInstances, url, dbAppUser, dbAppPassword,
        dbPoolSize, checkoutDbInFlight, redisUrl, amqpUrl, jwtHs256Secret, jwtPublicKeyPath, jwtPublicKeyAlgorithm, jwtIssuer, jwtAudience,
        jwtMaxLifetimeSeconds, defaultPhoneRegion, dataDir, embeddedPgPort, httpBodyLimit, shutdownGraceSeconds, grpcTrustNetwork,
        grpcMaxMessageBytes, cacheEnabled, cacheTtlSeconds, cacheNearTtlSeconds, cacheKeyPrefix, orderServiceGrpc, segmentPolicy, ops);
  }

  /** Zero-config only: the runtime role's password generated once under DATA_DIR. */
  public AppConfig withDbAppPassword(String password) {
    return new AppConfig(httpPort, grpcPort, httpInstances, grpcInstances, dbUrl, dbAppUser, password,
        dbPoolSize, checkoutDbInFlight, redisUrl, amqpUrl, jwtHs256Secret, jwtPublicKeyPath, jwtPublicKeyAlgorithm, jwtIssuer, jwtAudience,
        jwtMaxLifetimeSeconds, defaultPhoneRegion, dataDir, embeddedPgPort, httpBodyLimit, shutdownGraceSeconds, grpcTrustNetwork,
        grpcMaxMessageBytes, cacheEnabled, cacheTtlSeconds, cacheNearTtlSeconds, cacheKeyPrefix, orderServiceGrpc, segmentPolicy, ops);
  }

  public AppConfig withJwtHs256Secret(String secret) {
    return new AppConfig(httpPort, grpcPort, httpInstances, grpcInstances, dbUrl, dbAppUser, dbAppPassword,
        dbPoolSize, checkoutDbInFlight, redisUrl, amqpUrl, secret, jwtPublicKeyPath, jwtPublicKeyAlgorithm, jwtIssuer, jwtAudience,
        jwtMaxLifetimeSeconds, defaultPhoneRegion, dataDir, embeddedPgPort, httpBodyLimit, shutdownGraceSeconds, grpcTrustNetwork,
        grpcMaxMessageBytes, cacheEnabled, cacheTtlSeconds, cacheNearTtlSeconds, cacheKeyPrefix, orderServiceGrpc, segmentPolicy, ops);
  }

  private static String optionalText(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    String text = String.valueOf(value).trim();
    return text.isEmpty() ? null : text;
  }

  private static String text(JsonObject json, String key, String fallback) {
    String value = optionalText(json, key);
    return value == null ? fallback : value;
  }

  private static long number(JsonObject json, String key, long fallback) {
    String value = optionalText(json, key);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a whole number, got '" + value + "'");
    }
  }

  private static boolean bool(JsonObject json, String key, boolean fallback) {
    String value = optionalText(json, key);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(key, "must be true or false, got '" + value + "'");
    };
  }

  private static int port(JsonObject json, String key, int fallback) {
    long value = number(json, key, fallback);
    if (value < 0 || value > 65535) {
      throw new ConfigException(key, "must be a port number 0-65535, got " + value);
    }
    return (int) value;
  }

  private static int positive(JsonObject json, String key, int fallback) {
    long value = number(json, key, fallback);
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw new ConfigException(key, "must be a positive whole number, got " + value);
    }
    return (int) value;
  }

  private static String uri(JsonObject json, String key, String scheme) {
    String value = optionalText(json, key);
    if (value == null) {
      return null;
    }
    try {
      URI parsed = new URI(value);
      if (parsed.getScheme() == null || !parsed.getScheme().startsWith(scheme) || parsed.getHost() == null) {
        throw new ConfigException(key, "must look like " + scheme + "://host:port, got '" + value + "'");
      }
      return value;
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException(key, "is not a URI: " + e.getMessage());
    }
  }
}
