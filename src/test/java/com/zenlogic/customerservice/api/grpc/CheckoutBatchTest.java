package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uncached GetCustomer under concurrency: reads share statements (CheckoutBatcher), and every
 * answer is still the right customer, with its own points, in its own tenant.
 */
class CheckoutBatchTest {
  static TestApp app;
  static GrpcTestClient grpc;

  @BeforeAll
  static void start() throws Exception {
    // No cache: every read reaches PostgreSQL. One gRPC instance: all reads meet in one batcher.
    app = TestApp.start("checkout_batch", Map.of("CACHE_ENABLED", false, "GRPC_INSTANCES", 1));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  record Expected(String id, String token, GrpcStatus status, String firstName, long points) {}

  List<String> customers(String token, String prefix, int count) {
    Http admin = new Http(app.config.httpPort()).as(token);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Http.Reply r = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person")
          .put("first_name", prefix + i).put("last_name", "Batch"));
      assertEquals(201, r.status, r.toString());
      ids.add(r.json().getString("id"));
    }
    return ids;
  }

  void earn(String token, String customer, long points) {
    Reply<?> r = grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(customer)
        .setTransactionId("t-" + customer).setAmount(points).setPointsRate(1).build(), token);
    assertTrue(r.ok(), r.toString());
  }

  @Test
  void concurrentUncachedReadsShareStatementsAndEachGetsItsOwnAnswer() throws Exception {
    UUID orgA = UUID.randomUUID();
    UUID orgB = UUID.randomUUID();
    String tokenA = app.token(orgA, "customers:read", "customers:write", "loyalty:read", "loyalty:write");
    String tokenB = app.token(orgB, "customers:read", "customers:write", "loyalty:read", "loyalty:write");
    List<String> a = customers(tokenA, "A", 12);
    List<String> b = customers(tokenB, "B", 4);
    for (int i = 0; i < 6; i++) {
      earn(tokenA, a.get(i), 10 + i);
    }
    String deleted = a.get(11);
    assertEquals(204, new Http(app.config.httpPort()).as(tokenA).delete("/api/v1/customers/" + deleted).status);

    List<Expected> expected = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < 11; i++) {
        expected.add(new Expected(a.get(i), tokenA, GrpcStatus.OK, "A" + i, i < 6 ? 10 + i : 0));
      }
      for (int i = 0; i < 4; i++) {
        expected.add(new Expected(b.get(i), tokenB, GrpcStatus.OK, "B" + i, 0));
        expected.add(new Expected(b.get(i), tokenA, GrpcStatus.NOT_FOUND, null, 0)); // another tenant's customer
      }
      expected.add(new Expected(deleted, tokenA, GrpcStatus.NOT_FOUND, null, 0));
      expected.add(new Expected(UUID.randomUUID().toString(), tokenB, GrpcStatus.NOT_FOUND, null, 0));
    }
    double statementsBefore = batchStatements();

    List<Future<Reply<GetCustomerResponse>>> calls = new ArrayList<>();
    for (Expected e : expected) {
      calls.add(grpc.callAsync(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(e.id()).build(),
          e.token()));
    }
    for (int i = 0; i < expected.size(); i++) {
      Expected e = expected.get(i);
      Reply<GetCustomerResponse> r = calls.get(i).await(30, TimeUnit.SECONDS);
      assertEquals(e.status(), r.status(), i + ": " + e + " -> " + r);
      if (e.status() == GrpcStatus.OK) {
        assertEquals(e.id(), r.body().getCustomerId());
        assertEquals(e.firstName(), r.body().getFirstName());
        assertEquals(e.points(), r.body().getLoyaltyPoints(), "each customer's own loyalty account, not a neighbour's in the batch");
      }
    }
    double statements = batchStatements() - statementsBefore;
    assertTrue(statements < expected.size() / 2.0,
        expected.size() + " concurrent reads should share statements, took " + statements);
  }

  /** How many checkout statements ran, from the service's own metrics. */
  static double batchStatements() {
    String metrics = new Http(app.config.httpPort()).get("/metrics").body;
    return metrics.lines().filter(l -> l.startsWith("customer_checkout_batch_size_count"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
