package com.zenlogic.customerservice.infra;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Local verification of the Auth Service's JWTs. The algorithm is pinned per key and issuer and
 * audience are always checked, so neither "alg: none" nor a token minted for another service passes.
 */
public final class Auth {
  private final JWTAuth jwt;

  private Auth(JWTAuth jwt) {
    this.jwt = jwt;
  }

  /** Builds the verifier; reads the public key file off the event loop. */
  public static Future<Auth> create(Vertx vertx, AppConfig config) {
    JWTOptions checks = new JWTOptions()
        .setIssuer(config.jwtIssuer())
        .setAudience(List.of(config.jwtAudience()))
        .setLeeway(30);
    if (config.jwtHs256Secret() != null) {
      PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtHs256Secret());
      return Future.succeededFuture(new Auth(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(checks))));
    }
    if (config.jwtPublicKeyPath() != null) {
      return vertx.fileSystem().readFile(config.jwtPublicKeyPath())
          .recover(e -> Future.failedFuture(new ConfigException("JWT_PUBLIC_KEY_PATH", "cannot read " + config.jwtPublicKeyPath())))
          .map(pem -> {
            PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(config.jwtPublicKeyAlgorithm()).setBuffer(pem.toString());
            return new Auth(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(checks)));
          });
    }
    return Future.failedFuture(new ConfigException("JWT_HS256_SECRET", "no token key configured: set JWT_HS256_SECRET or JWT_PUBLIC_KEY_PATH"));
  }

  public JWTAuth provider() {
    return jwt;
  }

  /** Verifies a raw "Bearer ..." header value and returns the token's user, or fails with UNAUTHENTICATED. */
  public Future<User> authenticateUser(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception());
    }
    return jwt.authenticate(new TokenCredentials(authorization.substring(7).trim()))
        .recover(e -> Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception()));
  }

  /** When a verified token stops being valid (its exp claim), or in five minutes if it has none. */
  public static long expiresAtMillis(User user) {
    Object exp = user.containsKey("exp") ? user.get("exp") : null;
    long fallback = System.currentTimeMillis() + 5 * 60_000L;
    return exp instanceof Number n ? Math.min(n.longValue() * 1000L, Long.MAX_VALUE) : fallback;
  }

  /** The caller a verified token describes; a token without a valid organization_id is not usable here. */
  public static Caller callerOf(User user, String correlationId) {
    Object org = user.get("organization_id");
    UUID organizationId;
    try {
      organizationId = UUID.fromString(String.valueOf(org));
    } catch (IllegalArgumentException e) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, "Token has no valid organization_id claim", null);
    }
    Object userId = user.containsKey("user_id") ? user.get("user_id") : user.get("sub");
    Object localId = user.containsKey("local_id") ? user.get("local_id") : null;
    Set<String> permissions = new HashSet<>();
    Object claim = user.containsKey("permissions") ? user.get("permissions") : null;
    if (claim instanceof JsonArray array) {
      array.forEach(p -> permissions.add(String.valueOf(p)));
    }
    return new Caller(organizationId, userId == null ? null : userId.toString(),
        localId == null ? null : localId.toString(), Set.copyOf(permissions), correlationId);
  }

  /** Signs a token with the configured HS256 secret: for development and tests only. */
  public static String devToken(Vertx vertx, AppConfig config, JsonObject claims, int minutes) {
    if (config.jwtHs256Secret() == null) {
      throw new ConfigException("JWT_HS256_SECRET", "dev tokens can only be signed with an HS256 secret");
    }
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtHs256Secret())));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setIssuer(config.jwtIssuer())
        .setAudience(List.of(config.jwtAudience())).setExpiresInMinutes(minutes));
  }
}
