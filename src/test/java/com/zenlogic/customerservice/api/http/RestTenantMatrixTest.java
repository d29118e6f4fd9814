package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every REST operation of openapi.yaml, called with organization A's token (every permission) on
 * organization B's ids: 404, and not one of B's rows changes. Operations without an id act on A's own
 * organization: they must not show any of B's ids. Written from the document, so a new operation is in
 * the matrix the day it is added (give it a valid body in BODIES if the generated one is refused).
 */
class RestTenantMatrixTest {
  static final Set<String> ID_PARAMS = Set.of("id", "address_id", "program_id", "rule_id");

  static TestApp app;
  static RestFixtures a;
  static RestFixtures b;
  static List<ContractOperations.Op> ops;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("rest_tenants");
    a = RestFixtures.create(app);
    b = RestFixtures.create(app);
    ops = ContractOperations.load(app.vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** Bodies the domain accepts (the contract alone allows ones the rules refuse with 400 before any lookup). */
  static JsonObject body(ContractOperations.Op op) {
    JsonObject known = switch (op.id()) {
      case "createCustomer" -> new JsonObject().put("customer_type", "person").put("first_name", "Eva").put("last_name", "Soto");
      case "updateCustomer" -> new JsonObject().put("notes", "changed by another organization");
      case "addAddress", "replaceAddress" -> new JsonObject().put("kind", "billing").put("line1", "Calle Falsa 123");
      case "replacePreferences" -> new JsonObject().put("restrictions", new JsonArray().add("nuts"));
      case "earnPoints" -> new JsonObject().put("transaction_id", "x-earn").put("amount", "10");
      case "redeemPoints" -> new JsonObject().put("points", 1).put("reference_id", "x-redeem");
      case "adjustPoints" -> new JsonObject().put("points", 1).put("reason", "x");
      case "reversePoints" -> new JsonObject().put("reference", b.ids.get("transaction_id"));
      case "redeemPunchReward" -> new JsonObject().put("reference", "x-punch");
      case "createPunchProgram" -> new JsonObject().put("name", "Pan").put("category", "bread").put("stamps_required", 3).put("reward", "Pan");
      case "putLoyaltyProgram" -> a.http.get("/api/v1/loyalty/program").json();
      case "createCreditLine" -> new JsonObject().put("credit_limit", "100").put("currency", "CLP");
      case "changeCreditLine" -> new JsonObject().put("credit_limit", "900");
      case "useCredit" -> new JsonObject().put("order_id", "x-order").put("amount", "1");
      case "releaseCredit" -> new JsonObject().put("order_id", "fx-order");
      case "recordCreditPayment" -> new JsonObject().put("payment_reference", "x-pay").put("amount", "1");
      case "putCreditPolicy" -> new JsonObject().put("overdue_tolerance_days", 1).put("grace_days", 1);
      case "recordPurchase" -> new JsonObject().put("reference", "x-buy").put("amount", "1");
      case "createEarningRule", "replaceEarningRule" -> new JsonObject().put("name", "x").put("effect", new JsonObject().put("bonus_points", 5));
      case "previewPoints" -> new JsonObject().put("amount", "1");
      case "mergeCustomer" -> new JsonObject().put("into", java.util.UUID.randomUUID().toString());
      default -> null;
    };
    if (known != null || op.body() == null) {
      return known;
    }
    return (JsonObject) RestFuzzTest.valid(op.body(), new Random(op.id().hashCode()), 0);
  }

  /** True when the operation names one of the organization's rows (a path id, or a body reference to B's earn). */
  static boolean addressesARow(ContractOperations.Op op) {
    return op.params().stream().anyMatch(p -> p.in().equals("path") && ID_PARAMS.contains(p.name())) || op.id().equals("reversePoints");
  }

  static String path(ContractOperations.Op op, Map<String, String> ids) {
    String path = op.path();
    for (ContractOperations.Param p : op.in("path")) {
      String v = ids.containsKey(p.name()) ? ids.get(p.name()) : a.ids.get(p.name());
      path = path.replace("{" + p.name() + "}", URLEncoder.encode(v, StandardCharsets.UTF_8));
    }
    return path;
  }

  @Test
  void everyOperationWithAnotherOrganizationsIdsIs404AndChangesNothingThere() throws Exception {
    List<String> failures = new ArrayList<>();
    int calls = 0;
    int foreign = 0;
    try (Connection c = app.db.connectAs(app.db.owner().user(), app.db.owner().password())) {
      String before = RestFixtures.digest(c, b.org);
      for (ContractOperations.Op op : ops) {
        JsonObject body = body(op);
        List<Map<String, String>> variants = new ArrayList<>();
        if (addressesARow(op)) {
          // All of B's ids, then A's customer with B's sub-resource id (an address or program of B under A's customer).
          variants.add(b.ids);
          for (String sub : List.of("address_id", "program_id")) {
            if (op.in("path").stream().anyMatch(p -> p.name().equals(sub))) {
              Map<String, String> mixed = new LinkedHashMap<>(a.ids);
              mixed.put(sub, b.ids.get(sub));
              variants.add(mixed);
            }
          }
        } else {
          variants.add(a.ids);
        }
        for (Map<String, String> ids : variants) {
          String path = path(op, ids);
          Http.Reply r = a.http.send(op.method(), path, body == null ? null : body.encode(), null);
          calls++;
          String where = op.id() + " " + op.method() + " " + path + " -> " + r;
          if (addressesARow(op)) {
            foreign++;
            if (r.status != 404) {
              failures.add("expected 404: " + where);
            }
          } else if (r.status >= 500) {
            failures.add("5xx: " + where);
          }
          for (String id : List.of(b.ids.get("id"), b.ids.get("address_id"), b.ids.get("program_id"), b.ids.get("rule_id"))) {
            // A 404 may repeat the id that was asked for; any other of B's ids in an answer is a leak.
            if (r.body != null && r.body.contains(id) && !path.contains(id)) {
              failures.add("shows organization B's id " + id + ": " + where);
            }
          }
        }
      }
      String after = RestFixtures.digest(c, b.org);
      System.out.println("RestTenantMatrixTest: " + ops.size() + " operations, " + calls + " calls, " + foreign
          + " on organization B's ids; failures " + failures.size() + "; B's rows unchanged: " + before.equals(after));
      assertTrue(failures.isEmpty(), String.join("\n", failures));
      assertEquals(before, after, "organization B's rows changed");
      assertTrue(foreign >= 30, "the matrix covers the id-addressed operations: " + foreign);
    }
  }
}
