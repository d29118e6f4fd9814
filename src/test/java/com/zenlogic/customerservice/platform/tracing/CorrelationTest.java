package com.zenlogic.customerservice.platform.tracing;

import com.zenlogic.customerservice.support.Waits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Following one request: the caller's correlation id goes to the reply, to every log line of the
 * request (HTTP, gRPC, the engines behind the event bus, worker threads, consumed events) and to
 * the envelope of every event it causes; and no personal data reaches the logs at INFO or above.
 */
class CorrelationTest {
  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static GrpcClient grpc;
  static List<RabbitMQMessage> published;
  static LogCapture logs;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  UUID org;
  String token;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "correlation");
    published = broker.capture();
    app = TestApp.start("correlation", Map.of("AMQP_URL", broker.url()));
    grpc = GrpcClient.client(app.vertx);
    waitFor(() -> queueExists("customer_order_queue"), "consumers declared their queues");
    logs = new LogCapture(Level.DEBUG);
  }

  @AfterAll
  static void stop() throws Exception {
    logs.close();
    grpc.close();
    app.close();
    broker.close();
    helper.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write");
  }

  @Test
  void aRestCorrelationIdIsInTheReplyTheRequestsLogLinesAndItsEvent() throws Exception {
    String cid = "rest-" + UUID.randomUUID();
    HttpResponse<String> created = post("/api/v1/customers", new JsonObject().put("customer_type", "company")
        .put("legal_name", "Ferretería Sur"), cid);
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(cid, created.headers().firstValue("X-Correlation-Id").orElse(null));
    String id = new JsonObject(created.body()).getString("id");
    JsonObject event = waitForEvent("customer.created", e -> e.getJsonObject("data").getString("id").equals(id));
    assertEquals(cid, event.getString("correlation_id"));
    // The access line is written when the response ends, in a callback of the request's own context.
    List<ILoggingEvent> access = linesWith("POST /api/v1/customers -> 201");
    assertTrue(access.stream().anyMatch(l -> cid.equals(l.getMDCPropertyMap().get("correlation_id"))), access.toString());
  }

  @Test
  void aRequestWithoutCorrelationIdGetsANewOneInTheReplyAndTheEvent() throws Exception {
    HttpResponse<String> created = post("/api/v1/customers", new JsonObject().put("customer_type", "company")
        .put("legal_name", "Sin Id"), null);
    String cid = created.headers().firstValue("X-Correlation-Id").orElseThrow();
    UUID.fromString(cid);
    String id = new JsonObject(created.body()).getString("id");
    assertEquals(cid, waitForEvent("customer.created", e -> e.getJsonObject("data").getString("id").equals(id))
        .getString("correlation_id"));
  }

  @Test
  void aGrpcCorrelationIdIsInTheReplyHeadersTheEnginesLogLinesAndTheEvent() throws Exception {
    String customer = customer("Punto Norte");
    String cid = "grpc-" + UUID.randomUUID();
    Reply<?> reply = call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(customer)
        .setTransactionId("t-" + UUID.randomUUID()).setAmount(100.00).setPointsRate(1).build(), cid);
    assertEquals(GrpcStatus.OK, reply.status());
    assertEquals(cid, reply.correlationId());
    JsonObject earned = waitForEvent("loyalty.points.earned", e -> e.getJsonObject("data").getString("customer_id").equals(customer));
    assertEquals(cid, earned.getString("correlation_id"));
    assertTrue(correlated(cid, "gRPC AddLoyaltyPoints -> OK"), "the API's line");
    // The loyalty engine answers behind the event bus: the id crossed it.
    assertTrue(logs.lines().stream().anyMatch(l -> l.getLoggerName().endsWith("Bus") && l.getFormattedMessage().contains("answered")
        && cid.equals(l.getMDCPropertyMap().get("correlation_id"))), "the engine's line");
  }

  @Test
  void aConsumedEventsCorrelationIdIsTheDerivedEventsAndItsLogLines() throws Exception {
    String customer = customer("Kiosko Sur");
    String cid = "order-" + UUID.randomUUID();
    String order = "o-" + UUID.randomUUID();
    publish("m-" + UUID.randomUUID(), envelope(cid, new JsonObject().put("customer_id", customer).put("order_id", order)
        .put("total_amount", 50.00)), null);
    JsonObject earned = waitForEvent("loyalty.points.earned", e -> e.getJsonObject("data").getString("customer_id").equals(customer));
    assertEquals(cid, earned.getString("correlation_id"));
    waitFor(() -> correlated(cid, "applied"), "the consumer's line");
    // Segmentation is a worker verticle: its line is written on a worker thread.
    waitFor(() -> logs.lines().stream().anyMatch(l -> l.getFormattedMessage().contains("segmentation") && l.getFormattedMessage().contains("answered")
        && cid.equals(l.getMDCPropertyMap().get("correlation_id")) && l.getThreadName().contains("worker")), "the worker's line");
  }

  @Test
  void anEnvelopeWithoutCorrelationIdTakesTheAmqpCorrelationIdProperty() throws Exception {
    String customer = customer("Almacén Este");
    String cid = "amqp-" + UUID.randomUUID();
    JsonObject envelope = envelope(null, new JsonObject().put("customer_id", customer).put("order_id", "o-" + UUID.randomUUID())
        .put("total_amount", 20.00));
    envelope.remove("correlation_id");
    publish("m-" + UUID.randomUUID(), envelope, cid);
    JsonObject earned = waitForEvent("loyalty.points.earned", e -> e.getJsonObject("data").getString("customer_id").equals(customer));
    assertEquals(cid, earned.getString("correlation_id"));
  }

  @Test
  void noPersonalDataReachesTheLogsAtInfoOrAbove() throws Exception {
    // +56 9 4xxx xxxx: a range libphonenumber accepts for CL mobiles (not every random 9 + 8 digits is one).
    long n = ThreadLocalRandom.current().nextLong(40_000_000L, 49_999_999L);
    String phoneDigits = "9" + n;
    String phone = "+56 9 " + String.valueOf(n).substring(0, 4) + " " + String.valueOf(n).substring(4);
    String email = "zq" + n + "@privado.example";
    String first = "Zorbagnus" + n;
    String last = "Quimblywort" + n;
    String document = "PX" + n;
    List<String> personal = List.of(phoneDigits, String.valueOf(n), email, first, last, document);
    String cid = "pii-" + UUID.randomUUID();

    HttpResponse<String> created = post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", first)
        .put("last_name", last).put("email", email).put("phone", phone).put("document_type", "passport").put("document_number", document), cid);
    assertEquals(201, created.statusCode(), created.body());
    String customer = new JsonObject(created.body()).getString("id");
    // The same phone again: a conflict the caller sees, with its value nowhere in the logs.
    HttpResponse<String> twice = post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", first)
        .put("last_name", last).put("phone", phone), cid);
    assertEquals(409, twice.statusCode(), twice.body());
    assertEquals(GrpcStatus.OK, call(CustomerServiceGrpcClient.LookupCustomer, LookupCustomerRequest.newBuilder().setEmail(email).build(), cid)
        .status());
    assertEquals(GrpcStatus.NOT_FOUND, call(CustomerServiceGrpcClient.LookupCustomer,
        LookupCustomerRequest.newBuilder().setEmail("nobody." + email).build(), cid).status());
    // A consumed event carrying personal data, and one that is dead-lettered (a WARN line) because of it.
    publish("m-" + UUID.randomUUID(), envelope(cid, new JsonObject().put("customer_id", customer).put("order_id", "o-" + n)
        .put("total_amount", 10.00).put("customer_email", email).put("customer_name", first + " " + last)), null);
    String deadId = "dead-" + UUID.randomUUID();
    publish(deadId, envelope(cid, new JsonObject().put("customer_id", email).put("order_id", "o-" + phone).put("total_amount", 1.00)), null);
    waitForEvent("loyalty.points.earned", e -> e.getJsonObject("data").getString("customer_id").equals(customer));
    waitFor(() -> !linesWith("dead-lettering message " + deadId).isEmpty(), "the dead-letter WARN line");

    List<ILoggingEvent> loud = logs.lines().stream().filter(l -> l.getLevel().isGreaterOrEqual(Level.INFO)).toList();
    assertFalse(loud.isEmpty());
    for (ILoggingEvent line : loud) {
      String text = LogCapture.text(line);
      for (String value : personal) {
        assertFalse(text.contains(value), () -> "personal data in " + line.getLevel() + " " + line.getLoggerName() + ": " + text);
      }
    }
    ILoggingEvent dead = linesWith("dead-lettering message " + deadId).get(0);
    assertEquals(Level.WARN, dead.getLevel());
    assertEquals(cid, dead.getMDCPropertyMap().get("correlation_id"), "the WARN line of the delivery carries its correlation id");
  }

  // --- helpers

  record Reply<T>(GrpcStatus status, String correlationId, T body) {}

  <Req, Resp> Reply<Resp> call(ServiceMethod<Resp, Req> method, Req request, String cid) throws Exception {
    SocketAddress address = SocketAddress.inetSocketAddress(app.config.grpcPort(), "127.0.0.1");
    return grpc.request(address, method).compose(req -> {
      req.headers().set("authorization", "Bearer " + token).set("x-correlation-id", cid);
      return req.end(request).compose(v -> req.response()).compose(resp -> resp.last()
          .map(body -> new Reply<>(resp.status(), resp.headers().get("x-correlation-id"), body))
          .recover(e -> Future.succeededFuture(new Reply<>(resp.status(), resp.headers().get("x-correlation-id"), null))));
    }).await(20, TimeUnit.SECONDS);
  }

  HttpResponse<String> post(String path, JsonObject body, String cid) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.config.httpPort() + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (cid != null) {
      b.header("X-Correlation-Id", cid);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String customer(String name) throws Exception {
    HttpResponse<String> r = post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", name), null);
    assertEquals(201, r.statusCode(), r.body());
    return new JsonObject(r.body()).getString("id");
  }

  JsonObject envelope(String cid, JsonObject data) {
    return new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", "order.completed")
        .put("schema_version", 1).put("occurred_at", Instant.now().minusSeconds(60).toString()).put("organization_id", org.toString())
        .put("source", "order-service").put("correlation_id", cid).put("data", data);
  }

  void publish(String messageId, JsonObject envelope, String amqpCorrelationId) throws Exception {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").messageId(messageId)
        .correlationId(amqpCorrelationId).deliveryMode(2).build();
    broker.client.exchangeDeclare("order_events", "topic", true, false)
        .compose(v -> broker.client.basicPublish("order_events", "order.completed", props, Buffer.buffer(envelope.encode())))
        .await(10, TimeUnit.SECONDS);
  }

  JsonObject waitForEvent(String type, java.util.function.Predicate<JsonObject> which) throws Exception {
    JsonObject[] found = new JsonObject[1];
    waitFor(() -> {
      found[0] = published.stream().map(m -> m.body().toJsonObject())
          .filter(e -> org.toString().equals(e.getString("organization_id")) && type.equals(e.getString("event_type")))
          .filter(which).findFirst().orElse(null);
      return found[0] != null;
    }, type);
    return found[0];
  }

  static List<ILoggingEvent> linesWith(String text) {
    return logs.lines().stream().filter(l -> l.getFormattedMessage().contains(text)).toList();
  }

  static boolean correlated(String cid, String text) {
    return linesWith(text).stream().anyMatch(l -> cid.equals(l.getMDCPropertyMap().get("correlation_id")));
  }

  static boolean queueExists(String queue) {
    try {
      broker.client.messageCount(queue).await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    Waits.waitFor(condition, what, 20_000);
  }
}
