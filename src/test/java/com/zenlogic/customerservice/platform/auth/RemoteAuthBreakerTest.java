package com.zenlogic.customerservice.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Auth Service's breaker, one story on one service: down (connection refused) is 503, not 401;
 * after AUTH_BREAKER_MAX_FAILURES failed verifications it opens and answers 503 at once without
 * calling; after AUTH_BREAKER_RESET_SECONDS one probe goes through (half-open) and, the Auth Service
 * being back, closes it. Refusals (401) are answers: they never open it.
 */
class RemoteAuthBreakerTest {
  static Vertx fakes;
  static FakeAuthService auth;
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    fakes = Vertx.vertx();
    auth = new FakeAuthService(fakes, TestApp.freePort());
    Map<String, Object> remote = new HashMap<>();
    remote.put("JWT_HS256_SECRET", null);
    remote.put("AUTH_MODE", "remote");
    remote.put("AUTH_SERVICE_URL", "http://127.0.0.1:" + auth.port);
    remote.put("AUTH_TIMEOUT_MS", 300);
    remote.put("AUTH_RETRIES", 1);
    remote.put("AUTH_BREAKER_MAX_FAILURES", 3);
    remote.put("AUTH_BREAKER_RESET_SECONDS", 1);
    app = TestApp.start("authbreaker", remote);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    auth.close();
    fakes.close().await(10, TimeUnit.SECONDS);
  }

  static Http.Reply rest(String token) {
    // Any authenticated route: the customer does not exist, so an accepted token is 404.
    return new Http(app.config.httpPort()).as(token).get("/api/v1/customers/" + UUID.randomUUID());
  }

  static GrpcStatus grpc(String token) {
    try (GrpcTestClient client = new GrpcTestClient(app.vertx, app.config.grpcPort())) {
      return client.call(CustomerServiceGrpcClient.GetCustomer,
          GetCustomerRequest.newBuilder().setCustomerId(UUID.randomUUID().toString()).build(), token).status();
    }
  }

  /** customer_breaker_state{dependency="auth-service"} as /metrics shows it: 0 closed, 1 half-open, 2 open. */
  static String breakerGauge() {
    Http.Reply r = new Http(app.config.httpPort()).get("/metrics");
    assertEquals(200, r.status);
    for (String line : r.body.split("\n")) {
      if (line.startsWith("customer_breaker_state{") && line.contains("dependency=\"auth-service\"")) {
        return line.substring(line.lastIndexOf(' ') + 1);
      }
    }
    return "absent";
  }

  static void assertUnavailable(Http.Reply r) {
    assertEquals(503, r.status, r.toString());
    assertEquals("AUTH_SERVICE_UNAVAILABLE", r.error().getString("code"), r.toString());
    assertTrue(r.error().getString("message").startsWith("Auth Service unavailable"), r.toString());
  }

  @Test
  void downOpensTheBreakerWhichAnswers503AtOnceThenOneProbeClosesItWhenTheAuthServiceIsBack() throws Exception {
    // Refusals first: answers, not failures, however many.
    auth.start();
    int base = auth.calls.get();
    for (int i = 0; i < 5; i++) {
      assertEquals(401, rest(RemoteAuthTest.token(c -> c.put("fake", "401"))).status);
    }
    assertEquals(404, rest(RemoteAuthTest.token(c -> {})).status, "5 refusals did not open a breaker of 3");
    assertEquals(base + 6, auth.calls.get());

    // Down: connection refused. Three failed verifications (each retried once) open it.
    auth.stop();
    assertUnavailable(rest(RemoteAuthTest.token(c -> {})));
    assertEquals(GrpcStatus.UNAVAILABLE, grpc(RemoteAuthTest.token(c -> {})));
    assertUnavailable(rest(RemoteAuthTest.token(c -> {})));

    // Back, but the breaker is open: 503 at once, the Auth Service is not called.
    auth.start();
    long started = System.nanoTime();
    Http.Reply whileOpen = rest(RemoteAuthTest.token(c -> {}));
    long openMillis = (System.nanoTime() - started) / 1_000_000;
    assertUnavailable(whileOpen);
    assertTrue(whileOpen.error().getString("message").contains("circuit open"), whileOpen.toString());
    assertEquals(GrpcStatus.UNAVAILABLE, grpc(RemoteAuthTest.token(c -> {})));
    assertEquals(base + 6, auth.calls.get(), "nothing reached the Auth Service while open");
    assertEquals("2.0", breakerGauge(), "the operator sees the Auth Service's breaker open");
    Http.Reply ready = new Http(app.config.httpPort()).get("/health/ready");
    assertEquals(200, ready.status, "cached tokens still work: an open Auth breaker does not make the node unready");
    io.vertx.core.json.JsonObject authCheck = null;
    for (Object check : ready.json().getJsonArray("checks")) {
      if ("auth".equals(((io.vertx.core.json.JsonObject) check).getString("id"))) {
        authCheck = (io.vertx.core.json.JsonObject) check;
      }
    }
    assertEquals("remote", authCheck.getJsonObject("data").getString("mode"), ready.body);
    assertEquals("open", authCheck.getJsonObject("data").getString("breaker"), ready.body);
    assertTrue(openMillis < 250, "answered in " + openMillis + " ms, without waiting for a timeout");

    // Half-open after 1 s: the next verification is the probe; it succeeds and closes the breaker.
    Thread.sleep(1_300);
    String probe = RemoteAuthTest.token(c -> {});
    assertEquals(404, rest(probe).status);
    assertEquals(1, auth.callsFor(probe));
    assertEquals(GrpcStatus.NOT_FOUND, grpc(RemoteAuthTest.token(c -> {})), "closed: gRPC verified again");
    assertEquals(404, rest(RemoteAuthTest.token(c -> {})).status);
    assertEquals(base + 9, auth.calls.get());
    assertEquals("0.0", breakerGauge(), "and closed again");
    System.out.println("Auth Service breaker open: 503 in " + openMillis + " ms");
  }

  @Test
  void aFailedProbeOpensTheBreakerAgain() throws Exception {
    // Its own story on the same service: fails from a closed breaker to open, probe fails, open again.
    auth.start();
    assertEquals(404, rest(RemoteAuthTest.token(c -> {})).status);
    for (int i = 0; i < 3; i++) {
      assertUnavailable(rest(RemoteAuthTest.token(c -> c.put("fake", "500"))));
    }
    int calls = auth.calls.get();
    assertUnavailable(rest(RemoteAuthTest.token(c -> {})));
    assertEquals(calls, auth.calls.get(), "open");
    Thread.sleep(1_300);
    String probe = RemoteAuthTest.token(c -> c.put("fake", "500"));
    assertUnavailable(rest(probe));
    assertEquals(1, auth.callsFor(probe), "the half-open probe is one attempt: it is not retried");
    assertUnavailable(rest(RemoteAuthTest.token(c -> {})));
    assertEquals(calls + 1, auth.calls.get(), "open again after the failed probe");
    Thread.sleep(1_300);
    assertEquals(404, rest(RemoteAuthTest.token(c -> {})).status, "closed by the next good probe");
  }
}
