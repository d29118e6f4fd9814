package com.zenlogic.customerservice.platform.config;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.imports.ImportConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.GrpcConfig;
import com.zenlogic.customerservice.api.http.HttpConfig;
import com.zenlogic.customerservice.customer.CustomerConfig;
import com.zenlogic.customerservice.platform.amqp.AmqpConfig;
import com.zenlogic.customerservice.platform.auth.AuthConfig;
import com.zenlogic.customerservice.platform.auth.JwtConfig;
import com.zenlogic.customerservice.platform.cache.CacheConfig;
import com.zenlogic.customerservice.platform.db.DbConfig;
import com.zenlogic.customerservice.segmentation.SegmentationConfig;
import com.zenlogic.customerservice.webhooks.WebhooksConfig;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each part declares the keys it reads, once; AppConfig's list is their union and is what the environment store reads. */
class ConfigKeysTest {

  /** The keys of before the split, so none was lost or renamed on the way. */
  private static final Set<String> BEFORE = Set.of("AMQP_URL", "CACHE_ENABLED", "CACHE_KEY_PREFIX", "CACHE_NEAR_TTL_SECONDS", "CACHE_TTL_SECONDS", "CHECKOUT_DB_IN_FLIGHT", "CHURN_HIGH_RATIO", "CHURN_MEDIUM_RATIO", "CHURN_SINGLE_HIGH_DAYS", "CHURN_SINGLE_MEDIUM_DAYS", "DATA_DIR", "DB_APP_PASSWORD", "DB_APP_USER", "DB_POOL_SIZE", "DB_URL", "DEFAULT_PHONE_REGION", "EMBEDDED_PG_PORT", "GRPC_INSTANCES", "GRPC_MAX_MESSAGE_BYTES", "GRPC_PORT", "GRPC_TRUST_NETWORK", "HTTP_BODY_LIMIT", "HTTP_INSTANCES", "HTTP_PORT", "IDLE_TIMEOUT_SECONDS", "INBOX_RETENTION_DAYS", "JWT_AUDIENCE", "JWT_HS256_SECRET", "JWT_ISSUER", "JWT_MAX_LIFETIME_SECONDS", "JWT_PUBLIC_KEY_ALGORITHM", "JWT_PUBLIC_KEY_PATH", "LOYALTY_JOBS_BATCH", "LOYALTY_JOBS_FIRST_RUN_SECONDS", "LOYALTY_JOBS_INTERVAL_SECONDS", "OPS_TOKEN", "OPS_TRUST_LOOPBACK", "ORDER_SERVICE_GRPC", "OUTBOX_MAX_ATTEMPTS", "REDIS_URL", "RFM_WINDOW_DAYS", "SHUTDOWN_GRACE_SECONDS", "VIP_PLATINUM", "VIP_TOP_SHARE", "ZERO_CONFIG");

  @Test
  void theCollectedListHasEveryKeyOfBeforeAndNoneTwice() {
    assertEquals(AppConfig.KEY_LIST.size(), new HashSet<>(AppConfig.KEY_LIST).size(), "a key declared by two parts");
    assertTrue(AppConfig.KEY_LIST.containsAll(BEFORE), () -> "missing: " + missing(BEFORE));
  }

  @Test
  void everyKeyAPartReadsIsDeclaredByThatPart() {
    assertDeclared(HttpConfig.KEYS, r -> HttpConfig.from(r));
    assertDeclared(GrpcConfig.KEYS, r -> GrpcConfig.from(r));
    assertDeclared(DbConfig.KEYS, r -> DbConfig.from(r, true));
    assertDeclared(JwtConfig.KEYS, r -> JwtConfig.from(r));
    assertDeclared(AuthConfig.KEYS, r -> AuthConfig.from(r));
    assertDeclared(CacheConfig.KEYS, r -> CacheConfig.from(r));
    assertDeclared(AmqpConfig.KEYS, r -> AmqpConfig.from(r));
    assertDeclared(CustomerConfig.KEYS, r -> CustomerConfig.from(r));
    assertDeclared(SegmentationConfig.KEYS, r -> SegmentationConfig.from(r));
    assertDeclared(OpsConfig.KEYS, r -> OpsConfig.from(r));
    assertDeclared(WebhooksConfig.KEYS, r -> WebhooksConfig.from(r));
    assertDeclared(ImportConfig.KEYS, r -> ImportConfig.from(r));
  }

  @Test
  void everyKeyAppConfigReadsIsInTheEnvironmentList() {
    ConfigReader r = new ConfigReader(new JsonObject());
    // The same reads as AppConfig.from, through one reader, to see their union.
    HttpConfig.from(r); GrpcConfig.from(r); DbConfig.from(r, true); JwtConfig.from(r); AuthConfig.from(r); CacheConfig.from(r);
    AmqpConfig.from(r); CustomerConfig.from(r); SegmentationConfig.from(r); OpsConfig.from(r);
    WebhooksConfig.from(r); ImportConfig.from(r);
    r.positive("SHUTDOWN_GRACE_SECONDS", 8);
    assertEquals(new TreeSet<>(AppConfig.KEY_LIST), new TreeSet<>(r.asked()));
  }

  private static void assertDeclared(java.util.List<String> declared, java.util.function.Consumer<ConfigReader> part) {
    ConfigReader r = new ConfigReader(new JsonObject());
    part.accept(r);
    assertEquals(new TreeSet<>(declared), new TreeSet<>(r.asked()));
  }

  private static Set<String> missing(Set<String> expected) {
    Set<String> m = new TreeSet<>(expected);
    AppConfig.KEY_LIST.forEach(m::remove);
    return m;
  }
}
