package com.zenlogic.customerservice.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.Jwts;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AUTH_MODE=remote against a real HTTP fake of the Auth Service: what it accepts is the caller,
 * what it refuses is 401 / UNAUTHENTICATED, and when it cannot answer the caller gets 503 /
 * UNAVAILABLE (never 401), after exactly AUTH_RETRIES + 1 attempts. Positive answers are reused
 * (one call for many requests, REST and gRPC alike) but never past the token's exp; refusals are not.
 * The breaker itself (open, half-open, closed) is in RemoteAuthBreakerTest.
 */
class RemoteAuthTest {
  static final int RETRIES = 2;
  static final UUID ORG = UUID.randomUUID();
  static Vertx fakes;
  static FakeAuthService auth;
  static TestApp app;
  static String customer;

  @BeforeAll
  static void start() throws Exception {
    fakes = Vertx.vertx();
    auth = new FakeAuthService(fakes, TestApp.freePort()).start();
    Map<String, Object> remote = new HashMap<>();
    remote.put("JWT_HS256_SECRET", null);
    remote.put("AUTH_MODE", "remote");
    remote.put("AUTH_SERVICE_URL", "http://127.0.0.1:" + auth.port);
    remote.put("AUTH_TIMEOUT_MS", 300);
    remote.put("AUTH_BUDGET_MS", 3000);
    remote.put("AUTH_RETRIES", RETRIES);
    // High enough that the failures provoked here never open it (that is RemoteAuthBreakerTest's).
    remote.put("AUTH_BREAKER_MAX_FAILURES", 1000);
    app = TestApp.start("authremote", remote);
    Http.Reply created = new Http(app.config.httpPort()).as(token(c -> c.put("permissions",
        new JsonArray().add("customers:read").add("customers:write")))).post("/api/v1/customers",
        new JsonObject().put("customer_type", "person").put("first_name", "Ana").put("last_name", "Rojas"));
    assertEquals(201, created.status, created.toString());
    customer = created.json().getString("id");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    auth.close();
    fakes.close().await(10, TimeUnit.SECONDS);
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** A token the fake reads (it does not check the signature; this service never sees the key). */
  static String token(Consumer<JsonObject> change) {
    JsonObject c = new JsonObject().put("iss", "zenlogic-auth").put("aud", "customer-service").put("iat", now())
        .put("exp", now() + 600).put("organization_id", ORG.toString()).put("user_id", "u-" + UUID.randomUUID())
        .put("permissions", new JsonArray().add("customers:read"));
    change.accept(c);
    return Jwts.hs256("the-auth-service-own-secret-0123456789abcdef", c.encode());
  }

  static Http.Reply rest(String token) {
    return new Http(app.config.httpPort()).as(token).get("/api/v1/customers/" + customer);
  }

  static GrpcStatus grpc(String token) {
    try (GrpcTestClient client = new GrpcTestClient(app.vertx, app.config.grpcPort())) {
      return client.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(customer).build(), token).status();
    }
  }

  @Test
  void aTokenTheAuthServiceAcceptsIsTheCallerOnRestAndGrpc() {
    String accepted = token(c -> c.put("user_id", "cashier-7"));
    Http.Reply r = rest(accepted);
    assertEquals(200, r.status, r.toString());
    assertEquals(customer, r.json().getString("id"));
    assertEquals(GrpcStatus.OK, grpc(accepted));
    String otherOrg = token(c -> c.put("organization_id", UUID.randomUUID().toString()));
    assertEquals(404, rest(otherOrg).status, "the answer's organization is the tenant");
    String noPermission = token(c -> c.put("permissions", new JsonArray()));
    assertEquals(403, rest(noPermission).status, "the answer's permissions are the caller's");
  }

  @Test
  void tokensTheAuthServiceRefusesWith401Or403AreUnauthenticatedAndAskedOnce() {
    for (String status : new String[] {"401", "403"}) {
      String rest = token(c -> c.put("fake", status));
      Http.Reply r = rest(rest);
      assertEquals(401, r.status, status + " " + r);
      assertEquals("UNAUTHENTICATED", r.error().getString("code"));
      assertEquals(1, auth.callsFor(rest), "a refusal is an answer: not retried");
      String viaGrpc = token(c -> c.put("fake", status));
      assertEquals(GrpcStatus.UNAUTHENTICATED, grpc(viaGrpc), status);
      assertEquals(1, auth.callsFor(viaGrpc));
    }
  }

