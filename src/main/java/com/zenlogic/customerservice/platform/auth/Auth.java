package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Text;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.handler.impl.JWTAuthHandlerImpl;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The bearer tokens of REST and gRPC, verified by one {@link Authenticator} chosen by AUTH_MODE:
 * locally with this service's keys (an HS256 secret, a public key or the Auth Service's JWKS; the
 * algorithm pinned per key, issuer and audience always checked, so neither "alg: none" nor a token
 * minted for another service passes) or remotely by the Auth Service. One instance serves every
 * API verticle, so the breaker and the cache of verified tokens are the process's, not a verticle's.
 *
 * <p>A refused token is 401 / UNAUTHENTICATED; a token that could not be verified because the Auth
 * Service (or its JWKS) is unreachable is 503 / UNAVAILABLE (AUTH_SERVICE_UNAVAILABLE), never 401.
 */
public final class Auth {
  /** Leeway for clock skew between the Auth Service and this one, on exp, nbf and iat. */
  static final int LEEWAY_SECONDS = 30;
  /** A token is a header value: anything longer is not one of ours and is not parsed. */
  static final int MAX_TOKEN_CHARS = 4 * 1024;
  private static final int MAX_PERMISSIONS = 256;
  private static final Pattern CANONICAL_UUID =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private final Authenticator authenticator;
  private final RemoteAuthenticator remote;
  private final VerifiedTokens verified;
  private final long cacheMillis;
  private final JWTAuth provider = new Provider();

  private Auth(Authenticator authenticator, AuthConfig config) {
    this.authenticator = authenticator;
    this.remote = authenticator instanceof RemoteAuthenticator r ? r : null;
    this.verified = new VerifiedTokens(config.cacheMaxEntries());
    this.cacheMillis = config.cacheSeconds() * 1000L;
  }

  /** Local verification with the default AUTH_* settings (tools and tests that only have a JwtConfig). */
  public static Future<Auth> create(Vertx vertx, JwtConfig config) {
    return create(vertx, config, AuthConfig.from(new ConfigReader(new JsonObject())));
  }

