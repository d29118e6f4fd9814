package com.zenlogic.customerservice;

import com.zenlogic.customerservice.platform.cluster.ClusterConfig;
import com.zenlogic.customerservice.platform.cluster.HazelcastCluster;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigLoader;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.config.DevDefaults;
import com.zenlogic.customerservice.DevToken;
import com.zenlogic.customerservice.platform.db.EmbeddedDatabase;
import com.zenlogic.customerservice.platform.metrics.Metrics;
import com.zenlogic.customerservice.platform.tracing.Tracing;
import com.zenlogic.customerservice.platform.tracing.TracingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Launcher: configuration, the zero-config defaults, then deploy; shuts down cleanly on SIGTERM. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    AppConfig config;
    ClusterConfig cluster;
    TracingConfig tracing;
    try {
      JsonObject json = loadJson();
      config = AppConfig.from(json);
      cluster = ClusterConfig.from(json);
      tracing = TracingConfig.from(json);
    } catch (ConfigException e) {
      LOG.error(e.getMessage());
      System.exit(2);
      return;
    }
    EmbeddedDatabase embedded = null;
    try {
      if (config.embeddedDatabase()) {
        LOG.info("DB_URL is not set: starting the embedded PostgreSQL under {}", config.dataDir().resolve("pg").toAbsolutePath());
        embedded = EmbeddedDatabase.start(config.dataDir(), config.embeddedPgPort());
        config = config.withDbUrl(embedded.url());
        if (config.dbAppPassword() == null) {
          config = config.withDbAppPassword(DevDefaults.devAppPassword(config.dataDir()));
        }
      }
      boolean devSecret = !config.jwt().hasKeys() && embedded != null;
      if (devSecret) {
        config = config.withJwtHs256Secret(DevDefaults.devJwtSecret(config.dataDir()));
      }
      // The Hazelcast class is named only on this branch, so a single process never loads it.
      Vertx vertx = cluster.enabled() ? HazelcastCluster.start(cluster, Metrics.vertxOptions(), tracing).await(2, TimeUnit.MINUTES)
          : Tracing.builder(Metrics.vertxOptions(), tracing).withMetrics(Metrics.factory()).build();
      if (tracing.enabled()) {
        LOG.info("Tracing: spans of service {} exported over OTLP ({}) to {}", tracing.serviceName(), tracing.protocol(), tracing.endpoint());
      }
      AppConfig running = config;
      EmbeddedDatabase db = embedded;
      CustomerServiceApp.Running app = CustomerServiceApp.start(vertx, running, embedded != null, cluster).await(5, TimeUnit.MINUTES);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, app, db, running), "shutdown"));
      LOG.info(banner(running, embedded, devSecret ? devToken(vertx, running) : null, cluster));
    } catch (ConfigException e) {
      LOG.error(e.getMessage());
      closeQuietly(embedded);
      System.exit(2);
    } catch (Exception e) {
      LOG.error("Customer Service failed to start: {}", e.getMessage(), e);
      closeQuietly(embedded);
      System.exit(1);
    }
  }

  static AppConfig loadConfig() throws Exception {
    return AppConfig.from(loadJson());
  }

  static JsonObject loadJson() throws Exception {
    Vertx bootstrap = Vertx.vertx();
    try {
      List<String> keys = new ArrayList<>(AppConfig.KEY_LIST);
      keys.addAll(List.of(ClusterConfig.KEYS));
      keys.addAll(TracingConfig.KEYS);
      return ConfigLoader.load(bootstrap, keys).await(30, TimeUnit.SECONDS);
    } finally {
      bootstrap.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void shutdown(Vertx vertx, CustomerServiceApp.Running app, EmbeddedDatabase embedded, AppConfig config) {
    LOG.info("Shutting down: no new requests, finishing in-flight work");
    try {
      // APIs drain first (up to the grace period), then consumers, engines and pools: see CustomerServiceApp.Running.
      app.stop().await(config.shutdownGraceSeconds() + 5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Ordered shutdown did not finish: {}", e.toString());
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    closeQuietly(embedded);
    LOG.info("Stopped");
  }

  private static void closeQuietly(EmbeddedDatabase embedded) {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.toString());
      }
    }
  }

  private static String devToken(Vertx vertx, AppConfig config) {
    JsonObject claims = new JsonObject()
        .put("sub", "dev-admin")
        .put("user_id", "dev-admin")
        .put("organization_id", DEV_ORGANIZATION.toString())
        .put("permissions", new JsonArray(DevToken.ALL_PERMISSIONS));
    return Auth.devToken(vertx, config.jwt(), claims, 12 * 60);
  }

  /** The organization the printed dev token belongs to. */
  static final UUID DEV_ORGANIZATION = UUID.fromString("00000000-0000-4000-8000-000000000001");

  private static String banner(AppConfig config, EmbeddedDatabase embedded, String devToken, ClusterConfig cluster) {
    StringBuilder b = new StringBuilder("\n==================== zenLogic Customer Service is up ====================\n");
    if (cluster.enabled()) {
      b.append("  Cluster   ").append(cluster.name()).append(", role ").append(cluster.role().name().toLowerCase(java.util.Locale.ROOT))
          .append(", node ").append(cluster.nodeName()).append(", Hazelcast ").append(cluster.host()).append(':').append(cluster.port())
          .append(", members ").append(String.join(",", cluster.members())).append('\n');
    }
    b.append("  REST      http://localhost:").append(config.httpPort()).append("/api/v1  (docs: /docs, health: /health, metrics: /metrics)\n");
    b.append("  Database  ").append(DbUrl.parse("DB_URL", config.dbUrl()).display())
        .append(embedded != null ? "  (embedded PostgreSQL 15, data in " + embedded.dataDirectory() + ")" : "").append('\n');
    b.append("  Runtime role  ").append(config.dbAppUser()).append(" (Row-Level Security enforced)\n");
    b.append("  Cache     ").append(config.redisUrl() == null ? "in-process (REDIS_URL not set)" : config.redisUrl()).append('\n');
    b.append("  Broker    ").append(config.amqpUrl() == null ? "none: events wait in the outbox (AMQP_URL not set)" : "configured").append('\n');
    if (devToken != null) {
      b.append("  Dev token (organization ").append(DEV_ORGANIZATION).append(", 12 h; JWT secret in ")
          .append(config.dataDir().resolve("dev-jwt-secret")).append("):\n");
      b.append("    export TOKEN=").append(devToken).append('\n');
    }
    b.append("==========================================================================");
    return b.toString();
  }
}
