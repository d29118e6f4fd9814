package com.zenlogic.customerservice;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import com.zenlogic.customerservice.platform.config.OpsConfig;

import com.zenlogic.customerservice.api.grpc.GrpcConfig;
import com.zenlogic.customerservice.api.http.HttpConfig;
import com.zenlogic.customerservice.customer.CustomerConfig;
import com.zenlogic.customerservice.platform.amqp.AmqpConfig;
import com.zenlogic.customerservice.platform.auth.AuthConfig;
import com.zenlogic.customerservice.platform.auth.JwtConfig;
import com.zenlogic.customerservice.platform.cache.CacheConfig;
import com.zenlogic.customerservice.platform.db.DbConfig;
import com.zenlogic.customerservice.segmentation.SegmentPolicy;
import com.zenlogic.customerservice.segmentation.SegmentationConfig;
import com.zenlogic.customerservice.webhooks.WebhooksConfig;
import com.zenlogic.customerservice.imports.ImportConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The whole configuration: one part per capability and per way in, each parsing its own keys
 * (see docs/deploy.md, "Configuration by capability"). Keys are the environment variable names, so
 * one name works in conf/config.json, in the file named by CONFIG_FILE and in the environment.
 *
 * <p>The flat accessors (httpPort(), dbUrl(), ...) are the names callers used before the split;
 * they delegate to the parts and can go once the callers take their part instead.
 *
 * @param shutdownGraceSeconds SHUTDOWN_GRACE_SECONDS, the launcher's own key
 */
public record AppConfig(HttpConfig http, GrpcConfig grpc, DbConfig db, JwtConfig jwt, AuthConfig auth, CacheConfig cache,
                        AmqpConfig amqp, CustomerConfig customer, SegmentationConfig segmentation, OpsConfig ops,
                        WebhooksConfig webhooks, ImportConfig imports, int shutdownGraceSeconds) {

  /** Every key the service reads, collected from the parts (the environment store reads only these). */
  public static final List<String> KEY_LIST = Stream.of(HttpConfig.KEYS, GrpcConfig.KEYS, DbConfig.KEYS,
      JwtConfig.KEYS, AuthConfig.KEYS, CacheConfig.KEYS, AmqpConfig.KEYS, CustomerConfig.KEYS, SegmentationConfig.KEYS, OpsConfig.KEYS,
      WebhooksConfig.KEYS, ImportConfig.KEYS, List.of("SHUTDOWN_GRACE_SECONDS")).flatMap(List::stream).toList();

  public static final String[] KEYS = KEY_LIST.toArray(String[]::new);

  public static AppConfig from(JsonObject json) {
    ConfigReader r = new ConfigReader(json);
    OpsConfig ops = OpsConfig.from(r);
    DbConfig db = DbConfig.from(r, ops.zeroConfig());
    CustomerConfig customer = CustomerConfig.from(r);
    JwtConfig jwt = JwtConfig.from(r);
    return new AppConfig(HttpConfig.from(r), GrpcConfig.from(r), db, jwt, AuthConfig.from(r), CacheConfig.from(r), AmqpConfig.from(r),
        customer, SegmentationConfig.from(r), ops, WebhooksConfig.from(r), ImportConfig.from(r), r.positive("SHUTDOWN_GRACE_SECONDS", 8));
  }

  /** No DB_URL: the service runs on its embedded PostgreSQL under DATA_DIR. */
  public boolean embeddedDatabase() {
    return db.url() == null;
  }

  public AppConfig withDbUrl(String url) {
    return withDb(db.withUrl(url));
  }

  /** Zero-config only: the runtime role's password generated once under DATA_DIR. */
  public AppConfig withDbAppPassword(String password) {
    return withDb(db.withAppPassword(password));
  }

  public AppConfig withJwtHs256Secret(String secret) {
    return new AppConfig(http, grpc, db, jwt.withHs256Secret(secret), auth, cache, amqp, customer, segmentation, ops,
        webhooks, imports, shutdownGraceSeconds);
  }

  private AppConfig withDb(DbConfig newDb) {
    return new AppConfig(http, grpc, newDb, jwt, auth, cache, amqp, customer, segmentation, ops, webhooks, imports, shutdownGraceSeconds);
  }

  // Flat accessors of before the split, delegating to the parts.
  public int httpPort() { return http.port(); }
  public int httpInstances() { return http.instances(); }
  public long httpBodyLimit() { return http.bodyLimit(); }
  public int grpcPort() { return grpc.port(); }
  public int grpcInstances() { return grpc.instances(); }
  public boolean grpcTrustNetwork() { return grpc.trustNetwork(); }
  public int grpcMaxMessageBytes() { return grpc.maxMessageBytes(); }
  public String dbUrl() { return db.url(); }
  public String dbAppUser() { return db.appUser(); }
  public String dbAppPassword() { return db.appPassword(); }
  public int dbPoolSize() { return db.poolSize(); }
  public Path dataDir() { return db.dataDir(); }
  public int embeddedPgPort() { return db.embeddedPgPort(); }
  public String jwtHs256Secret() { return jwt.hs256Secret(); }
  public String jwtPublicKeyPath() { return jwt.publicKeyPath(); }
  public String jwtPublicKeyAlgorithm() { return jwt.publicKeyAlgorithm(); }
  public String jwtIssuer() { return jwt.issuer(); }
  public String jwtAudience() { return jwt.audience(); }
  public int jwtMaxLifetimeSeconds() { return jwt.maxLifetimeSeconds(); }
  public String redisUrl() { return cache.redisUrl(); }
  public boolean cacheEnabled() { return cache.enabled(); }
  public int cacheTtlSeconds() { return cache.ttlSeconds(); }
  public int cacheNearTtlSeconds() { return cache.nearTtlSeconds(); }
  public String cacheKeyPrefix() { return cache.keyPrefix(); }
  public String amqpUrl() { return amqp.url(); }
  public String defaultPhoneRegion() { return customer.defaultPhoneRegion(); }
  public int checkoutDbInFlight() { return customer.checkoutDbInFlight(); }
  public SegmentPolicy segmentPolicy() { return segmentation.policy(); }
  public String orderServiceGrpc() { return segmentation.orderServiceGrpc(); }
}
