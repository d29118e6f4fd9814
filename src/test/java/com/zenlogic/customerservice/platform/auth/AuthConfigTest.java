package com.zenlogic.customerservice.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The auth settings are checked at boot: a remote mode that cannot work, or contradictory key sources, stop it with the key named. */
class AuthConfigTest {

  private static String failingKey(JsonObject json) {
    return assertThrows(ConfigException.class, () -> AppConfig.from(json)).getMessage();
  }

  @Test
  void badAuthSettingsStopTheBootNamingTheKey() {
    assertTrue(failingKey(new JsonObject().put("AUTH_MODE", "remote")).contains("AUTH_SERVICE_URL"));
    assertTrue(failingKey(new JsonObject().put("AUTH_MODE", "remote").put("AUTH_SERVICE_URL", "auth-service:8080"))
        .contains("AUTH_SERVICE_URL"));
    assertTrue(failingKey(new JsonObject().put("AUTH_TIMEOUT_MS", 2000).put("AUTH_BUDGET_MS", 1000)).contains("AUTH_BUDGET_MS"));
    assertTrue(failingKey(new JsonObject().put("AUTH_RETRIES", 11)).contains("AUTH_RETRIES"));
    assertTrue(failingKey(new JsonObject().put("AUTH_RETRIES", -1)).contains("AUTH_RETRIES"));
    assertTrue(failingKey(new JsonObject().put("AUTH_BREAKER_MAX_FAILURES", 0)).contains("AUTH_BREAKER_MAX_FAILURES"));
    assertTrue(failingKey(new JsonObject().put("JWT_JWKS_URL", "http://auth/jwks")
        .put("JWT_HS256_SECRET", "x".repeat(40))).contains("JWT_JWKS_URL"));
    assertTrue(failingKey(new JsonObject().put("JWT_JWKS_URL", "ftp://auth/jwks")).contains("JWT_JWKS_URL"));
  }

  @Test
  void remoteModeTakesItsUrlWithoutATrailingSlashAndZeroRetriesOrCacheAreAllowed() {
    AuthConfig c = AppConfig.from(new JsonObject().put("AUTH_MODE", "REMOTE").put("AUTH_SERVICE_URL", "https://auth.example:8443/")
        .put("AUTH_RETRIES", 0).put("AUTH_CACHE_SECONDS", 0)).auth();
    assertEquals(new AuthConfig(AuthConfig.Mode.REMOTE, "https://auth.example:8443", 1_000, 3_000, 0, 5, 60, 0, 10_000), c);
    JwtConfig jwks = AppConfig.from(new JsonObject().put("JWT_JWKS_URL", "http://auth:8080/.well-known/jwks.json")).jwt();
    assertEquals("http://auth:8080/.well-known/jwks.json", jwks.jwksUrl());
    assertEquals(30, jwks.jwksMinRefreshSeconds());
    assertNull(jwks.hs256Secret());
    assertTrue(jwks.hasKeys());
  }
}
