package com.zenlogic.customerservice.platform.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.tracing.Tracing;
import com.zenlogic.customerservice.platform.tracing.TracingConfig;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With tracing on, asking the Auth Service is a client span of the request that needed the answer. */
class RemoteAuthTracingTest {
  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  static Vertx fakes;
  static FakeAuthService auth;
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    fakes = Vertx.vertx();
    auth = new FakeAuthService(fakes, TestApp.freePort()).start();
    Map<String, Object> remote = new HashMap<>();
    remote.put("JWT_HS256_SECRET", null);
    remote.put("AUTH_MODE", "remote");
    remote.put("AUTH_SERVICE_URL", "http://127.0.0.1:" + auth.port);
    app = TestApp.startTraced("authtracing", remote,
        Tracing.sdk(new TracingConfig("memory", TracingConfig.HTTP_PROTOBUF, "customer-service"), SPANS, true));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    auth.close();
    fakes.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theAuthServiceVerificationIsAClientSpanInTheRequestsTrace() throws Exception {
    String path = "/api/v1/customers/" + UUID.randomUUID();
    assertEquals(404, new Http(app.config.httpPort()).as(RemoteAuthTest.token(c -> {})).get(path).status, "accepted, no such customer");
    SpanData server = waitForSpan(s -> s.getKind() == SpanKind.SERVER && String.valueOf(s.getAttributes().asMap()).contains(path));
    SpanData verify = waitForSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(server.getTraceId())
        && String.valueOf(s.getAttributes().asMap()).contains("/auth/verify"));
    assertTrue(verify.getEndEpochNanos() <= server.getEndEpochNanos(), "verified before the answer");
    assertEquals(1, auth.calls.get());
  }

  static SpanData waitForSpan(java.util.function.Predicate<SpanData> match) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      Optional<SpanData> found = SPANS.getFinishedSpanItems().stream().filter(match).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no such span among " + SPANS.getFinishedSpanItems().stream()
        .map(s -> s.getKind() + " " + s.getName() + " " + s.getAttributes().asMap()).toList());
  }
}
