package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.GetSegmentRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** customer.v1.CustomerService over real gRPC, with the Redis cache, against real PostgreSQL. */
class CustomerGrpcTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Http anonymous;

  UUID org;
  String token;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("grpc", Map.of("REDIS_URL", "redis://127.0.0.1:6379", "CACHE_KEY_PREFIX", "test-" + UUID.randomUUID()));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    anonymous = new Http(app.config.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write");
    admin = anonymous.as(token);
  }

  JsonObject create(JsonObject body) {
    Http.Reply r = admin.post("/api/v1/customers", body);
    assertEquals(201, r.status, r.toString());
    return r.json();
  }

  JsonObject ana() {
    return create(new JsonObject().put("customer_type", "person").put("first_name", "Ana").put("last_name", "Rojas")
        .put("phone", "+56 9 4123 4567").put("email", "ana@example.cl").put("document_type", "rut")
        .put("document_number", "12.345.678-5").put("loyalty_card", "CARD-0001"));
  }

  Reply<GetCustomerResponse> get(String id, String org, String bearer) {
    return grpc.call(CustomerServiceGrpcClient.GetCustomer,
        GetCustomerRequest.newBuilder().setCustomerId(id).setOrganizationId(org).build(), bearer);
  }

  Reply<GetCustomerResponse> lookup(LookupCustomerRequest request, String bearer) {
    return grpc.call(CustomerServiceGrpcClient.LookupCustomer, request, bearer);
  }

  @Test
  void getCustomerAnswersTheSeedFieldsAndTheFlatPosFields() {
    String id = ana().getString("id");
    Reply<GetCustomerResponse> r = get(id, org.toString(), token);
    assertTrue(r.ok(), r.toString());
    GetCustomerResponse c = r.body();
    assertEquals(id, c.getCustomerId());
    assertEquals("Ana", c.getFirstName());
    assertEquals("Rojas", c.getLastName());
    assertEquals("Ana Rojas", c.getName());
    assertEquals("ana@example.cl", c.getEmail());
    assertEquals("+56941234567", c.getPhone());
    assertEquals("person", c.getCustomerType());
    assertEquals("active", c.getStatus());
    assertEquals("12345678-5", c.getDocumentNumber());
    // A second read is served from the cache and is identical.
    assertEquals(c, get(id, org.toString(), token).body());
  }

  @Test
  void anEmptyOrganizationIdUsesTheTokensOrganization() {
    String id = ana().getString("id");
    assertTrue(get(id, "", token).ok());
  }

  @Test
  void badIdsUnknownCustomersAndOtherTenantsGetTheRightStatus() {
    String id = ana().getString("id");
    Reply<GetCustomerResponse> malformed = get("cust_123", "", token);
    assertEquals(GrpcStatus.INVALID_ARGUMENT, malformed.status());
    assertTrue(malformed.message().contains("customer_id"), malformed.message());
    assertEquals(GrpcStatus.NOT_FOUND, get(UUID.randomUUID().toString(), "", token).status());
    String otherToken = app.token(UUID.randomUUID(), "customers:read");
    assertEquals(GrpcStatus.NOT_FOUND, get(id, "", otherToken).status(), "another tenant's customer does not exist for it");
    assertEquals(GrpcStatus.PERMISSION_DENIED, get(id, UUID.randomUUID().toString(), token).status(),
        "a request naming another organization than the token's");
  }

  @Test
  void tokensAreRequiredAndCheckedWhenTheNetworkIsNotTrusted() {
    String id = ana().getString("id");
    assertEquals(GrpcStatus.UNAUTHENTICATED, get(id, org.toString(), null).status());
    assertEquals(GrpcStatus.UNAUTHENTICATED, get(id, "", "garbage").status());
    assertEquals(GrpcStatus.UNAUTHENTICATED, get(id, "", token + "x").status());
    assertEquals(GrpcStatus.PERMISSION_DENIED, get(id, "", app.token(org, "credit:read")).status());
  }

  @Test
  void lookupFindsACustomerByAnySpellingOfEachKey() {
    String id = ana().getString("id");
    for (LookupCustomerRequest request : new LookupCustomerRequest[] {
        LookupCustomerRequest.newBuilder().setPhone("941234567").build(),
        LookupCustomerRequest.newBuilder().setPhone("+56 9 4123 4567").build(),
        LookupCustomerRequest.newBuilder().setEmail("ANA@example.cl").build(),
        LookupCustomerRequest.newBuilder().setDocumentNumber("12345678-5").build(),
        LookupCustomerRequest.newBuilder().setDocumentNumber("12.345.678-5").build(),
        LookupCustomerRequest.newBuilder().setLoyaltyCard("card0001").build()}) {
      for (int i = 0; i < 3; i++) {
        Reply<GetCustomerResponse> r = lookup(request, token);
        assertTrue(r.ok(), request + " -> " + r);
        assertEquals(id, r.body().getCustomerId());
      }
    }
  }

  @Test
  void lookupRejectsAMissingOrMalformedKeyAndAnswersNotFoundForAnUnknownOne() {
    ana();
    assertEquals(GrpcStatus.INVALID_ARGUMENT, lookup(LookupCustomerRequest.getDefaultInstance(), token).status());
    Reply<GetCustomerResponse> badPhone = lookup(LookupCustomerRequest.newBuilder().setPhone("12").build(), token);
    assertEquals(GrpcStatus.INVALID_ARGUMENT, badPhone.status());
    assertTrue(badPhone.message().startsWith("phone"), badPhone.message());
    assertEquals(GrpcStatus.NOT_FOUND, lookup(LookupCustomerRequest.newBuilder().setPhone("+56 9 9999 9999").build(), token).status());
    String other = app.token(UUID.randomUUID(), "customers:read");
    assertEquals(GrpcStatus.NOT_FOUND, lookup(LookupCustomerRequest.newBuilder().setPhone("941234567").build(), other).status());
  }

  @Test
  void aReadAfterAnAcknowledgedRestWriteIsNeverStale() {
    String id = ana().getString("id");
    LookupCustomerRequest oldPhone = LookupCustomerRequest.newBuilder().setPhone("941234567").build();
    for (int i = 0; i < 3; i++) {
      assertTrue(get(id, "", token).ok());
      assertTrue(lookup(oldPhone, token).ok());
    }
    assertEquals(200, admin.patch("/api/v1/customers/" + id, new JsonObject().put("first_name", "Anita")
        .put("phone", "+56 9 8765 4321"), null).status);
    assertEquals("Anita", get(id, "", token).body().getFirstName());
    assertEquals(GrpcStatus.NOT_FOUND, lookup(oldPhone, token).status(), "the old phone no longer finds her");
    Reply<GetCustomerResponse> byNew = lookup(LookupCustomerRequest.newBuilder().setPhone("987654321").build(), token);
    assertEquals("Anita", byNew.body().getFirstName());
    assertEquals(204, admin.delete("/api/v1/customers/" + id).status);
    assertEquals(GrpcStatus.NOT_FOUND, get(id, "", token).status(), "a deleted customer is gone from checkout at once");
  }

  @Test
  void everyRpcOfTheContractIsServedNoneAnswersUnimplemented() {
    Reply<?> r = grpc.call(CustomerServiceGrpcClient.GetCustomerSegment, GetSegmentRequest.newBuilder()
        .setCustomerId(UUID.randomUUID().toString()).build(), app.token(org, "segments:read"));
    assertEquals(GrpcStatus.NOT_FOUND, r.status());
    assertEquals(0, com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcService.all().size()
        - com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcService.SERVICE_DESCRIPTOR.getMethods().size());
  }

  @Test
  void readinessReportsTheCacheBackend() {
    JsonObject ready = anonymous.get("/health/ready").json();
    assertTrue(ready.encode().contains("\"backend\":\"redis\""), ready.encode());
  }
}
