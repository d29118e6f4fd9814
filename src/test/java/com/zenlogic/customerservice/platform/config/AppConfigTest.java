package com.zenlogic.customerservice.platform.config;

import com.zenlogic.customerservice.AppConfig;

import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.errors.ErrorCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AppConfigTest {

  @Test
  void defaultsAreTheDocumentedPortsAndTheEmbeddedDatabase() {
    AppConfig c = AppConfig.from(new JsonObject());
    assertEquals(8007, c.httpPort());
    assertEquals(50007, c.grpcPort());
    assertTrue(c.embeddedDatabase());
    assertNull(c.redisUrl());
  }

  @Test
  void environmentStringsAreParsed() {
    AppConfig c = AppConfig.from(new JsonObject().put("HTTP_PORT", "9000").put("DEFAULT_PHONE_REGION", "mx")
        .put("DB_URL", "postgresql://owner:s%40cret@db.internal:6432/customers").put("DB_APP_PASSWORD", "app-secret"));
    assertEquals(9000, c.httpPort());
    assertEquals("MX", c.defaultPhoneRegion());
    DbUrl url = DbUrl.parse("DB_URL", c.dbUrl());
    assertEquals("s@cret", url.password());
    assertEquals(6432, url.port());
    assertEquals("postgresql://owner@db.internal:6432/customers", url.display());
  }

  @Test
  void eachInvalidValueFailsWithOneLineNamingTheKey() {
    record Case(String key, Object value) {}
    for (Case c : new Case[] {
        new Case("HTTP_PORT", "eighty"), new Case("GRPC_PORT", 70000), new Case("DB_URL", "mysql://x@h/db"),
        new Case("DB_URL", "postgresql://host/db"), new Case("REDIS_URL", "localhost:6379"),
        new Case("JWT_HS256_SECRET", "short"), new Case("DEFAULT_PHONE_REGION", "XX"),
        new Case("DB_POOL_SIZE", 0), new Case("JWT_PUBLIC_KEY_ALGORITHM", "none")}) {
      ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put(c.key(), c.value())));
      assertTrue(e.getMessage().startsWith("Invalid configuration " + c.key() + ":"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
  }

  @Test
  void errorCodesMapToDistinctHttpAndGrpcStatusesConsistently() {
    Set<String> names = EnumSet.allOf(ErrorCode.class).stream().map(Enum::name).collect(Collectors.toSet());
    assertEquals(ErrorCode.values().length, names.size());
    for (ErrorCode code : ErrorCode.values()) {
      assertTrue(code.httpStatus() >= 400 && code.httpStatus() < 600, code.name());
      if (code.httpStatus() == 404) {
        assertEquals(ErrorCode.GrpcCode.NOT_FOUND, code.grpcCode(), code.name());
      }
      if (code.httpStatus() == 400) {
        assertEquals(ErrorCode.GrpcCode.INVALID_ARGUMENT, code.grpcCode(), code.name());
      }
    }
  }
}
