package com.zenlogic.customerservice.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.segmentation.orders.v1.GetOrdersByCustomerRequest;
import com.zenlogic.customerservice.segmentation.orders.v1.GetOrdersByCustomerResponse;
import com.zenlogic.customerservice.segmentation.orders.v1.Order;
import com.zenlogic.customerservice.segmentation.orders.v1.OrderServiceGrpcService;
import com.zenlogic.customerservice.segmentation.orders.v1.OrderServiceService;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.server.GrpcServer;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History backfilled from a fake Order Service (a real gRPC server in this test), behind the circuit breaker. */
class OrderBackfillTest {
  static Vertx fakeVertx;
  static int fakePort;
  static HttpServer fake;
  static TestApp app;
  static final AtomicInteger calls = new AtomicInteger();
  static final AtomicReference<String> lastAuthorization = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    fakeVertx = Vertx.vertx();
    fakePort = TestApp.freePort();
    startFake();
    app = TestApp.start("backfill", Map.of("ORDER_SERVICE_GRPC", "127.0.0.1:" + fakePort));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    fakeVertx.close().await(10, TimeUnit.SECONDS);
  }

  static void startFake() throws Exception {
    GrpcServer grpc = GrpcServer.server(fakeVertx);
    grpc.addService(OrderServiceGrpcService.of(new OrderServiceService() {
      @Override
      public Future<GetOrdersByCustomerResponse> getOrdersByCustomer(GetOrdersByCustomerRequest request) {
        calls.incrementAndGet();
        if (request.getPageToken().isEmpty()) {
          return Future.succeededFuture(GetOrdersByCustomerResponse.newBuilder()
              .addOrders(Order.newBuilder().setOrderId("o-1").setTotalAmount(120.50).setCreatedAt("2026-01-10T10:00:00Z")
                  .setLocalId("store-1").setItemCount(3).setStatus("completed"))
              .addOrders(Order.newBuilder().setOrderId("o-2").setTotalAmount(80).setCreatedAt("2026-02-10T10:00:00Z").setStatus("cancelled"))
              .setNextPageToken("2").build());
        }
        return Future.succeededFuture(GetOrdersByCustomerResponse.newBuilder()
            .addOrders(Order.newBuilder().setOrderId("o-3").setTotalAmount(40.25).setCreatedAt("2026-03-10T10:00:00Z").setStatus("completed"))
            .build());
      }
    }));
    fake = fakeVertx.createHttpServer().requestHandler(req -> {
      lastAuthorization.set(req.getHeader("authorization"));
      grpc.handle(req);
    });
    fake.listen(fakePort, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @Test
  void historyIsBackfilledOnceAndAnswersPartialWhileTheOrderServiceIsDown() throws Exception {
    UUID org = UUID.randomUUID();
    String token = app.token(org, "customers:read", "customers:write", "segments:read");
    Http admin = new Http(app.config.httpPort()).as(token);
    String c = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas")).json().getString("id");
    JsonObject history = admin.get("/api/v1/customers/" + c + "/history").json();
    assertFalse(history.getBoolean("partial"));
    assertEquals(2, history.getJsonArray("items").size(), "two completed orders over two pages; the cancelled one is not a purchase");
    assertEquals("40.25", history.getJsonArray("items").getJsonObject(0).getString("amount"));
    assertEquals("backfill", history.getJsonArray("items").getJsonObject(1).getString("source"));
    assertEquals("Bearer " + token, lastAuthorization.get(), "the caller's token is forwarded");
    assertEquals(2, admin.get("/api/v1/customers/" + c + "/history").json().getJsonArray("items").size(), "recorded once");
    assertEquals("160.75", admin.get("/api/v1/customers/" + c + "/stats").json().getString("total_spent"));

    fake.close().await(10, TimeUnit.SECONDS);
    for (int i = 0; i < 4; i++) {
      JsonObject partial = admin.get("/api/v1/customers/" + c + "/history").json();
      assertTrue(partial.getBoolean("partial"), "answers from local data and says so");
      assertEquals(2, partial.getJsonArray("items").size());
    }
    int before = calls.get();
    JsonObject fast = admin.get("/api/v1/customers/" + c + "/history").json();
    assertTrue(fast.getBoolean("partial"));
    assertEquals(before, calls.get(), "the open breaker does not call the Order Service");

    startFake();
    Thread.sleep(5_500);   // the breaker's reset timeout
    JsonObject back = admin.get("/api/v1/customers/" + c + "/history").json();
    assertFalse(back.getBoolean("partial"), "closes again once the Order Service answers");
  }
}
