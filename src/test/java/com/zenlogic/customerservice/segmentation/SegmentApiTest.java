package com.zenlogic.customerservice.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentResponse;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History, segments and KPIs over REST and gRPC, with figures computed by hand. */
class SegmentApiTest {
  static TestApp app;
  static GrpcTestClient grpc;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("segment_api");
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  @Test
  void kpisHistoryAndSegmentsMatchAFixtureComputedByHand() {
    UUID org = UUID.randomUUID();
    String token = app.token(org, "customers:read", "customers:write", "segments:read", "segments:admin", "analytics:read",
        "loyalty:write");
    Http admin = new Http(app.config.httpPort()).as(token);
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String a = customer(admin, "A");
    String b = customer(admin, "B");
    String c = customer(admin, "C");
    purchase(admin, a, "a1", "100.00", now.minus(Duration.ofDays(40)));
    purchase(admin, a, "a2", "50.00", now.minus(Duration.ofDays(10)));
    purchase(admin, b, "b1", "30.00", now.minus(Duration.ofDays(45)));
    purchase(admin, c, "c1", "20.00", now.minus(Duration.ofDays(5)));
    assertEquals(200, admin.post("/api/v1/customers/" + c + "/purchases", new JsonObject().put("reference", "c1").put("amount", "20.00")
        .put("occurred_at", now.minus(Duration.ofDays(5)).toString())).status, "the same purchase again is not recorded twice");
    admin.post("/api/v1/customers/" + a + "/loyalty/earn", new JsonObject().put("transaction_id", "t").put("amount", "99.50"));

    JsonObject kpis = admin.get("/api/v1/analytics/kpis?from=" + now.minus(Duration.ofDays(30)) + "&to=" + now.plusSeconds(120)).json();
    assertEquals(3, kpis.getLong("active_customers"));
    assertEquals("0.5000", kpis.getString("retention_rate"), "A and B bought before, A came back");
    assertEquals("35.00", kpis.getString("average_order_value"), "(50 + 20) / 2");
    assertEquals("66.67", kpis.getString("average_ltv"), "(150 + 30 + 20) / 3");
    assertEquals(99, kpis.getLong("loyalty_points_issued"));
    assertEquals(0, kpis.getLong("loyalty_points_redeemed"));
    assertEquals("0.00", kpis.getString("credit_used"));

    JsonArray history = admin.get("/api/v1/customers/" + a + "/history?limit=1").json().getJsonArray("items");
    assertEquals("50.00", history.getJsonObject(0).getString("amount"), "newest first");
    assertEquals("api", history.getJsonObject(0).getString("source"));

    JsonObject counts = admin.post("/api/v1/segments/recalculate", null).json().getJsonObject("counts");
    assertEquals(3, counts.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum());
    JsonObject stats = admin.get("/api/v1/customers/" + a + "/stats").json();
    assertEquals(2, stats.getInteger("order_count"));
    assertEquals("150.00", stats.getString("total_spent"));
    assertEquals("75.00", stats.getString("average_order_value"));
    assertEquals(30.0, stats.getDouble("mean_days_between_purchases"));
    GetSegmentResponse segment = grpc.call(CustomerServiceGrpcClient.GetCustomerSegment,
        GetSegmentRequest.newBuilder().setCustomerId(a).build(), token).body();
    assertEquals(stats.getString("segment"), segment.getSegment());
    assertEquals(stats.getInteger("recency_score"), segment.getRecencyScore());
    assertTrue(admin.get("/api/v1/segments").json().getJsonObject("counts").containsKey(segment.getSegment()));
    JsonArray members = admin.get("/api/v1/segments/" + segment.getSegment() + "/customers").json().getJsonArray("items");
    assertTrue(members.stream().anyMatch(m -> ((JsonObject) m).getString("customer_id").equals(a)));
    assertEquals(400, admin.get("/api/v1/segments/royalty/customers").status);
    assertEquals(403, new Http(app.config.httpPort()).as(app.token(org, "segments:read")).post("/api/v1/segments/recalculate", null).status);
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.GetCustomerSegment,
        GetSegmentRequest.newBuilder().setCustomerId(a).build(), app.token(UUID.randomUUID(), "segments:read")).status());
  }

  static String customer(Http admin, String name) {
    return admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", name)
        .put("last_name", "Test")).json().getString("id");
  }

  static void purchase(Http admin, String customer, String reference, String amount, Instant at) {
    Http.Reply r = admin.post("/api/v1/customers/" + customer + "/purchases", new JsonObject().put("reference", reference)
        .put("amount", amount).put("occurred_at", at.toString()));
    assertEquals(201, r.status, r.toString());
  }
}
