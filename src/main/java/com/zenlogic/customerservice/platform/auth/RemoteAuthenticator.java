package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.platform.metrics.Breakers;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification by the Auth Service: {@code POST {AUTH_SERVICE_URL}/auth/verify} with
 * {@code {"token": ...}}. A 200 answer names the caller; 401 or 403 refuses the token (the
 * caller's fault, and proof the Auth Service is up: it closes the breaker like any answer).
 * Anything else (timeouts, refused connections, 5xx, other statuses, a 200 that does not name a
 * caller) is a failure of the Auth Service: retried with exponential backoff inside AUTH_BUDGET_MS,
 * and one failed verification counted by the breaker, which while open answers 503 at once.
 */
final class RemoteAuthenticator implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteAuthenticator.class);
  private static final int MAX_ANSWER_BYTES = 64 * 1024;
  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 1_000;
  private static final int MAX_PERMISSIONS = 256;

  /** The Auth Service's answer to one attempt: the caller's claims (null: token refused) and the answer's own expiry (0: none). */
  private record Answer(JsonObject claims, long expiresAtMillis) {}

  /** The Auth Service did not give a usable answer (retried, counted by the breaker). */
  static final class AuthServiceFailure extends RuntimeException {
    AuthServiceFailure(String message) {
      super(message, null, false, false);
    }
  }

  private final Vertx vertx;
  private final AuthConfig config;
  private final String verifyUri;
  private final HttpClient client;
  private final CircuitBreaker breaker;

  RemoteAuthenticator(Vertx vertx, AuthConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.verifyUri = config.serviceUrl() + "/auth/verify";
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(config.timeoutMs()).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(32));
    // The retries are ours (inside the budget), so the breaker counts one failure per verification;
    // the rolling window is long so that "consecutive" is what opens it: any answer resets the count.
    this.breaker = Breakers.register(Breakers.AUTH_SERVICE, CircuitBreaker.create(Breakers.AUTH_SERVICE, vertx, new CircuitBreakerOptions()
            .setMaxFailures(config.breakerMaxFailures())
            .setResetTimeout(config.breakerResetSeconds() * 1000L)
            .setTimeout(-1)
            .setMaxRetries(0)
            .setFailuresRollingWindow(Math.max(600_000L, config.breakerResetSeconds() * 2000L)))
        .openHandler(v -> LOG.warn("Auth Service circuit OPEN: tokens are answered 503 for {} s", config.breakerResetSeconds()))
        .halfOpenHandler(v -> LOG.info("Auth Service circuit half-open: the next verification probes it"))
        .closeHandler(v -> LOG.info("Auth Service circuit closed")));
  }

  CircuitBreakerState state() {
    return breaker.state();
  }

  @Override
  public Future<Verified> verify(String token, long deadlineMillis) {
    if (token == null || token.isEmpty() || token.length() > Auth.MAX_TOKEN_CHARS) {
      return LocalAuthenticator.refused();
    }
    JsonObject unverified = Auth.unverifiedClaims(token);
    long tokenExpiry = unverified == null ? 0 : Auth.expiryMillis(unverified.getValue("exp"));
    long deadline = System.currentTimeMillis() + config.budgetMs();
    if (deadlineMillis > 0 && deadlineMillis < deadline) {
      deadline = deadlineMillis;
    }
    long until = deadline;
    // A half-open probe is one attempt: it is there to learn whether the Auth Service is back, quickly.
    int retries = breaker.state() == CircuitBreakerState.HALF_OPEN ? 0 : config.retries();
    return breaker.<Answer>execute(() -> attempt(token, 0, retries, until))
        .recover(e -> {
          if (e instanceof OpenCircuitException) {
            return LocalAuthenticator.unavailable("circuit open");
          }
          LOG.warn("Auth Service verification failed: {}", e.toString());
          return LocalAuthenticator.unavailable(e instanceof AuthServiceFailure ? e.getMessage() : e.getClass().getSimpleName());
        })
        .compose(answer -> {
          if (answer.claims() == null) {
            return LocalAuthenticator.refused();
          }
          long reusable = tokenExpiry;
          long answerExpiry = answer.expiresAtMillis();
          if (answerExpiry > 0 && answerExpiry < reusable) {
            reusable = answerExpiry;
          }
          return Future.succeededFuture(new Verified(answer.claims(), reusable));
        });
  }

  private Future<Answer> attempt(String token, int attempt, int retries, long deadline) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Future.failedFuture(new AuthServiceFailure("no time left for an attempt"));
    }
    long timeout = Math.min(config.timeoutMs(), left);
    return post(token, timeout).recover(e -> {
      long backoff = Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(attempt, 10));
      if (attempt >= retries || System.currentTimeMillis() + backoff >= deadline) {
        return Future.failedFuture(e);
      }
      Promise<Answer> next = Promise.promise();
      vertx.setTimer(backoff, id -> attempt(token, attempt + 1, retries, deadline).onComplete(next));
      return next.future();
    });
  }

  private Future<Answer> post(String token, long timeout) {
    Buffer body = new JsonObject().put("token", token).toBuffer();
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(verifyUri)
            .setConnectTimeout(timeout).setIdleTimeout(timeout)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.ACCEPT, "application/json"))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(answer -> answer(resp.statusCode(), answer)))
        .timeout(timeout, TimeUnit.MILLISECONDS);
  }

  private static Answer answer(int status, Buffer body) {
    if (status == 401 || status == 403) {
      return new Answer(null, 0);
    }
    if (status != 200) {
      throw new AuthServiceFailure("Auth Service answered " + status);
    }
    String problem = null;
    JsonObject claims = null;
    if (body.length() > MAX_ANSWER_BYTES) {
      problem = "answer too large";
    } else {
      try {
        Object json = Json.decodeValue(body);
        if (json instanceof JsonObject o) {
          claims = o;
          problem = answerProblem(o);
        } else {
          problem = "answer is not a JSON object";
        }
      } catch (DecodeException e) {
        problem = "answer is not JSON";
      }
    }
    if (problem != null) {
      throw new AuthServiceFailure("Auth Service answered 200 without a usable caller: " + problem);
    }
    JsonObject caller = new JsonObject()
        .put("user_id", claims.getString("user_id"))
        .put("organization_id", claims.getString("organization_id"))
        .put("permissions", claims.getJsonArray("permissions").copy());
    if (claims.getValue("local_id") != null) {
      caller.put("local_id", claims.getString("local_id"));
    }
    return new Answer(caller, answerExpiry(claims));
  }

  /** What makes a 200 answer unusable, or null: the same types the local claim check demands. */
  static String answerProblem(JsonObject a) {
    if (Auth.organization(a.getValue("organization_id")) == null) {
      return "organization_id must be a canonical UUID";
    }
    if (!(a.getValue("user_id") instanceof String user) || user.isEmpty() || user.length() > 200 || Text.problem(user) != null) {
      return "user_id must be a non-empty string";
    }
    Object local = a.getValue("local_id");
    if (local != null && !(local instanceof String s && s.length() <= 200 && Text.problem(s) == null)) {
      return "local_id must be a string";
    }
    if (!(a.getValue("permissions") instanceof JsonArray p) || p.size() > MAX_PERMISSIONS
        || !p.stream().allMatch(v -> v instanceof String)) {
      return "permissions must be an array of strings";
    }
    Object exp = a.getValue("exp");
    if (exp != null && Auth.expiryMillis(exp) == 0) {
      return "exp must be a NumericDate";
    }
    Object expiresAt = a.getValue("expires_at");
    if (expiresAt != null && instant(expiresAt) == 0) {
      return "expires_at must be a NumericDate or an ISO-8601 instant";
    }
    return null;
  }

  /** The earlier of the answer's exp and expires_at, in epoch millis, 0 if it has neither. */
  private static long answerExpiry(JsonObject a) {
    long exp = Auth.expiryMillis(a.getValue("exp"));
    long at = instant(a.getValue("expires_at"));
    if (exp == 0) {
      return at;
    }
    return at == 0 ? exp : Math.min(exp, at);
  }

  private static long instant(Object value) {
    if (value instanceof String s) {
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (DateTimeParseException e) {
        return 0;
      }
    }
    return Auth.expiryMillis(value);
  }
}