  @Test
  void aRefusalIsNotRememberedTheTokenIsAskedAgain() {
    String refused = token(c -> c.put("fake", "401"));
    assertEquals(401, rest(refused).status);
    assertEquals(401, rest(refused).status);
    assertEquals(GrpcStatus.UNAUTHENTICATED, grpc(refused));
    assertEquals(3, auth.callsFor(refused));
  }

  @Test
  void anAcceptedTokenIsAskedOnceForManyRequestsOverRestAndGrpc() {
    String token = token(c -> {});
    for (int i = 0; i < 4; i++) {
      assertEquals(200, rest(token).status);
    }
    assertEquals(GrpcStatus.OK, grpc(token));
    assertEquals(GrpcStatus.OK, grpc(token));
    assertEquals(1, auth.callsFor(token), "one Auth Service call for 6 requests on 2 HTTP and 2 gRPC instances");
  }

  @Test
  void aCachedTokenCostsNoCallMeasuredAgainstFreshTokens() {
    int n = 200;
    String same = token(c -> {});
    java.util.List<String> fresh = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      fresh.add(token(c -> {}));
    }
    int before = auth.calls.get();
    long t0 = System.nanoTime();
    for (String t : fresh) {
      assertEquals(200, rest(t).status);
    }
    long freshMicros = (System.nanoTime() - t0) / 1_000 / n;
    assertEquals(before + n, auth.calls.get(), "every fresh token asked once");
    rest(same);
    long t1 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      assertEquals(200, rest(same).status);
    }
    long cachedMicros = (System.nanoTime() - t1) / 1_000 / n;
    assertEquals(1, auth.callsFor(same));
    System.out.println("REST GET customer, remote auth: " + freshMicros + " us/request verified by the Auth Service, "
        + cachedMicros + " us/request from the cache (" + n + " sequential requests each)");
  }

  @Test
  void anAcceptedTokenIsAskedAgainOnceItsExpHasPassedAndThenRefused() throws Exception {
    long exp = now() + 2;
    String token = token(c -> c.put("exp", exp));
    assertEquals(200, rest(token).status);
    assertEquals(GrpcStatus.OK, grpc(token));
    assertEquals(1, auth.callsFor(token), "reused before exp");
    Thread.sleep(Math.max(0, exp * 1000 - System.currentTimeMillis()) + 200);
    Http.Reply after = rest(token);
    assertEquals(401, after.status, "the fake refuses an expired token: " + after);
    assertEquals(2, auth.callsFor(token), "not reused past exp");
  }

  @Test
  void theAnswersOwnEarlierExpEndsTheReuse() throws Exception {
    long answerExp = now() + 2;
    String token = token(c -> c.put("answer_exp", answerExp));
    assertEquals(200, rest(token).status);
    assertEquals(200, rest(token).status);
    assertEquals(1, auth.callsFor(token));
    Thread.sleep(Math.max(0, answerExp * 1000 - System.currentTimeMillis()) + 200);
    assertEquals(200, rest(token).status, "the token itself is still valid for the fake");
    assertEquals(2, auth.callsFor(token), "asked again after the answer's exp, though the token's is 10 minutes away");
  }

  @Test
  void aServerErrorIsAFailureOfTheAuthServiceRetriedExactlyRetriesTimesThen503() {
    String token = token(c -> c.put("fake", "500"));
    Http.Reply r = rest(token);
    assertEquals(503, r.status, r.toString());
    assertEquals("AUTH_SERVICE_UNAVAILABLE", r.error().getString("code"));
    assertTrue(r.error().getString("message").startsWith("Auth Service unavailable"), r.toString());
    assertEquals(RETRIES + 1, auth.callsFor(token));
    String viaGrpc = token(c -> c.put("fake", "500"));
    assertEquals(GrpcStatus.UNAVAILABLE, grpc(viaGrpc));
    assertEquals(RETRIES + 1, auth.callsFor(viaGrpc));
  }

  @Test
  void aSlowAuthServiceTimesOutEachAttemptAndIsRetriedThen503NotUnauthenticated() {
    String token = token(c -> c.put("fake", "slow"));
    long started = System.nanoTime();
    Http.Reply r = rest(token);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, r.status, r.toString());
    assertEquals("AUTH_SERVICE_UNAVAILABLE", r.error().getString("code"));
    assertEquals(RETRIES + 1, auth.callsFor(token));
    // 3 attempts of 300 ms and backoffs of 50 + 100 ms: well under the fake's 1.5 s answer.
    assertTrue(tookMillis >= 3 * 300 && tookMillis < 1_500, "took " + tookMillis + " ms");
    System.out.println("Slow Auth Service: 503 after " + tookMillis + " ms (" + (RETRIES + 1) + " attempts of 300 ms)");
  }

  @Test
  void aGrpcDeadlineShorterThanTheBudgetCutsTheRetries() throws Exception {
    String token = token(c -> c.put("fake", "slow"));
    io.vertx.grpc.client.GrpcClient client = io.vertx.grpc.client.GrpcClient.client(app.vertx);
    try {
      long started = System.nanoTime();
      GrpcStatus status = client.request(io.vertx.core.net.SocketAddress.inetSocketAddress(app.config.grpcPort(), "127.0.0.1"),
              CustomerServiceGrpcClient.GetCustomer)
          .compose(req -> {
            req.headers().set("authorization", "Bearer " + token);
            req.timeout(700, TimeUnit.MILLISECONDS);
            return req.end(GetCustomerRequest.newBuilder().setCustomerId(customer).build()).compose(v -> req.response());
          })
          .compose(resp -> resp.last().map(b -> resp.status()).otherwise(e -> resp.status()))
          .await(10, TimeUnit.SECONDS);
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(GrpcStatus.UNAVAILABLE, status);
      // 300 ms, 50 ms backoff, 300 ms; a third attempt would start after the 700 ms deadline.
      assertEquals(2, auth.callsFor(token), "took " + tookMillis + " ms");
      assertTrue(tookMillis < 700, "answered inside the deadline: " + tookMillis + " ms");
    } finally {
      client.close();
    }
  }

  @Test
  void aMalformed200AnswerIsAFailureOfTheAuthServiceNotACaller() {
    for (String mode : new String[] {"malformed-org", "malformed-permissions", "not-json"}) {
      String token = token(c -> c.put("fake", mode));
      Http.Reply r = rest(token);
      assertEquals(503, r.status, mode + " " + r);
      assertEquals("AUTH_SERVICE_UNAVAILABLE", r.error().getString("code"), mode);
      assertEquals(RETRIES + 1, auth.callsFor(token), mode);
    }
    String token = token(c -> c.put("fake", "malformed-org"));
    assertEquals(GrpcStatus.UNAVAILABLE, grpc(token));
  }

  @Test
  void withoutABearerTokenTheAuthServiceIsNotAsked() {
    int before = auth.calls.get();
    assertEquals(401, new Http(app.config.httpPort()).get("/api/v1/customers/" + customer).status);
    assertEquals(401, rest("x".repeat(5000)).status, "longer than any token: refused here");
    assertEquals(before, auth.calls.get());
  }

  @Test
  void remoteModeWithoutAnAuthServiceUrlDoesNotBoot() {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put("AUTH_MODE", "remote")));
    assertTrue(e.getMessage().contains("AUTH_SERVICE_URL"), e.getMessage());
    ConfigException mode = assertThrows(ConfigException.class, () -> AppConfig.from(new JsonObject().put("AUTH_MODE", "both")));
    assertTrue(mode.getMessage().contains("AUTH_MODE"), mode.getMessage());
    AppConfig defaults = AppConfig.from(new JsonObject());
    assertEquals(new AuthConfig(AuthConfig.Mode.LOCAL, null, 1_000, 3_000, 3, 5, 60, 30, 10_000), defaults.auth());
  }
}
