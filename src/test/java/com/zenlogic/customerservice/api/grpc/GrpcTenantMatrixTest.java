package com.zenlogic.customerservice.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceProto;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditRequest;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.RawGrpc;
import com.zenlogic.customerservice.support.RawGrpc.Answer;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every RPC of customer.v1.CustomerService, enumerated from the service descriptor (a new RPC is
 * covered without a change here), called with organization A's token on organization B's real
 * customers, hold and order: NOT_FOUND every time, and B's rows unchanged byte for byte.
 */
class GrpcTenantMatrixTest {
  static final String[] TABLES = {"customers", "loyalty_accounts", "loyalty_ledger", "loyalty_lots", "loyalty_holds",
      "credit_lines", "credit_charges", "credit_ledger", "customer_stats", "purchases"};
  static final String[] ALL = {"customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin",
      "credit:read", "credit:write", "credit:approve", "segments:read"};

  static TestApp app;
  static RawGrpc raw;
  static UUID orgA = UUID.randomUUID();
  static UUID orgB = UUID.randomUUID();
  static String tokenA;
  static String tokenB;
  static String person;
  static String company;
  static String hold;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("grpctenant");
    raw = new RawGrpc(app.vertx, app.config.grpcPort());
    tokenA = app.token(orgA, ALL);
    tokenB = app.token(orgB, ALL);
    Http b = new Http(app.config.httpPort()).as(tokenB);
    person = b.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Bea").put("last_name", "Soto")
        .put("document_type", "rut").put("document_number", "12.345.678-5").put("phone", "+56 9 4123 4567")
        .put("email", "bea@example.cl").put("loyalty_card", "B-CARD-1")).json().getString("id");
    company = b.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", "Constructora B"))
        .json().getString("id");
    assertEquals(200, b.post("/api/v1/customers/" + company + "/credit/line", new JsonObject().put("credit_limit", "100000")
        .put("currency", "CLP").put("terms_days", 30)).status);
    assertEquals(200, b.post("/api/v1/customers/" + company + "/credit/line/approve", null).status);
    assertEquals(0, callB("AddLoyaltyPoints", AddPointsRequest.newBuilder().setCustomerId(person).setTransactionId("b-t1")
        .setAmount(1000).setPointsRate(1).build().toByteArray()).status());
    Answer held = callB("HoldLoyaltyPoints", HoldPointsRequest.newBuilder().setCustomerId(person).setPoints(100)
        .setReferenceId("b-hold").build().toByteArray());
    assertEquals(0, held.status(), held.toString());
    hold = HoldPointsResponse.parseFrom(held.messages().get(0)).getHoldId();
    assertEquals(0, callB("UseCreditLimit", UseCreditRequest.newBuilder().setCustomerId(company).setOrderId("b-order-1")
        .setAmount(5000).build().toByteArray()).status());
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    app.close();
  }

  static Answer callB(String method, byte[] message) {
    return raw.call(method, Map.of("authorization", "Bearer " + tokenB), RawGrpc.frame(false, message));
  }

  /** B's data as text, table by table, read in B's tenant scope. */
  static Map<String, String> snapshotOfB() {
    Map<String, String> s = new LinkedHashMap<>();
    for (String table : TABLES) {
      s.put(table, app.db.scalar(orgB, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM "
          + table + " t"));
    }
    return s;
  }

  /** A request for {@code method} naming B's things: its customer (the company for credit), hold and order. */
  static DynamicMessage aimedAtB(MethodDescriptor method) {
    Descriptor type = method.getInputType();
    String customer = method.getName().contains("Credit") ? company : person;
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    for (FieldDescriptor f : type.getFields()) {
      if (f.getRealContainingOneof() != null && !f.getName().equals("document_number")) {
        continue;
      }
      Object value = switch (f.getName()) {
        case "organization_id" -> "";
        case "customer_id" -> customer;
        case "from_customer_id" -> person;
        case "to_customer_id" -> company;
        case "hold_id" -> hold;
        case "order_id" -> "b-order-1";
        case "document_number" -> "12.345.678-5";
        case "transaction_id", "reference_id", "payment_reference" -> "a-" + method.getName();
        case "reference" -> "b-t1";
        case "amount" -> 10.0;
        case "points" -> 100L;
        case "points_rate" -> 1.0;
        default -> switch (f.getJavaType()) {
          case STRING -> customer;
          case LONG -> 1L;
          case INT -> 1;
          case DOUBLE -> 1.0;
          case BOOLEAN -> true;
          default -> null;
        };
      };
      if (value != null && !f.isRepeated()) {
        b.setField(f, value);
      }
    }
    return b.build();
  }

  @Test
  void everyRpcWithOrganizationAsTokenOnOrganizationBsIdsIsNotFoundAndChangesNothing() {
    List<MethodDescriptor> methods = CustomerServiceProto.getDescriptor().findServiceByName("CustomerService").getMethods();
    Map<String, String> before = snapshotOfB();
    List<String> wrong = new ArrayList<>();
    for (MethodDescriptor method : methods) {
      Answer a = raw.call(method.getName(), Map.of("authorization", "Bearer " + tokenA), RawGrpc.frame(false, aimedAtB(method).toByteArray()));
      if (a.status() == null || a.status() != GrpcStatus.NOT_FOUND.code) {
        wrong.add(method.getName() + ": " + a);
      }
    }
    assertEquals(before, snapshotOfB(), "B's rows changed");
    System.out.println("Tenant matrix: " + methods.size() + " RPCs with A's token on B's ids, " + wrong.size() + " not NOT_FOUND");
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));

    // The same requests with B's own token find what they name: the NOT_FOUNDs above were about the tenant.
    List<String> vacuous = new ArrayList<>();
    for (MethodDescriptor method : methods) {
      Answer a = callB(method.getName(), aimedAtB(method).toByteArray());
      if (a.status() == null || a.status() == GrpcStatus.NOT_FOUND.code) {
        vacuous.add(method.getName() + ": " + a);
      }
    }
    assertTrue(vacuous.isEmpty(), "B's own token should find these:\n" + String.join("\n", vacuous));
  }
}
