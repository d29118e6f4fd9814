package com.zenlogic.customerservice.platform.config;

import com.zenlogic.customerservice.AppConfig;

import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.db.EmbeddedDatabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.CustomerServiceApp;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no DB_URL the service runs on the embedded PostgreSQL, and its data survives a restart. */
class ZeroConfigTest {

  @TempDir
  Path dataDir;

  @Test
  void theEmbeddedDatabaseKeepsCustomersAcrossARestart() throws Exception {
    int pgPort = TestApp.freePort();
    UUID org = UUID.randomUUID();
    String secret = DevDefaults.devJwtSecret(dataDir);
    assertEquals(secret, DevDefaults.devJwtSecret(dataDir), "the dev secret is generated once");
    String id;
    try (Running first = Running.start(dataDir, pgPort, secret)) {
      Http.Reply created = first.http(org).post("/api/v1/customers", new JsonObject().put("customer_type", "person")
          .put("first_name", "Ana").put("last_name", "Rojas"));
      assertEquals(201, created.status, created.toString());
      id = created.json().getString("id");
    }
    assertTrue(Files.exists(dataDir.resolve("pg").resolve("PG_VERSION")), "data lives under DATA_DIR/pg");
    try (Running second = Running.start(dataDir, pgPort, secret)) {
      Http.Reply read = second.http(org).get("/api/v1/customers/" + id);
      assertEquals(200, read.status, read.toString());
      assertEquals("Ana", read.json().getString("first_name"));
    }
  }

  /** Embedded PostgreSQL plus the deployed service, stopped in the same order as Main stops them. */
  record Running(EmbeddedDatabase pg, Vertx vertx, AppConfig config) implements AutoCloseable {
    static Running start(Path dataDir, int pgPort, String secret) throws Exception {
      EmbeddedDatabase pg = EmbeddedDatabase.start(dataDir, pgPort);
      AppConfig config = AppConfig.from(new JsonObject().put("HTTP_PORT", TestApp.freePort()).put("HTTP_INSTANCES", 1)
          .put("DB_URL", pg.url()).put("DB_APP_PASSWORD", "zero-config-test").put("JWT_HS256_SECRET", secret).put("DATA_DIR", dataDir.toString()));
      Vertx vertx = Vertx.vertx();
      CustomerServiceApp.deploy(vertx, config).await(120, TimeUnit.SECONDS);
      return new Running(pg, vertx, config);
    }

    Http http(UUID org) {
      String token = Auth.devToken(vertx, config.jwt(), new JsonObject().put("user_id", "dev").put("organization_id", org.toString())
          .put("permissions", new JsonArray().add("customers:read").add("customers:write")), 5);
      return new Http(config.httpPort()).as(token);
    }

    @Override
    public void close() throws Exception {
      vertx.close().await(30, TimeUnit.SECONDS);
      pg.close();
    }
  }
}
