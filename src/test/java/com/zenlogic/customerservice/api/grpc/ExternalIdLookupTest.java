package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CRM sync key: LookupCustomer by external_id (gRPC, through the Redis cache) and the REST search by it. */
class ExternalIdLookupTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Http anonymous;

  UUID org;
  String token;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("extid", Map.of("REDIS_URL", "redis://127.0.0.1:6379", "CACHE_KEY_PREFIX", "test-" + UUID.randomUUID()));
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

  String create(String externalId, String firstName) {
    Http.Reply r = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", firstName)
        .put("last_name", "Rojas").put("external_id", externalId));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  Reply<GetCustomerResponse> lookup(String externalId, String bearer) {
    return grpc.call(CustomerServiceGrpcClient.LookupCustomer, LookupCustomerRequest.newBuilder().setExternalId(externalId).build(), bearer);
  }

  List<String> search(Http as, String query) {
    Http.Reply r = as.get("/api/v1/customers/search?" + query);
    assertEquals(200, r.status, r.toString());
    JsonArray items = r.json().getJsonArray("items");
    return items.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void lookupByExternalIdFindsTheCustomerExactlyAndCarriesTheKeyInTheAnswer() {
    String id = create("  CRM-000123 ", "Ana");
    create("crm-000123", "Other case");
    for (String key : new String[] {"CRM-000123", " CRM-000123\t"}) {
      for (int i = 0; i < 3; i++) {
        Reply<GetCustomerResponse> r = lookup(key, token);
        assertTrue(r.ok(), key + " -> " + r);
        assertEquals(id, r.body().getCustomerId(), "matched exactly after trimming; case counts");
        assertEquals("CRM-000123", r.body().getExternalId());
        assertEquals("Ana", r.body().getFirstName());
      }
    }
  }

  @Test
  void unknownOtherTenantsAndDeletedCustomersAreNotFound() {
    String id = create("ERP-9", "Ana");
    assertEquals(GrpcStatus.NOT_FOUND, lookup("ERP-10", token).status());
    Reply<GetCustomerResponse> other = lookup("ERP-9", app.token(UUID.randomUUID(), "customers:read"));
    assertEquals(GrpcStatus.NOT_FOUND, other.status(), "another organization's external id does not exist for it");
    assertTrue(lookup("ERP-9", token).ok());
    assertEquals(204, admin.delete("/api/v1/customers/" + id).status);
    assertEquals(GrpcStatus.NOT_FOUND, lookup("ERP-9", token).status(), "a deleted customer is gone at once, cache or not");
  }

  @Test
  void malformedKeysAreInvalidArgumentNamingTheField() {
    for (String bad : new String[] {"CRM\u00001", "", "   ", "x".repeat(101)}) {
      Reply<GetCustomerResponse> r = lookup(bad, token);
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.status(), bad.length() + " chars: " + r);
      assertTrue(r.message().startsWith("external_id"), r.message());
    }
    Reply<GetCustomerResponse> none = grpc.call(CustomerServiceGrpcClient.LookupCustomer, LookupCustomerRequest.getDefaultInstance(), token);
    assertEquals(GrpcStatus.INVALID_ARGUMENT, none.status());
    assertTrue(none.message().contains("external_id"), "the message lists the new key: " + none.message());
  }

  @Test
  void aChangedExternalIdIsNeverServedFromTheCache() {
    String id = create("CRM-OLD", "Ana");
    for (int i = 0; i < 3; i++) {
      assertTrue(lookup("CRM-OLD", token).ok());
    }
    assertEquals(200, admin.patch("/api/v1/customers/" + id, new JsonObject().put("external_id", "CRM-NEW"), null).status);
    assertEquals(GrpcStatus.NOT_FOUND, lookup("CRM-OLD", token).status(), "the old id no longer finds her");
    assertEquals(id, lookup("CRM-NEW", token).body().getCustomerId());
    String newcomer = create("CRM-OLD", "Berta");
    assertEquals(newcomer, lookup("CRM-OLD", token).body().getCustomerId(), "the key now points at whoever carries it");
  }

  @Test
  void anExternalIdTakenOverAfterADeleteFindsTheLiveCustomer() {
    String first = create("DUP-1", "First");
    assertEquals(first, lookup("DUP-1", token).body().getCustomerId());
    assertEquals(204, admin.delete("/api/v1/customers/" + first).status);
    String second = create("DUP-1", "Second");
    assertEquals(second, lookup("DUP-1", token).body().getCustomerId());
  }

  @Test
  void restSearchByExternalIdMatchesExactlyWithinTheOrganization() {
    String a = create("CRM-7", "Ana");
    create("CRM-70", "Carla");
    assertEquals(List.of(a), search(admin, "external_id=CRM-7"));
    assertEquals(List.of(a), search(admin, "external_id=%20CRM-7%20"));
    assertEquals(List.of(), search(admin, "external_id=crm-7"));
    assertEquals(List.of(), search(anonymous.as(app.token(UUID.randomUUID(), "customers:read")), "external_id=CRM-7"));
    assertEquals(204, admin.delete("/api/v1/customers/" + a).status);
    String b = create("CRM-7", "Bea");
    assertEquals(List.of(b), search(admin, "external_id=CRM-7"));
    assertEquals(List.of(a, b), search(admin, "external_id=CRM-7&include_deleted=true"));
    Http.Reply nul = admin.get("/api/v1/customers/search?external_id=CRM%007");
    assertEquals(400, nul.status, nul.toString());
    assertEquals("external_id", nul.error().getString("field"));
    Http.Reply blank = admin.get("/api/v1/customers/search?external_id=%20%20");
    assertEquals(400, blank.status, blank.toString());
    assertEquals("external_id", blank.error().getString("field"));
  }
}
