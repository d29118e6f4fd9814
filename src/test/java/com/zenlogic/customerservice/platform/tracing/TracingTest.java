package com.zenlogic.customerservice.platform.tracing;

import com.zenlogic.customerservice.support.Waits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import com.zenlogic.customerservice.segmentation.orders.v1.GetOrdersByCustomerRequest;
import com.zenlogic.customerservice.segmentation.orders.v1.GetOrdersByCustomerResponse;
import com.zenlogic.customerservice.segmentation.orders.v1.OrderServiceGrpcService;
import com.zenlogic.customerservice.segmentation.orders.v1.OrderServiceService;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenTelemetry through Tracing's entry point, exported to memory: the spans of REST, gRPC, PostgreSQL and RabbitMQ both ways. */
class TracingTest {
  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static GrpcTestClient grpc;
  static List<RabbitMQMessage> published;
  static final UUID ORG = UUID.randomUUID();
  static String token;
  static final java.util.concurrent.atomic.AtomicReference<String> orderServiceTraceparent = new java.util.concurrent.atomic.AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "tracing");
    published = broker.capture();
    int orderService = fakeOrderService();
    app = TestApp.startTraced("tracing", Map.of("AMQP_URL", broker.url(), "REDIS_URL", "redis://127.0.0.1:6379",
            "CACHE_KEY_PREFIX", "test-" + UUID.randomUUID(), "ORDER_SERVICE_GRPC", "127.0.0.1:" + orderService),
        Tracing.sdk(new TracingConfig("memory", TracingConfig.HTTP_PROTOBUF, "customer-service"), SPANS, true));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    token = app.token(ORG, "customers:read", "customers:write", "loyalty:read", "loyalty:write");
    waitFor(() -> {
      try {
        broker.client.messageCount("customer_order_queue").await(5, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        return false;
      }
    }, "consumers declared their queues");
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
    broker.close();
    helper.close();
  }

  @Test
  void theServiceBuiltThroughTracingHasATracer() {
    assertTrue(Tracing.isTracing(app.vertx));
  }

  @Test
  void aRestGetHasAServerSpanWithAPostgresClientSpanChild() throws Exception {
    String id = customer(null);
    HttpResponse<String> got = send(HttpRequest.newBuilder(uri("/api/v1/customers/" + id)).GET(), null);
    assertEquals(200, got.statusCode());
    SpanData server = waitForSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().startsWith("GET")
        && String.valueOf(s.getAttributes().asMap().values()).contains("/api/v1/customers/" + id));
    SpanData pg = waitForSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(server.getTraceId())
        && String.valueOf(s.getAttributes().asMap()).contains("postgresql"));
    assertEquals(server.getSpanId(), pg.getParentSpanId(), "the statement is a child of the request");
  }

  @Test
  void logLinesOfATracedRequestNameItsTraceAndSpan() throws Exception {
    String id = customer(null);
    try (LogCapture logs = new LogCapture(Level.DEBUG)) {
      String traceId = hex(32);
      // The loyalty account is read by the loyalty engine, behind the event bus: its line is logged there.
      assertEquals(200, send(HttpRequest.newBuilder(uri("/api/v1/customers/" + id + "/loyalty")).GET(),
          "00-" + traceId + "-" + hex(16) + "-01").statusCode());
      waitFor(() -> logs.lines().stream().anyMatch(l -> l.getFormattedMessage().contains("answered")
          && traceId.equals(l.getMDCPropertyMap().get("trace_id")) && l.getMDCPropertyMap().get("span_id") != null),
          "the engine's line with trace_id and span_id");
    }
  }

  @Test
  void aGrpcCallHasAServerSpan() throws Exception {
    String id = customer(null);
    assertTrue(grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(id).build(), token).ok());
    SpanData server = waitForSpan(s -> s.getKind() == SpanKind.SERVER
        && "/customer.v1.CustomerService/GetCustomer".equals(s.getAttributes().get(AttributeKey.stringKey("url.path"))));
    assertEquals("POST", server.getName());
  }

  @Test
  void aCheckoutReadHasARedisClientSpanInTheCallsTrace() throws Exception {
    String id = customer(null);
    assertTrue(grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(id).build(), token).ok());
    // The cache is read (a miss, then filled) under the call's server span.
    waitForSpan(s -> s.getKind() == SpanKind.CLIENT && String.valueOf(s.getAttributes().asMap()).contains("redis")
        && SPANS.getFinishedSpanItems().stream().anyMatch(p -> p.getSpanId().equals(s.getParentSpanId()) && p.getKind() == SpanKind.SERVER
            && "/customer.v1.CustomerService/GetCustomer".equals(p.getAttributes().get(AttributeKey.stringKey("url.path")))));
  }

  @Test
  void theOrderServiceCallIsAClientSpanOfTheRequestAndCarriesItsTraceparent() throws Exception {
    String id = customer(null);
    String traceId = hex(32);
    assertEquals(200, send(HttpRequest.newBuilder(uri("/api/v1/customers/" + id + "/history")).GET(),
        "00-" + traceId + "-" + hex(16) + "-01").statusCode());
    SpanData call = waitForSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId)
        && String.valueOf(s.getAttributes().asMap()).contains("OrderService"));
    assertEquals(traceId, orderServiceTraceparent.get().split("-")[1]);
    assertEquals(call.getSpanId(), orderServiceTraceparent.get().split("-")[2], "the Order Service's parent is our client span");
  }

  @Test
  void anEventPublishedCarriesTheTraceparentOfTheRequestThatCausedIt() throws Exception {
    String traceId = hex(32);
    String id = customer("00-" + traceId + "-" + hex(16) + "-01");
    RabbitMQMessage message = waitForMessage(m -> m.body().toJsonObject().getJsonObject("data").getString("id", "").equals(id)
        && "customer.created".equals(m.body().toJsonObject().getString("event_type")));
    String traceparent = message.properties().getHeaders().get("traceparent").toString();
    assertEquals(traceId, traceparent.split("-")[1]);
    SpanData producer = waitForSpan(s -> s.getKind() == SpanKind.PRODUCER && s.getSpanId().equals(traceparent.split("-")[2]));
    assertEquals(traceId, producer.getTraceId());
  }

  @Test
  void aConsumedMessageWithATraceparentHasAConsumerSpanInThatTrace() throws Exception {
    String customer = customer(null);
    String traceId = hex(32);
    String parent = hex(16);
    JsonObject envelope = new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", "order.completed")
        .put("schema_version", 1).put("occurred_at", Instant.now().minusSeconds(60).toString()).put("organization_id", ORG.toString())
        .put("correlation_id", "c-" + UUID.randomUUID())
        .put("data", new JsonObject().put("customer_id", customer).put("order_id", "o-" + UUID.randomUUID()).put("total_amount", 30.00));
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").messageId("m-" + UUID.randomUUID())
        .headers(Map.of("traceparent", "00-" + traceId + "-" + parent + "-01")).deliveryMode(2).build();
    broker.client.exchangeDeclare("order_events", "topic", true, false)
        .compose(v -> broker.client.basicPublish("order_events", "order.completed", props, Buffer.buffer(envelope.encode())))
        .await(10, TimeUnit.SECONDS);
    SpanData consumer = waitForSpan(s -> s.getKind() == SpanKind.CONSUMER && s.getTraceId().equals(traceId));
    assertEquals(parent, consumer.getParentSpanId());
    assertEquals("customer_order_queue process", consumer.getName());
    // What the delivery causes joins the trace: the engines' statements and the derived event.
    waitForSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId)
        && String.valueOf(s.getAttributes().asMap()).contains("postgresql"));
    RabbitMQMessage earned = waitForMessage(m -> "loyalty.points.earned".equals(m.body().toJsonObject().getString("event_type"))
        && customer.equals(m.body().toJsonObject().getJsonObject("data").getString("customer_id")));
    assertEquals(traceId, earned.properties().getHeaders().get("traceparent").toString().split("-")[1]);
  }

  @Test
  void withoutAnOtlpEndpointNothingIsBuiltAndVertxHasNoTracer() throws Exception {
    TracingConfig off = TracingConfig.from(new JsonObject());
    assertFalse(off.enabled());
    VertxOptions options = new VertxOptions();
    Vertx plain = Tracing.builder(options, off).build();
    try {
      assertFalse(Tracing.isTracing(plain));
      assertNull(options.getTracingOptions());
      assertEquals(Tracing.MessageSpan.NONE, Tracing.consume(plain, "q", "m", Map.of("traceparent", "00-" + hex(32) + "-" + hex(16) + "-01")));
      String stored = "00-" + hex(32) + "-" + hex(16) + "-01";
      assertEquals(stored, Tracing.publish(plain, "customer_events", "m", stored).traceparent(), "a stored traceparent passes through");
    } finally {
      plain.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anOtlpEndpointGivesVertxATracer() throws Exception {
    TracingConfig on = TracingConfig.from(new JsonObject().put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"));
    assertEquals("customer-service", on.serviceName());
    Vertx traced = Tracing.builder(new VertxOptions(), on).build();
    try {
      assertTrue(Tracing.isTracing(traced));
    } finally {
      traced.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theTracingKeysReadAreTheDeclaredOnes() {
    ConfigReader r = new ConfigReader(new JsonObject());
    TracingConfig.from(r);
    assertEquals(new TreeSet<>(TracingConfig.KEYS), new TreeSet<>(r.asked()));
  }

  // --- helpers

  /** The Order Service, faked as a real gRPC server on the helper Vert.x (untraced): remembers the traceparent it was sent. */
  static int fakeOrderService() throws Exception {
    GrpcServer grpcServer = GrpcServer.server(helper);
    grpcServer.addService(OrderServiceGrpcService.of(new OrderServiceService() {
      @Override
      public io.vertx.core.Future<GetOrdersByCustomerResponse> getOrdersByCustomer(GetOrdersByCustomerRequest request) {
        return io.vertx.core.Future.succeededFuture(GetOrdersByCustomerResponse.newBuilder().build());
      }
    }));
    int port = TestApp.freePort();
    helper.createHttpServer().requestHandler(req -> {
      orderServiceTraceparent.set(req.getHeader("traceparent"));
      grpcServer.handle(req);
    }).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return port;
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.config.httpPort() + path);
  }

  static HttpResponse<String> send(HttpRequest.Builder b, String traceparent) throws Exception {
    b.header("Authorization", "Bearer " + token);
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String customer(String traceparent) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/customers")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("customer_type", "company").put("legal_name", "Traza").encode())),
        traceparent);
    assertEquals(201, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("id");
  }

  static String hex(int length) {
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      b.append(UUID.randomUUID().toString().replace("-", ""));
    }
    return b.substring(0, length);
  }

  static SpanData waitForSpan(Predicate<SpanData> which) throws Exception {
    Optional<SpanData>[] found = new Optional[1];
    try {
      waitFor(() -> (found[0] = SPANS.getFinishedSpanItems().stream().filter(which).findFirst()).isPresent(), "span");
    } catch (AssertionError e) {
      StringBuilder b = new StringBuilder("no such span among:");
      SPANS.getFinishedSpanItems().forEach(s -> b.append("\n  ").append(s.getKind()).append(' ').append(s.getName()).append(' ')
          .append(s.getTraceId()).append('/').append(s.getSpanId()).append(" <- ").append(s.getParentSpanId()).append(' ')
          .append(s.getAttributes().asMap()));
      throw new AssertionError(b.toString());
    }
    assertNotNull(found[0].get());
    return found[0].get();
  }

  static RabbitMQMessage waitForMessage(Predicate<RabbitMQMessage> which) throws Exception {
    RabbitMQMessage[] found = new RabbitMQMessage[1];
    waitFor(() -> (found[0] = published.stream().filter(m -> ORG.toString().equals(m.body().toJsonObject().getString("organization_id")))
        .filter(which).findFirst().orElse(null)) != null, "message");
    return found[0];
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    Waits.waitFor(condition, what, 15_000);
  }
}
