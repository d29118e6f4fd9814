package com.zenlogic.customerservice.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Duplicate candidates and customer merge against the real services: the reasons, what a merge
 * moves (exact figures), its replay and refusals, how a merged customer reads over REST and gRPC,
 * the customer.merged event, and Σ points / Σ credit over the two customers under concurrent
 * earns and redemptions.
 */
class MergeTest {
  static TestApp app;
  static GrpcTestClient grpc;

  UUID org;
  String token;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("merge", Map.of("LOYALTY_JOBS_FIRST_RUN_SECONDS", 1_000_000));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "customers:admin", "loyalty:read", "loyalty:write", "loyalty:admin",
        "credit:read", "credit:write", "credit:approve", "segments:read", "segments:admin");
    admin = new Http(app.config.httpPort()).as(token);
  }

  JsonObject create(JsonObject body) {
    Http.Reply r = admin.post("/api/v1/customers", body);
    assertEquals(201, r.status, r.toString());
    return r.json();
  }

  String person(String first, String last) {
    return create(new JsonObject().put("customer_type", "person").put("first_name", first).put("last_name", last)).getString("id");
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  String text(String query) {
    return app.db.scalar(org, query);
  }

  void adjust(String c, long points) {
    Http.Reply r = admin.post("/api/v1/customers/" + c + "/loyalty/adjust", new JsonObject().put("points", points).put("reason", "seed"));
    assertEquals(200, r.status, r.toString());
  }

  void earn(String c, String txn, String amount, JsonArray items) {
    JsonObject body = new JsonObject().put("transaction_id", txn).put("amount", amount);
    if (items != null) {
      body.put("items", items);
    }
    Http.Reply r = admin.post("/api/v1/customers/" + c + "/loyalty/earn", body);
    assertEquals(200, r.status, r.toString());
  }

  void address(String c, String line1, String city) {
    Http.Reply r = admin.post("/api/v1/customers/" + c + "/addresses", new JsonObject().put("kind", "shipping").put("line1", line1)
        .put("city", city).put("is_default", true));
    assertEquals(201, r.status, r.toString());
  }

  void creditLine(String c, String limit) {
    Http.Reply r = admin.post("/api/v1/customers/" + c + "/credit/line", new JsonObject().put("credit_limit", limit)
        .put("currency", "CLP").put("terms_days", 30));
    assertEquals(200, r.status, r.toString());
    assertEquals(200, admin.post("/api/v1/customers/" + c + "/credit/line/approve", null).status);
  }

  void useCredit(String c, String order, String amount) {
    Http.Reply r = admin.post("/api/v1/customers/" + c + "/credit/use", new JsonObject().put("order_id", order).put("amount", amount));
    assertEquals(200, r.status, r.toString());
  }

  Http.Reply merge(String merged, String into) {
    return admin.post("/api/v1/customers/" + merged + "/merge", new JsonObject().put("into", into));
  }

  /** Σ (balance = available + held + pending) over the customers. */
  long points(String... customers) {
    return sql("SELECT coalesce(sum(balance), 0) FROM loyalty_accounts WHERE customer_id IN (" + quoted(customers) + ")");
  }

  String outstanding(String... customers) {
    return text("SELECT coalesce(sum(outstanding), 0)::text FROM credit_lines WHERE customer_id IN (" + quoted(customers) + ")");
  }

  static String quoted(String... ids) {
    return String.join(", ", java.util.Arrays.stream(ids).map(i -> "'" + i + "'").toList());
  }

  /** Per customer: balance == Σ ledger points, held == Σ held deltas, pending == Σ pending deltas, lots == balance. */
  void assertLedgerMatches(String c) {
    String where = " WHERE customer_id = '" + c + "'";
    long balance = sql("SELECT coalesce(sum(balance), 0) FROM loyalty_accounts" + where);
    assertEquals(balance, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger" + where), "balance = Σ ledger of " + c);
    assertEquals(sql("SELECT coalesce(sum(held), 0) FROM loyalty_accounts" + where),
        sql("SELECT coalesce(sum(held_delta), 0) FROM loyalty_ledger" + where), "held = Σ held deltas of " + c);
    assertEquals(sql("SELECT coalesce(sum(pending), 0) FROM loyalty_accounts" + where),
        sql("SELECT coalesce(sum(pending_delta), 0) FROM loyalty_ledger" + where), "pending = Σ pending deltas of " + c);
    assertEquals(balance, sql("SELECT coalesce(sum(remaining), 0) FROM loyalty_lots" + where), "lots = balance of " + c);
  }

  @Test
  void candidatesComeWithTheirReasonsAndANewCustomerNamesItsPossibleDuplicates() {
    String ana = create(new JsonObject().put("customer_type", "person").put("first_name", "Ana").put("last_name", "Rojas Pérez")
        .put("email", "ana.rojas@gmail.com").put("phone", "+56941234567").put("document_type", "rut")
        .put("document_number", "12.345.678-5").put("loyalty_card", "000777123")).getString("id");
    address(ana, "Av. Providencia 1234", "Santiago");
    // Another organization's twin is never a candidate.
    Http other = new Http(app.config.httpPort()).as(app.token(UUID.randomUUID(), "customers:read", "customers:write"));
    assertEquals(201, other.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas").put("email", "anarojas+x@gmail.com")).status);

    JsonObject twin = create(new JsonObject().put("customer_type", "person").put("first_name", "Anita").put("last_name", "Rojas")
        .put("email", "AnaRojas+tienda@googlemail.com").put("phone", "+5491141234567").put("document_type", "passport")
        .put("document_number", "12345678K").put("loyalty_card", "777-123"));
    JsonArray possible = twin.getJsonArray("possible_duplicates");
    assertEquals(1, possible.size(), twin.encodePrettily());
    JsonObject hit = possible.getJsonObject(0);
    assertEquals(ana, hit.getString("id"));
    assertEquals(new JsonArray().add("same_document").add("same_card").add("same_email").add("same_phone"), hit.getJsonArray("reasons"));
    assertEquals(100, hit.getInteger("score"), "50 + 40 + 40 + 30, capped");

    String plain = create(new JsonObject().put("customer_type", "person").put("first_name", "Pedro").put("last_name", "Soto"))
        .getJsonArray("possible_duplicates").isEmpty() ? "none" : "some";
    assertEquals("none", plain);

    String namesake = person("Ana", "Rojas Peres");
    assertEquals(0, admin.get("/api/v1/customers/" + namesake + "/duplicates").json().getJsonArray("items").size(),
        "a similar name alone is not a candidate");
    address(namesake, "av providencia  1234", "SANTIAGO");
    JsonArray items = admin.get("/api/v1/customers/" + namesake + "/duplicates").json().getJsonArray("items");
    assertEquals(1, items.size(), items.encodePrettily());
    assertEquals(ana, items.getJsonObject(0).getString("id"));
    assertEquals(new JsonArray().add("similar_name_same_address"), items.getJsonObject(0).getJsonArray("reasons"));
    assertEquals(30, items.getJsonObject(0).getInteger("score"));

    JsonArray ofAna = admin.get("/api/v1/customers/" + ana + "/duplicates?limit=5").json().getJsonArray("items");
    assertEquals(List.of(twin.getString("id"), namesake), ofAna.stream().map(o -> ((JsonObject) o).getString("id")).toList(),
        "strongest first");
    assertEquals(404, other.get("/api/v1/customers/" + ana + "/duplicates").status, "another tenant's customer");
  }

  @Test
  void theCandidateQueryIsServedByIndexesTheTrigramOneForNames() throws Exception {
    String id = person("Ana", "Rojas");
    address(id, "Av. Providencia 1234", "Santiago");
    try (var c = app.db.connectAs(app.db.owner().user(), app.db.owner().password()); var st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      // 40000 other customers of the organization, so the planner has a real choice.
      st.execute("INSERT INTO customers (organization_id, id, customer_type, first_name, last_name, email, phone) SELECT '" + org
          + "', gen_random_uuid(), 'person', 'Nombre' || g, 'Apellido' || (g * 7919 % 100003), 'c' || g || '@x.cl', '+5698' || lpad(g::text, 7, '0')"
          + " FROM generate_series(1, 40000) g");
      // A bulk insert leaves the rows in the GIN's pending list (fastupdate), which VACUUM or autovacuum merges later.
      st.execute("SELECT gin_clean_pending_list('customers_org_name_trgm'), gin_clean_pending_list('customers_name_trgm')");
      st.execute("ANALYZE customers");
      // As the service runs it: the statement that reads the name also sets the planner for the transaction.
      st.execute(DuplicateCandidates.SEARCH_NAME.replace("$1", "'" + org + "'::uuid").replace("$2", "'" + id + "'::uuid"));
      StringBuilder plan = new StringBuilder();
      String sql = DuplicateCandidates.ALL.replace("$1", "'" + org + "'::uuid").replace("$2", "'" + id + "'::uuid").replace("$3", "10")
          .replace("$4", "'ana rojas'");
      try (var rs = st.executeQuery("EXPLAIN ANALYZE " + sql)) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      // What a create pays: the key-only query on the same 40000-customer tenant.
      StringBuilder keys = new StringBuilder();
      try (var rs = st.executeQuery("EXPLAIN ANALYZE " + DuplicateCandidates.KEYS_ONLY.replace("$1", "'" + org + "'::uuid")
          .replace("$2", "'" + id + "'::uuid").replace("$3", "5"))) {
        while (rs.next()) {
          keys.append(rs.getString(1)).append('\n');
        }
      }
      c.rollback();
      System.out.println("candidates (all branches): " + executionTime(plan.toString()) + "; at create (keys only): "
          + executionTime(keys.toString()));
      assertFalse(keys.toString().contains("Seq Scan on customers "), keys.toString());
      String text = plan.toString();
      assertTrue(text.contains("customers_org_name_trgm"), text);
      assertTrue(text.contains("customers_phone_key_idx") && text.contains("customers_email_key_idx"), text);
      assertFalse(text.contains("Seq Scan on customers "), text);
    }
  }

  static String executionTime(String plan) {
    return plan.lines().filter(l -> l.startsWith("Execution Time")).findFirst().orElse("?");
  }

  @Test
  void aMergeMovesPointsLotsHoldsStampsTierCreditPurchasesAddressesAndPreferencesWithExactFigures() {
    Http.Reply program = admin.post("/api/v1/loyalty/punch-card-programs", new JsonObject().put("name", "Café")
        .put("category", "coffee").put("stamps_required", 10).put("reward", "free coffee"));
    assertEquals(201, program.status, program.toString());
    String s = person("Ana", "Rojas");
    String m = person("Ana María", "Rojas");
    // Survivor: 8 stamps, 500 points (bronze).
    earn(s, "s-cafe", "8", new JsonArray().add(new JsonObject().put("category", "coffee").put("quantity", 8)));
    adjust(s, 492);
    // Merged: 4200 points earned (silver), then 200 pending with 3 stamps, and 300 held.
    earn(m, "m-big", "4200", null);
    JsonObject p = admin.get("/api/v1/loyalty/program").json().put("pending_days", 7);
    assertEquals(200, admin.put("/api/v1/loyalty/program", p).status);
    earn(m, "m-cafe", "200", new JsonArray().add(new JsonObject().put("category", "coffee").put("quantity", 3)));
    var hold = grpc.call(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(m).setPoints(300)
        .setReferenceId("pos-1").build(), token);
    assertTrue(hold.ok(), hold.toString());
    assertEquals("silver", text("SELECT tier FROM loyalty_accounts WHERE customer_id = '" + m + "'"));
    String lotsBefore = text("SELECT string_agg(remaining || '@' || coalesce(expires_at::text, '-') || '/' || "
        + "coalesce(pending_until::text, '-'), ',' ORDER BY id) FROM loyalty_lots WHERE customer_id = '" + m + "' AND remaining > 0");
    // Credit on the merged customer only; purchases on both; an address and preferences on both.
    creditLine(m, "100000.00");
    useCredit(m, "o-1", "2500.50");
    useCredit(m, "o-2", "1000.00");
    for (String[] buy : new String[][] {{s, "p-s1", "10.00"}, {m, "p-m1", "20.00"}, {m, "p-m2", "30.50"}}) {
      assertEquals(201, admin.post("/api/v1/customers/" + buy[0] + "/purchases", new JsonObject().put("reference", buy[1])
          .put("amount", buy[2]).put("occurred_at", "2026-11-01T10:00:00Z")).status);
    }
    address(s, "Calle Uno 1", "Santiago");
    address(m, "Calle Dos 2", "Santiago");
    assertEquals(200, admin.put("/api/v1/customers/" + s + "/preferences", new JsonObject()
        .put("favourite_channels", new JsonArray().add("pos")).put("marketing_consent", new JsonObject().put("email", true).put("sms", true)))
        .status);
    assertEquals(200, admin.put("/api/v1/customers/" + m + "/preferences", new JsonObject()
        .put("favourite_channels", new JsonArray().add("online")).put("marketing_consent", new JsonObject().put("sms", false)))
        .status);
    long pointsBefore = points(s, m);
    String creditBefore = outstanding(s, m);
    assertEquals(500 + 4200 + 200, pointsBefore);
    long purchasesOfM = sql("SELECT count(*) FROM purchases WHERE customer_id = '" + m + "'");
    long purchasesOfBoth = sql("SELECT count(*) FROM purchases WHERE customer_id IN (" + quoted(s, m) + ")");
    String spentByBoth = text("SELECT sum(amount)::text FROM purchases WHERE customer_id IN (" + quoted(s, m) + ")");
    assertTrue(purchasesOfM >= 2, "the two recorded purchases at least");

    Http.Reply merged = merge(m, s);
    assertEquals(200, merged.status, merged.toString());
    JsonObject r = merged.json();
    assertEquals(false, r.getBoolean("replayed"));
    assertEquals(new JsonObject().put("balance", 4400).put("available", 3900).put("held", 300).put("pending", 200).put("lots", 2)
        .put("open_holds", 1).put("lifetime", 4400), r.getJsonObject("points_moved"));
    assertEquals("silver", r.getString("tier_after"), "the higher tier");
    assertEquals(3, r.getInteger("punch_card_stamps_moved"));
    assertEquals(new JsonObject().put("line", true).put("outstanding", "3500.50").put("credit_balance", "0.00").put("charges", 2),
        r.getJsonObject("credit_moved"));
    assertEquals(purchasesOfM, r.getLong("purchases_moved"));
    assertEquals(1, r.getInteger("addresses_moved"));
    assertEquals(true, r.getBoolean("preferences_moved"));

    // Σ before = after, and each account agrees with its own ledger and lots.
    assertEquals(pointsBefore, points(s, m));
    assertEquals(creditBefore, outstanding(s, m));
    assertEquals(4900, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + s + "'"));
    assertEquals(300, sql("SELECT held FROM loyalty_accounts WHERE customer_id = '" + s + "'"));
    assertEquals(200, sql("SELECT pending FROM loyalty_accounts WHERE customer_id = '" + s + "'"));
    assertEquals(0, points(m));
    assertLedgerMatches(s);
    assertLedgerMatches(m);
    assertEquals(lotsBefore, text("SELECT string_agg(remaining || '@' || coalesce(expires_at::text, '-') || '/' || "
        + "coalesce(pending_until::text, '-'), ',' ORDER BY id) FROM loyalty_lots WHERE customer_id = '" + s + "' AND remaining > 0 "
        + "AND ledger_id IN (SELECT id FROM loyalty_ledger WHERE customer_id = '" + m + "')"), "lots keep their dates");
    assertEquals(s, text("SELECT customer_id::text FROM loyalty_holds WHERE reference = 'pos-1'"));
    // The history stays on the merged customer's rows and shows in the survivor's ledger.
    JsonArray ledger = admin.get("/api/v1/customers/" + s + "/loyalty/ledger?limit=100").json().getJsonArray("items");
    assertTrue(ledger.stream().map(JsonObject.class::cast).anyMatch(e -> "m-big".equals(e.getString("reference"))), ledger.encode());
    // Punch card: 8 + 3 stamps = one reward and 1 stamp.
    JsonObject card = admin.get("/api/v1/customers/" + s + "/punch-cards").json().getJsonArray("items").getJsonObject(0);
    assertEquals(1, card.getInteger("stamps"));
    assertEquals(1, card.getInteger("rewards_available"));
    // Credit: the line and its charges are the survivor's now.
    JsonObject credit = admin.get("/api/v1/customers/" + s + "/credit").json();
    assertEquals("3500.50", credit.getString("outstanding"), credit.encode());
    assertEquals(2, sql("SELECT count(*) FROM credit_charges WHERE customer_id = '" + s + "'"));
    // Purchases and statistics.
    JsonObject stats = admin.get("/api/v1/customers/" + s + "/stats").json();
    assertEquals(purchasesOfBoth, stats.getLong("order_count"), stats.encode());
    assertEquals(purchasesOfBoth, sql("SELECT count(*) FROM purchases WHERE customer_id = '" + s + "'"));
    assertEquals(spentByBoth, text("SELECT total_spent::text FROM customer_stats WHERE customer_id = '" + s + "'"));
    assertEquals(0, sql("SELECT purchase_count FROM customer_stats WHERE customer_id = '" + m + "'"));
    // Addresses: both, the survivor's default kept.
    JsonArray addresses = admin.get("/api/v1/customers/" + s + "/addresses").json().getJsonArray("items");
    assertEquals(2, addresses.size());
    assertEquals(List.of("Calle Uno 1"), addresses.stream().map(JsonObject.class::cast).filter(a -> a.getBoolean("is_default"))
        .map(a -> a.getString("line1")).toList());
    // Preferences: the merged customer's were written last; each consent is the latest given.
    JsonObject prefs = admin.get("/api/v1/customers/" + s + "/preferences").json();
    assertEquals(new JsonArray().add("online"), prefs.getJsonArray("favourite_channels"), prefs.encode());
    JsonObject consent = prefs.getJsonObject("marketing_consent");
    assertEquals(true, consent.getJsonObject("email").getBoolean("granted"), consent.encode());
    assertEquals(false, consent.getJsonObject("sms").getBoolean("granted"), consent.encode());
    // The held points are capturable on the survivor.
    var capture = grpc.call(CustomerServiceGrpcClient.CaptureLoyaltyHold,
        com.zenlogic.customerservice.api.grpc.v1.LoyaltyHoldRequest.newBuilder().setHoldId(hold.body().getHoldId()).build(), token);
    assertTrue(capture.ok(), capture.toString());
    assertEquals(4600, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + s + "'"));
    assertLedgerMatches(s);
  }

  @Test
  void theTierIsReEvaluatedOnTheJoinedHistory() {
    String s = person("Luis", "Mora");
    String m = person("Luis", "Mora Díaz");
    earn(s, "s-1", "3000", null);
    earn(m, "m-1", "2500", null);
    assertEquals("silver", text("SELECT tier FROM loyalty_accounts WHERE customer_id = '" + s + "'"));
    Http.Reply r = merge(m, s);
    assertEquals(200, r.status, r.toString());
    assertEquals("gold", r.json().getString("tier_after"), "5500 qualifying points together");
    assertEquals("gold", text("SELECT tier FROM loyalty_accounts WHERE customer_id = '" + s + "'"));
  }

  @Test
  void mergingTheSamePairAgainReplaysTheFirstResultAndChangesNothing() {
    String s = person("Eva", "Lagos");
    String m = person("Eva", "Lagos");
    adjust(m, 700);
    Http.Reply first = merge(m, s);
    assertEquals(200, first.status, first.toString());
    long rows = sql("SELECT count(*) FROM loyalty_ledger");
    long events = sql("SELECT count(*) FROM outbox WHERE event_type = 'customer.merged'");
    // Audited by V16's triggers in the merge's transaction: the merged customer's row turned merged, by whom.
    assertEquals(1, sql("SELECT count(*) FROM customer_audit WHERE customer_id = '" + m + "' AND entity = 'customer'"
        + " AND after->>'status' = 'merged' AND after->>'merged_into' = '" + s + "' AND actor LIKE 'user:%'"));
    long audits = sql("SELECT count(*) FROM customer_audit");
    Http.Reply again = merge(m, s);
    assertEquals(200, again.status, again.toString());
    assertEquals(true, again.json().getBoolean("replayed"));
    assertEquals(first.json().put("replayed", true), again.json());
    assertEquals(rows, sql("SELECT count(*) FROM loyalty_ledger"));
    assertEquals(events, sql("SELECT count(*) FROM outbox WHERE event_type = 'customer.merged'"));
    assertEquals(audits, sql("SELECT count(*) FROM customer_audit"));
    assertEquals(700, points(s));
  }

  @Test
  void refusalsAreClearAndChangeNothing() {
    String a = person("Rosa", "Díaz");
    String b = person("Rosa", "Díaz");
    creditLine(a, "1000.00");
    creditLine(b, "2000.00");
    adjust(a, 100);
    Http.Reply both = merge(a, b);
    assertEquals(422, both.status, both.toString());
    assertEquals("MERGE_CREDIT_CONFLICT", both.error().getString("code"));
    assertTrue(both.error().getString("message").contains("both customers have an open credit line"), both.toString());
    assertEquals("active", admin.get("/api/v1/customers/" + a).json().getString("status"));
    assertEquals(100, points(a));

    Http.Reply self = merge(a, a);
    assertEquals(400, self.status, self.toString());
    assertEquals("into", self.error().getString("field"));
    assertEquals(400, admin.post("/api/v1/customers/" + a + "/merge", new JsonObject()).status, "into is required");
    assertEquals(400, admin.post("/api/v1/customers/" + a + "/merge", new JsonObject().put("into", "nope")).status);

    String c = person("Rosa", "Díaz");
    String d = person("Rosa", "Díaz");
    assertEquals(200, merge(c, d).status);
    Http.Reply intoMerged = merge(a, c);
    assertEquals(422, intoMerged.status, intoMerged.toString());
    assertEquals("MERGE_TARGET_NOT_LIVE", intoMerged.error().getString("code"));
    assertTrue(intoMerged.error().getString("message").contains(d), "names where it went: " + intoMerged);
    Http.Reply elsewhere = merge(c, a);
    assertEquals(409, elsewhere.status, elsewhere.toString());
    assertEquals("MERGE_CONFLICT", elsewhere.error().getString("code"));

    String gone = person("Rosa", "Díaz");
    assertEquals(204, admin.delete("/api/v1/customers/" + gone).status);
    assertEquals("MERGE_TARGET_NOT_LIVE", merge(a, gone).error().getString("code"));

    String stranger = new Http(app.config.httpPort()).as(app.token(UUID.randomUUID(), "customers:read", "customers:write"))
        .post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "X").put("last_name", "Y"))
        .json().getString("id");
    assertEquals(404, merge(a, stranger).status, "another organization's survivor");
    assertEquals(404, merge(stranger, a).status, "another organization's customer");

    Http writer = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write"));
    assertEquals(403, writer.post("/api/v1/customers/" + a + "/merge", new JsonObject().put("into", b)).status, "needs customers:admin");
  }

  @Test
  void aMergedCustomerReadsAsMergedAndItsKeysFindTheSurvivor() throws Exception {
    String s = person("Tomás", "Vera");
    String m = create(new JsonObject().put("customer_type", "person").put("first_name", "Tomas").put("last_name", "Vera")
        .put("phone", "+56987654321").put("email", "tomas@vera.cl").put("loyalty_card", "CARD9001")).getString("id");
    adjust(m, 250);
    // Warm the gRPC cache for the merged customer and its phone.
    assertTrue(grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(m).build(), token).ok());
    assertTrue(grpc.call(CustomerServiceGrpcClient.LookupCustomer, LookupCustomerRequest.newBuilder().setPhone("987654321").build(), token)
        .ok());
    assertEquals(200, merge(m, s).status);

    Http.Reply read = admin.get("/api/v1/customers/" + m);
    assertEquals(200, read.status, read.toString());
    assertEquals("merged", read.json().getString("status"));
    assertEquals(s, read.json().getString("merged_into"));

    var got = grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(m).build(), token);
    assertEquals(GrpcStatus.NOT_FOUND, got.status(), got.toString());
    assertTrue(got.message().contains(s), got.message());

    for (LookupCustomerRequest key : List.of(LookupCustomerRequest.newBuilder().setPhone("987654321").build(),
        LookupCustomerRequest.newBuilder().setEmail("TOMAS@vera.cl").build(), LookupCustomerRequest.newBuilder().setLoyaltyCard("card9001").build())) {
      var found = grpc.call(CustomerServiceGrpcClient.LookupCustomer, key, token);
      assertTrue(found.ok(), key + " " + found);
      assertEquals(s, found.body().getCustomerId());
      assertEquals(250, found.body().getLoyalty().getPointsBalance());
    }
    JsonArray byPhone = admin.get("/api/v1/customers/search?phone=987654321").json().getJsonArray("items");
    assertEquals(List.of(s), byPhone.stream().map(o -> ((JsonObject) o).getString("id")).toList());
    JsonArray byEmail = admin.get("/api/v1/customers/search?email=tomas@vera.cl").json().getJsonArray("items");
    assertEquals(List.of(s), byEmail.stream().map(o -> ((JsonObject) o).getString("id")).toList());
    // The merged customer takes no new points.
    assertEquals(404, admin.post("/api/v1/customers/" + m + "/loyalty/earn", new JsonObject().put("transaction_id", "late").put("amount", "5"))
        .status);

    // The event, with its figures.
    JsonObject event = new JsonObject(text("SELECT payload::text FROM outbox WHERE event_type = 'customer.merged'"));
    JsonObject data = event.getJsonObject("data");
    assertEquals(m, data.getString("merged_id"));
    assertEquals(s, data.getString("survivor_id"));
    assertEquals(250, data.getJsonObject("points_moved").getLong("balance"));
    assertEquals(false, data.getJsonObject("credit_moved").getBoolean("line"));
    assertFalse(data.containsKey("replayed"));
    assertEquals(1, sql("SELECT count(*) FROM customer_merges WHERE merged_id = '" + m + "' AND survivor_id = '" + s + "'"));
  }

  @Test
  void pointsAndCreditAddUpExactlyWithConcurrentEarnsAndRedemptionsDuringTheMerge() throws Exception {
    for (int round = 0; round < 3; round++) {
      String s = person("Sara", "Núñez");
      String m = person("Sara", "Nuñez");
      adjust(s, 5000);
      adjust(m, 5000);
      creditLine(m, "50000.00");
      useCredit(m, "c-" + round, "1234.56");
      long pointsBefore = points(s, m);
      String creditBefore = outstanding(s, m);
      Http http = new Http(app.config.httpPort()).as(token);
      List<CompletableFuture<Http.Reply>> ops = new ArrayList<>();
      List<long[]> effects = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String who = i % 2 == 0 ? m : s;
        boolean earning = i % 3 != 0;
        String path = "/api/v1/customers/" + who + "/loyalty/" + (earning ? "earn" : "redeem");
        JsonObject body = earning ? new JsonObject().put("transaction_id", "t-" + round + "-" + i).put("amount", String.valueOf(10 + i))
            : new JsonObject().put("points", 100 + i).put("reference_id", "r-" + round + "-" + i);
        effects.add(new long[] {earning ? 10 + i : -(100 + i)});
        ops.add(http.sendAsync("POST", path, body.encode(), null));
        if (i == 8) {
          ops.add(http.sendAsync("POST", "/api/v1/customers/" + m + "/merge", new JsonObject().put("into", s).encode(), null));
          effects.add(new long[] {0});
        }
      }
      long applied = 0;
      boolean mergedOk = false;
      for (int i = 0; i < ops.size(); i++) {
        Http.Reply r = ops.get(i).get();
        assertTrue(r.status == 200 || r.status == 404, r.toString());
        if (r.status == 200) {
          applied += effects.get(i)[0];
          mergedOk |= r.body.contains("\"survivor_id\"");
        }
      }
      assertTrue(mergedOk, "the merge went through");
      assertEquals(pointsBefore + applied, points(s, m), "Σ points over both customers, round " + round);
      assertEquals(0, points(m), "nothing lands on the merged customer");
      assertEquals(creditBefore, outstanding(s, m));
      assertLedgerMatches(s);
      assertLedgerMatches(m);
    }
  }
}