  /** Builds the verifier of AUTH_MODE; reads the public key file off the event loop, fetches the JWKS once. */
  public static Future<Auth> create(Vertx vertx, JwtConfig config, AuthConfig auth) {
    if (auth.remote()) {
      return Future.succeededFuture(new Auth(new RemoteAuthenticator(vertx, auth), auth));
    }
    JWTOptions checks = new JWTOptions()
        .setIssuer(config.issuer())
        .setAudience(List.of(config.audience()))
        .setLeeway(LEEWAY_SECONDS);
    int lifetime = config.maxLifetimeSeconds();
    if (config.hs256Secret() != null) {
      PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.hs256Secret());
      return Future.succeededFuture(fixedKey(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(checks)), lifetime, auth));
    }
    if (config.publicKeyPath() != null) {
      return vertx.fileSystem().readFile(config.publicKeyPath())
          .recover(e -> Future.failedFuture(new ConfigException("JWT_PUBLIC_KEY_PATH", "cannot read " + config.publicKeyPath())))
          .map(pem -> {
            PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(config.publicKeyAlgorithm()).setBuffer(pem.toString());
            return fixedKey(JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(checks)), lifetime, auth);
          });
    }
    if (config.jwksUrl() != null) {
      JwksKeys keys = new JwksKeys(vertx, config.jwksUrl(), checks, config.jwksMinRefreshSeconds() * 1000L, auth.timeoutMs());
      return keys.load().map(v -> new Auth(new LocalAuthenticator(keys::verifierFor, lifetime), auth));
    }
    return Future.failedFuture(new ConfigException("JWT_HS256_SECRET",
        "no token key configured: set JWT_HS256_SECRET, JWT_PUBLIC_KEY_PATH or JWT_JWKS_URL, or AUTH_MODE=remote"));
  }

  private static Auth fixedKey(JWTAuth verifier, int lifetime, AuthConfig auth) {
    Future<JWTAuth> always = Future.succeededFuture(verifier);
    return new Auth(new LocalAuthenticator(kid -> always, lifetime), auth);
  }

  /** The provider REST authenticates with: a token it accepts has claims callerOf can read. */
  public JWTAuth provider() {
    return provider;
  }

  /** The Auth Service breaker's state (closed, open, half_open), empty in local mode: for metrics and health. */
  public Optional<String> breakerState() {
    return remote == null ? Optional.empty() : Optional.of(remote.state().name().toLowerCase(Locale.ROOT));
  }

  /**
   * The REST authentication handler: JWTAuthHandler over {@link #provider()}. JWTAuthHandler
   * answers 400 for some malformed tokens (a fourth segment, a character outside base64url, no
   * space after the scheme); a malformed token is a bad token like any other here, so 401. An
   * unreachable Auth Service stays what it is: 503 AUTH_SERVICE_UNAVAILABLE.
   */
  public JWTAuthHandler restHandler() {
    return new JWTAuthHandlerImpl(provider, null) {
      @Override
      public Future<User> authenticate(RoutingContext ctx) {
        return super.authenticate(ctx).recover(e -> {
          DomainException unavailable = authServiceFailure(e);
          return Future.failedFuture(unavailable != null ? unavailable
              : e instanceof HttpException h && h.getStatusCode() == 401 ? e : new HttpException(401, e));
        });
      }
    };
  }

  /** Verifies a raw "Bearer ..." header value: the token's user, or UNAUTHENTICATED, or AUTH_SERVICE_UNAVAILABLE. */
  public Future<User> authenticateUser(String authorization) {
    return authenticateUser(authorization, 0);
  }

  /** As above, for a call that must be answered within {@code timeoutMillis} (a gRPC deadline; 0: none): the Auth Service's retries stay inside it. */
  public Future<User> authenticateUser(String authorization, long timeoutMillis) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception());
    }
    return verify(authorization.substring(7).trim(), timeoutMillis > 0 ? System.currentTimeMillis() + timeoutMillis : 0);
  }

  /** The one way in for both edges: a remembered answer, else the authenticator's, remembered for AUTH_CACHE_SECONDS at most and never past its expiry. */
  private Future<User> verify(String token, long deadlineMillis) {
    try {
      if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
        return LocalAuthenticator.refused();
      }
      long now = System.currentTimeMillis();
      JsonObject cached = verified.get(token, now);
      if (cached != null) {
        return Future.succeededFuture(User.create(cached.copy()));
      }
      return authenticator.verify(token, deadlineMillis)
          .recover(e -> Future.failedFuture(authServiceFailure(e) != null ? e : ErrorCode.UNAUTHENTICATED.exception()))
          .map(v -> {
            verified.put(token, v.claims(), Math.min(v.reusableUntilMillis(), now + cacheMillis), System.currentTimeMillis());
            return User.create(v.claims().copy());
          });
    } catch (RuntimeException e) {
      return LocalAuthenticator.refused();
    }
  }

  /** The AUTH_SERVICE_UNAVAILABLE a failure carries (possibly wrapped by the web handler), else null. */
  private static DomainException authServiceFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DomainException d && d.code() == ErrorCode.AUTH_SERVICE_UNAVAILABLE) {
        return d;
      }
    }
    return null;
  }

  /** When a NumericDate claim falls, in epoch millis; 0 if it is not one. */
  static long expiryMillis(Object claim) {
    Double seconds = numericDate(claim);
    return seconds == null ? 0 : (long) (seconds * 1000d);
  }

  /** The caller a verified token describes; a token without a canonical organization_id is not usable here. */
  public static Caller callerOf(User user, String correlationId) {
    UUID organizationId = organization(user.get("organization_id"));
    if (organizationId == null) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, "Token has no valid organization_id claim", null);
    }
    Object userId = user.containsKey("user_id") ? user.get("user_id") : user.get("sub");
    Object localId = user.containsKey("local_id") ? user.get("local_id") : null;
    Set<String> permissions = new HashSet<>();
    Object claim = user.containsKey("permissions") ? user.get("permissions") : null;
    if (claim instanceof JsonArray array) {
      array.forEach(p -> {
        if (p instanceof String s) {
          permissions.add(s);
        }
      });
    }
    return new Caller(organizationId, userId == null ? null : userId.toString(),
        localId == null ? null : localId.toString(), Set.copyOf(permissions), correlationId);
  }

  /** The tenant a claim names, only in the canonical 8-4-4-4-12 form (UUID.fromString also takes "0-0-4000-8000-1"). */
  static UUID organization(Object claim) {
    if (!(claim instanceof String s) || !CANONICAL_UUID.matcher(s).matches()) {
      return null;
    }
    return UUID.fromString(s);
  }

  /**
   * What is wrong with a token's claims, or null: the types every reader of the claims relies on,
   * exp required and within {@code maxLifetimeSeconds} of iat (or of now without iat), nbf and iat
   * not in the future, a canonical organization_id.
   */
  static String claimProblem(JsonObject claims, long nowSeconds, int maxLifetimeSeconds) {
    Object exp = claims.getValue("exp");
    if (exp == null) {
      return "exp is required";
    }
    Double expiry = numericDate(exp);
    if (expiry == null) {
      return "exp must be a NumericDate";
    }
    Object nbf = claims.getValue("nbf");
    Double notBefore = numericDate(nbf);
    if (nbf != null && notBefore == null) {
      return "nbf must be a NumericDate";
    }
    Object iat = claims.getValue("iat");
    Double issuedAt = numericDate(iat);
    if (iat != null && issuedAt == null) {
      return "iat must be a NumericDate";
    }
    if (expiry <= nowSeconds - LEEWAY_SECONDS) {
      return "expired";
    }
    if (notBefore != null && notBefore > nowSeconds + LEEWAY_SECONDS) {
      return "not yet valid";
    }
    if (issuedAt != null && issuedAt > nowSeconds + LEEWAY_SECONDS) {
      return "issued in the future";
    }
    double from = issuedAt != null ? issuedAt : nowSeconds;
    if (expiry - from > maxLifetimeSeconds) {
      return "lives longer than JWT_MAX_LIFETIME_SECONDS";
    }
    if (!(claims.getValue("iss") instanceof String)) {
      return "iss must be a string";
    }
    Object aud = claims.getValue("aud");
    if (!(aud instanceof String) && !(aud instanceof JsonArray a && allStrings(a, 64))) {
      return "aud must be a string or an array of strings";
    }
    if (organization(claims.getValue("organization_id")) == null) {
      return "organization_id must be a canonical UUID";
    }
    Object permissions = claims.getValue("permissions");
    if (permissions != null && !(permissions instanceof JsonArray p && allStrings(p, MAX_PERMISSIONS))) {
      return "permissions must be an array of strings";
    }
    for (String key : new String[] {"user_id", "sub", "local_id"}) {
      Object v = claims.getValue(key);
      if (v != null && !(v instanceof String s && s.length() <= 200) && !(v instanceof Integer || v instanceof Long)) {
        return key + " must be a string";
      }
    }
    for (String key : new String[] {"user_id", "sub", "local_id", "organization_id"}) {
      if (claims.getValue(key) instanceof String s && Text.problem(s) != null) {
        return key + " " + Text.problem(s);
      }
    }
    return null;
  }

  /** A JSON number in the range of a NumericDate (seconds since the epoch, finite, not negative). */
  private static Double numericDate(Object value) {
    if (!(value instanceof Number n)) {
      return null;
    }
    double d = n.doubleValue();
    return Double.isFinite(d) && d >= 0 && d < 1e12 ? d : null;
  }

  private static boolean allStrings(JsonArray array, int max) {
    if (array.size() > max) {
      return false;
    }
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /** The claims of a compact JWS, unverified: only to check their shape before the signature is. */
  static JsonObject unverifiedClaims(String token) {
    return unverifiedPart(token, 1);
  }

  /** The header of a compact JWS, unverified: only to pick the key by its kid. */
  static JsonObject unverifiedHeader(String token) {
    return unverifiedPart(token, 0);
  }

  private static JsonObject unverifiedPart(String token, int part) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      return null;
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      Object json = io.vertx.core.json.Json.decodeValue(new String(Base64.getUrlDecoder().decode(parts[part]), StandardCharsets.UTF_8));
      return json instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The JWTAuth face of {@link #verify} that JWTAuthHandler needs; it verifies, it never signs. */
  private final class Provider implements JWTAuth {
    @Override
    public Future<User> authenticate(Credentials credentials) {
      return credentials instanceof TokenCredentials token ? verify(token.getToken(), 0) : LocalAuthenticator.refused();
    }

    @Override
    public String generateToken(JsonObject claims, JWTOptions options) {
      throw new UnsupportedOperationException("this service verifies tokens, it does not issue them");
    }

    @Override
    public String generateToken(JsonObject claims) {
      throw new UnsupportedOperationException("this service verifies tokens, it does not issue them");
    }
  }

  /** Signs a token with the configured HS256 secret: for development and tests only. */
  public static String devToken(Vertx vertx, JwtConfig config, JsonObject claims, int minutes) {
    if (config.hs256Secret() == null) {
      throw new ConfigException("JWT_HS256_SECRET", "dev tokens can only be signed with an HS256 secret");
    }
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.hs256Secret())));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setIssuer(config.issuer())
        .setAudience(List.of(config.audience())).setExpiresInMinutes(minutes));
  }
}
