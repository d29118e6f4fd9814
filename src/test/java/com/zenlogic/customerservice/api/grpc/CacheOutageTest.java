package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TcpProxy;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis behind a TCP proxy that the test cuts: checkout keeps answering from PostgreSQL, and fresh data after. */
class CacheOutageTest {
  static Vertx proxyVertx;
  static TcpProxy redis;
  static TestApp app;
  static GrpcTestClient grpc;

  @BeforeAll
  static void start() throws Exception {
    proxyVertx = Vertx.vertx();
    redis = new TcpProxy(proxyVertx, 6379);
    app = TestApp.start("cache_outage", Map.of("REDIS_URL", "redis://127.0.0.1:" + redis.port(),
        "CACHE_KEY_PREFIX", "test-" + UUID.randomUUID(), "GRPC_INSTANCES", 1, "HTTP_INSTANCES", 1));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
    redis.close();
    proxyVertx.close();
  }

  @Test
  void checkoutAnswersFromPostgresWhileRedisIsDownAndServesFreshDataWhenItReturns() throws Exception {
    UUID org = UUID.randomUUID();
    String token = app.token(org, "customers:read", "customers:write");
    Http admin = new Http(app.config.httpPort()).as(token);
    String id = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas").put("phone", "941234567")).json().getString("id");
    GetCustomerRequest byId = GetCustomerRequest.newBuilder().setCustomerId(id).build();
    LookupCustomerRequest byPhone = LookupCustomerRequest.newBuilder().setPhone("941234567").build();
    for (int i = 0; i < 3; i++) {
      assertEquals("Ana", grpc.call(CustomerServiceGrpcClient.GetCustomer, byId, token).body().getFirstName());
      assertTrue(grpc.call(CustomerServiceGrpcClient.LookupCustomer, byPhone, token).ok());
    }

    redis.cut();
    for (int i = 0; i < 10; i++) {
      Reply<GetCustomerResponse> r = grpc.call(CustomerServiceGrpcClient.GetCustomer, byId, token);
      assertTrue(r.ok(), "answered from PostgreSQL while Redis is down: " + r);
      assertTrue(grpc.call(CustomerServiceGrpcClient.LookupCustomer, byPhone, token).ok());
    }
    // A write during the outage is acknowledged; its invalidation waits for Redis.
    assertEquals(200, admin.patch("/api/v1/customers/" + id, new JsonObject().put("first_name", "Anita"), null).status);
    assertEquals("Anita", grpc.call(CustomerServiceGrpcClient.GetCustomer, byId, token).body().getFirstName());
    JsonObject ready = new Http(app.config.httpPort()).get("/health/ready").json();
    assertEquals("UP", ready.getString("status"), "a missing cache does not make the service unready: " + ready);

    redis.restore();
    Thread.sleep(1500); // the breaker half-opens after its reset timeout
    for (int i = 0; i < 5; i++) {
      Reply<GetCustomerResponse> r = grpc.call(CustomerServiceGrpcClient.GetCustomer, byId, token);
      assertEquals("Anita", r.body().getFirstName(), "never the value cached before the outage");
      assertEquals("Anita", grpc.call(CustomerServiceGrpcClient.LookupCustomer, byPhone, token).body().getFirstName());
    }
    assertTrue(new Http(app.config.httpPort()).get("/health/ready").body.contains("\"pending_invalidations\":0"));
  }
}
