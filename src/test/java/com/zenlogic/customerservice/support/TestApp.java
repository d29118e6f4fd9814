package com.zenlogic.customerservice.support;

import com.zenlogic.customerservice.CustomerServiceApp;
import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The real service, deployed on a test's Vert.x against its own database, on free ports. */
public final class TestApp implements AutoCloseable {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  public final Vertx vertx;
  public final AppConfig config;
  public final TestDatabase db;

  private TestApp(Vertx vertx, AppConfig config, TestDatabase db) {
    this.vertx = vertx;
    this.config = config;
    this.db = db;
  }

  public static TestApp start(String label, Map<String, Object> overrides) throws Exception {
    return start(label, overrides, options -> { });
  }

  /** As start, with the Vert.x options adjusted first (e.g. a stricter blocked-thread checker). */
  public static TestApp start(String label, Map<String, Object> overrides, java.util.function.Consumer<io.vertx.core.VertxOptions> tune)
      throws Exception {
    return startOn(TestDatabase.create(label), overrides, tune);
  }

  /** On a database the test created (e.g. to reach it through a proxy: override DB_URL). */
  public static TestApp startOn(TestDatabase db, String label, Map<String, Object> overrides) throws Exception {
    return startOn(db, overrides, options -> { });
  }

  private static TestApp startOn(TestDatabase db, Map<String, Object> overrides,
                                 java.util.function.Consumer<io.vertx.core.VertxOptions> tune) throws Exception {
    JsonObject json = new JsonObject()
        .put("HTTP_PORT", freePort())
        .put("GRPC_PORT", freePort())
        .put("HTTP_INSTANCES", 2)
        .put("GRPC_INSTANCES", 2)
        .put("DB_URL", db.url())
        .put("DB_APP_USER", "customer_app_test")
        .put("DB_APP_PASSWORD", "customer_app_test")
        .put("DB_POOL_SIZE", 8)
        .put("JWT_HS256_SECRET", SECRET)
        .put("DEFAULT_PHONE_REGION", "CL")
        // Tests fire bursts of writes for one organization; the write budget is tested where it is set.
        .put("RATE_LIMIT_WRITES_PER_SECOND", 0);
    overrides.forEach(json::put);
    AppConfig config = AppConfig.from(json);
    io.vertx.core.VertxOptions options = Metrics.vertxOptions();
    tune.accept(options);
    Vertx vertx = Vertx.builder().with(options).withMetrics(Metrics.factory()).build();
    try {
      CustomerServiceApp.deploy(vertx, config).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().await(10, TimeUnit.SECONDS);
      db.close();
      throw e;
    }
    return new TestApp(vertx, config, db);
  }

  /** A second service process (own Vert.x, ports and near cache) on the same database, Redis and key prefix. */
  public static TestApp startSibling(TestApp first) throws Exception {
    return startSibling(first, Map.of());
  }

  public static TestApp startSibling(TestApp first, Map<String, Object> overrides) throws Exception {
    JsonObject json = new JsonObject()
        .put("HTTP_PORT", freePort())
        .put("GRPC_PORT", freePort())
        .put("HTTP_INSTANCES", 1)
        .put("GRPC_INSTANCES", 2)
        .put("DB_URL", first.db.url())
        .put("DB_APP_USER", first.config.dbAppUser())
        .put("DB_APP_PASSWORD", first.config.dbAppPassword())
        .put("DB_POOL_SIZE", 4)
        .put("JWT_HS256_SECRET", SECRET)
        .put("REDIS_URL", first.config.redisUrl())
        .put("CACHE_KEY_PREFIX", first.config.cacheKeyPrefix())
        .put("RATE_LIMIT_WRITES_PER_SECOND", first.config.http().writesPerSecond())
        .put("RATE_LIMIT_BURST", first.config.http().writeBurst());
    overrides.forEach(json::put);
    AppConfig config = AppConfig.from(json);
    Vertx vertx = Vertx.vertx();
    CustomerServiceApp.deploy(vertx, config).await(120, TimeUnit.SECONDS);
    return new TestApp(vertx, config, null);
  }

  public static TestApp start(String label) throws Exception {
    return start(label, Map.of());
  }

  public String token(UUID organizationId, String... permissions) {
    return token(new JsonObject().put("user_id", "tester").put("organization_id", organizationId.toString())
        .put("permissions", new JsonArray(List.of(permissions))));
  }

  public String token(JsonObject claims) {
    return Auth.devToken(vertx, config.jwt(), claims, 60);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    if (db != null) {
      db.close();
    }
  }
}
