package com.zenlogic.customerservice.platform.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Auth Service's signing keys from its JWKS (JWT_JWKS_URL), one verifier per {@code kid},
 * each pinned to its key's algorithm (RS256 or ES256). A token naming a kid not seen yet makes
 * the set be fetched again, at most once per {@code minRefreshMillis} and once at a time, so the
 * Auth Service can rotate keys without a restart and a flood of made-up kids cannot flood it.
 */
final class JwksKeys {
  private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
  private static final int MAX_JWKS_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final HttpClient client;
  private final String url;
  private final JWTOptions checks;
  private final long minRefreshMillis;
  private final long timeoutMillis;

  private volatile Map<String, JWTAuth> byKid = Map.of();
  // Guarded by this.
  private long lastFetchMillis = Long.MIN_VALUE / 2;
  private boolean lastFetchFailed;
  private Future<Map<String, JWTAuth>> inFlight;

  JwksKeys(Vertx vertx, String url, JWTOptions checks, long minRefreshMillis, long timeoutMillis) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeoutMillis));
    this.url = url;
    this.checks = checks;
    this.minRefreshMillis = minRefreshMillis;
    this.timeoutMillis = timeoutMillis;
  }

  /** The first fetch, at boot; if the Auth Service is down then, tokens are refused with 503 until a later fetch works. */
  Future<Void> load() {
    return refresh().<Void>mapEmpty().otherwise(e -> {
      LOG.warn("JWKS {} could not be fetched at start: {}", url, e.getMessage());
      return null;
    });
  }

  /** The verifier of the key named {@code kid}: UNAUTHENTICATED if the JWKS has no such key, AUTH_SERVICE_UNAVAILABLE if it cannot be fetched. */
  Future<JWTAuth> verifierFor(String kid) {
    if (kid == null) {
      return LocalAuthenticator.refused();
    }
    JWTAuth known = byKid.get(kid);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return refresh().compose(keys -> {
      JWTAuth fresh = keys.get(kid);
      return fresh != null ? Future.succeededFuture(fresh) : LocalAuthenticator.refused();
    });
  }

  /** Fetches the set again unless it was fetched less than minRefreshMillis ago (then: the set as it is). */
  private synchronized Future<Map<String, JWTAuth>> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    long now = System.currentTimeMillis();
    if (now - lastFetchMillis < minRefreshMillis) {
      return lastFetchFailed ? LocalAuthenticator.unavailable("JWKS fetch failed") : Future.succeededFuture(byKid);
    }
    lastFetchMillis = now;
    Promise<Map<String, JWTAuth>> done = Promise.promise();
    inFlight = done.future();
    fetch().onComplete(ar -> {
      synchronized (this) {
        inFlight = null;
        lastFetchFailed = ar.failed();
        if (ar.succeeded()) {
          byKid = ar.result();
        }
      }
      if (ar.failed()) {
        LOG.warn("JWKS {} could not be fetched: {}", url, ar.cause().getMessage());
        done.handle(LocalAuthenticator.unavailable("JWKS fetch failed"));
      } else {
        done.complete(ar.result());
      }
    });
    return done.future();
  }

  private Future<Map<String, JWTAuth>> fetch() {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
            .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis))
        .compose(req -> req.send())
        .compose(resp -> resp.body().compose(body -> resp.statusCode() == 200 && body.length() <= MAX_JWKS_BYTES
            ? Future.succeededFuture(body)
            : Future.failedFuture(new IllegalStateException("JWKS answered " + resp.statusCode()))))
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .map(this::verifiers);
  }

  private Map<String, JWTAuth> verifiers(Buffer body) {
    JsonArray keys = new JsonObject(body).getJsonArray("keys");
    if (keys == null) {
      throw new IllegalStateException("JWKS has no keys array");
    }
    Map<String, JWTAuth> result = new HashMap<>();
    for (Object k : keys) {
      JsonObject jwk = k instanceof JsonObject o ? pinned(o) : null;
      if (jwk == null) {
        LOG.warn("JWKS {}: key skipped (needs a kid, use sig, RS256 RSA or ES256 P-256)", url);
        continue;
      }
      result.put(jwk.getString("kid"), JWTAuth.create(vertx, new JWTAuthOptions().addJwk(jwk).setJWTOptions(checks)));
    }
    LOG.info("JWKS {}: {} signing keys {}", url, result.size(), result.keySet());
    return Map.copyOf(result);
  }

  /** The key with its algorithm made explicit, or null if it is not a signing key this service accepts. */
  static JsonObject pinned(JsonObject jwk) {
    if (!(jwk.getValue("kid") instanceof String kid) || kid.isEmpty() || kid.length() > 200) {
      return null;
    }
    Object use = jwk.getValue("use");
    if (use != null && !"sig".equals(use)) {
      return null;
    }
    Object kty = jwk.getValue("kty");
    Object alg = jwk.getValue("alg");
    JsonObject copy = jwk.copy();
    // Only the public part: a key published with its private members must not make this service a signer.
    for (String secret : new String[] {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      copy.remove(secret);
    }
    if ("RSA".equals(kty) && (alg == null || "RS256".equals(alg)) && jwk.getValue("n") instanceof String
        && jwk.getValue("e") instanceof String) {
      return copy.put("alg", "RS256");
    }
    if ("EC".equals(kty) && (alg == null || "ES256".equals(alg)) && "P-256".equals(jwk.getValue("crv"))
        && jwk.getValue("x") instanceof String && jwk.getValue("y") instanceof String) {
      return copy.put("alg", "ES256");
    }
    return null;
  }
}
