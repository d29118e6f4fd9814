package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two service processes, each with its own near cache: a write acknowledged by one is seen at once by the other. */
class NearCacheAcrossProcessesTest {
  static TestApp a;
  static TestApp b;
  static GrpcTestClient grpcA;
  static GrpcTestClient grpcB;

  @BeforeAll
  static void start() throws Exception {
    a = TestApp.start("near_cache", Map.of("REDIS_URL", "redis://127.0.0.1:6379", "CACHE_KEY_PREFIX", "test-" + UUID.randomUUID()));
    b = TestApp.startSibling(a);
    grpcA = new GrpcTestClient(a.vertx, a.config.grpcPort());
    grpcB = new GrpcTestClient(b.vertx, b.config.grpcPort());
    Thread.sleep(300); // both processes subscribe to the invalidation channel
  }

  @AfterAll
  static void stop() throws Exception {
    grpcA.close();
    grpcB.close();
    b.close();
    a.close();
  }

  @Test
  void aWriteAcknowledgedByOneProcessIsNeverFollowedByAStaleReadOnAnother() {
    UUID org = UUID.randomUUID();
    String token = a.token(org, "customers:read", "customers:write");
    Http restA = new Http(a.config.httpPort()).as(token);
    Http restB = new Http(b.config.httpPort()).as(token);
    String id = restA.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "v0")
        .put("last_name", "Rojas").put("phone", "941234567")).json().getString("id");
    GetCustomerRequest byId = GetCustomerRequest.newBuilder().setCustomerId(id).build();
    LookupCustomerRequest byPhone = LookupCustomerRequest.newBuilder().setPhone("941234567").build();
    for (int round = 1; round <= 30; round++) {
      for (GrpcTestClient g : new GrpcTestClient[] {grpcA, grpcB, grpcA, grpcB}) {
        g.call(CustomerServiceGrpcClient.GetCustomer, byId, token);
        g.call(CustomerServiceGrpcClient.LookupCustomer, byPhone, token);
      }
      String name = "v" + round;
      Http writer = round % 2 == 0 ? restA : restB;
      assertEquals(200, writer.patch("/api/v1/customers/" + id, new JsonObject().put("first_name", name), null).status);
      for (GrpcTestClient g : new GrpcTestClient[] {grpcA, grpcB}) {
        assertEquals(name, g.call(CustomerServiceGrpcClient.GetCustomer, byId, token).body().getFirstName(), "round " + round);
        assertEquals(name, g.call(CustomerServiceGrpcClient.LookupCustomer, byPhone, token).body().getFirstName(), "round " + round);
      }
    }
  }
}
