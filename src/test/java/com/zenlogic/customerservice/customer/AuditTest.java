package com.zenlogic.customerservice.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit of profile, address and preference changes (V16 triggers), the consent history, the
 * data-protection export and what an erasure leaves in them, over REST against the real database.
 */
class AuditTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String[] ALL = {"customers:read", "customers:write", "customers:admin", "loyalty:read", "loyalty:write",
      "credit:read", "credit:approve", "segments:read"};
  static TestApp app;

  UUID org;
  String token;
  Http http;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("audit", Map.of("CACHE_KEY_PREFIX", "test-" + UUID.randomUUID()));
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, ALL);
    http = new Http(app.config.httpPort()).as(token);
  }

  /** A request with its own X-Correlation-Id (the support client sends none). */
  Sent send(String method, String path, JsonObject body, String correlationId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.config.httpPort() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
        .header("Authorization", "Bearer " + token).header("X-Correlation-Id", correlationId);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Sent(r.statusCode(), r.body());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    }
  }

  record Sent(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  String customer(String correlationId) {
    return customer(correlationId, "ana@example.cl", "+56 9 4123 4567");
  }

  String customer(String correlationId, String email, String phone) {
    Sent r = send("POST", "/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Pérez").put("email", email).put("phone", phone), correlationId);
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  JsonArray audit(String id) {
    Http.Reply r = http.get("/api/v1/customers/" + id + "/audit?limit=200");
    assertEquals(200, r.status, r.toString());
    assertNull(r.json().getValue("next_cursor"));
    return r.json().getJsonArray("items");
  }

  JsonArray consents(String id) {
    Http.Reply r = http.get("/api/v1/customers/" + id + "/consents/history?limit=200");
    assertEquals(200, r.status, r.toString());
    return r.json().getJsonArray("items");
  }

  static JsonObject row(String entity, String entityId, String action, JsonObject before, JsonObject after, String correlationId) {
    return new JsonObject().put("entity", entity).put("entity_id", entityId).put("action", action).put("before", before)
        .put("after", after).put("actor", "user:tester").put("correlation_id", correlationId).put("redacted", false);
  }

  /** The row without what the database assigns (id, occurred_at), checked separately. */
  static JsonObject comparable(Object row) {
    JsonObject r = ((JsonObject) row).copy();
    assertTrue(r.getLong("id") > 0);
    assertNotNull(java.time.Instant.parse(r.getString("occurred_at")));
    r.remove("id");
    r.remove("occurred_at");
    return r;
  }

  @Test
  void creatingAndChangingAProfileWritesOneRowEachWithTheChangedColumnsTheActorAndTheCorrelationId() {
    String id = customer("corr-create");
    String phone = http.get("/api/v1/customers/" + id).json().getString("phone");
    assertEquals(200, send("PATCH", "/api/v1/customers/" + id, new JsonObject().put("email", "ana.perez@example.cl")
        .put("notes", "prefers mornings"), "corr-update").status);
    // A patch that changes nothing is no change: no row.
    assertEquals(200, send("PATCH", "/api/v1/customers/" + id, new JsonObject().put("email", "ana.perez@example.cl"), "corr-same").status);

    JsonArray rows = audit(id);
    assertEquals(2, rows.size(), rows.encodePrettily());
    assertEquals(row("customer", id, "updated", new JsonObject().put("email", "ana@example.cl").putNull("notes"),
        new JsonObject().put("email", "ana.perez@example.cl").put("notes", "prefers mornings"), "corr-update"), comparable(rows.getValue(0)));
    assertEquals(row("customer", id, "created", new JsonObject(), new JsonObject().put("customer_type", "person")
        .put("first_name", "Ana").put("last_name", "Pérez").put("email", "ana@example.cl").put("phone", phone)
        .put("status", "active").put("tags", new JsonArray()), "corr-create"), comparable(rows.getValue(1)));
    assertTrue(rows.getJsonObject(0).getLong("id") > rows.getJsonObject(1).getLong("id"), "newest first");

    assertEquals(204, send("DELETE", "/api/v1/customers/" + id, null, "corr-delete").status);
    JsonObject deleted = audit(id).getJsonObject(0);
    assertEquals("updated", deleted.getString("action"));
    assertEquals(new JsonObject().put("status", "active").putNull("deleted_at"), deleted.getJsonObject("before"));
    assertEquals("deleted", deleted.getJsonObject("after").getString("status"));
    assertEquals("corr-delete", deleted.getString("correlation_id"));
  }

  @Test
  void addingReplacingAndRemovingAnAddressAreAuditedWithExactValues() {
    String id = customer("c0");
    JsonObject input = new JsonObject().put("kind", "shipping").put("line1", "Av. Providencia 1234").put("city", "Santiago")
        .put("country", "CL");
    Sent added = send("POST", "/api/v1/customers/" + id + "/addresses", input, "corr-add");
    assertEquals(201, added.status, added.toString());
    String addressId = added.json().getString("id");
    assertEquals(200, send("PUT", "/api/v1/customers/" + id + "/addresses/" + addressId, input.copy().put("city", "Valparaíso")
        .put("is_default", true), "corr-move").status);
    assertEquals(204, send("DELETE", "/api/v1/customers/" + id + "/addresses/" + addressId, null, "corr-remove").status);

    JsonArray rows = audit(id);
    assertEquals(4, rows.size(), rows.encodePrettily());
    JsonObject whole = new JsonObject().put("kind", "shipping").put("line1", "Av. Providencia 1234").put("city", "Valparaíso")
        .put("country", "CL").put("is_default", true);
    assertEquals(row("address", addressId, "deleted", whole, new JsonObject(), "corr-remove"), comparable(rows.getValue(0)));
    assertEquals(row("address", addressId, "updated", new JsonObject().put("city", "Santiago"),
        new JsonObject().put("city", "Valparaíso"), "corr-move"), comparable(rows.getValue(1)));
    assertEquals(row("address", addressId, "created", new JsonObject(), whole.copy().put("city", "Santiago"), "corr-add"),
        comparable(rows.getValue(2)));
  }

  @Test
  void everyGrantAndWithdrawalOfConsentIsKeptAndPreferenceChangesAreAudited() {
    String id = customer("c0");
    String path = "/api/v1/customers/" + id + "/preferences";
    JsonObject first = prefs(path, new JsonObject().put("email", true).put("sms", false), "corr-p1");
    JsonObject second = prefs(path, new JsonObject().put("email", false), "corr-p2");
    JsonObject third = prefs(path, new JsonObject().put("email", true), "corr-p3");
    prefs(path, new JsonObject().put("email", true), "corr-p4");

    JsonArray history = consents(id);
    assertEquals(4, history.size(), history.encodePrettily());
    String at1 = first.getJsonObject("marketing_consent").getJsonObject("email").getString("updated_at");
    assertEquals(List.of("email:true@corr-p3", "email:false@corr-p2", "sms:false@corr-p1", "email:true@corr-p1"),
        history.stream().map(o -> (JsonObject) o).map(o -> o.getString("channel") + ":" + o.getBoolean("granted") + "@"
            + o.getString("correlation_id")).toList());
    assertEquals(at1, history.getJsonObject(3).getString("occurred_at"));
    assertEquals(second.getJsonObject("marketing_consent").getJsonObject("email").getString("updated_at"),
        history.getJsonObject(1).getString("occurred_at"));
    history.forEach(o -> assertEquals("user:tester", ((JsonObject) o).getString("actor")));

    Http.Reply page1 = http.get("/api/v1/customers/" + id + "/consents/history?limit=3");
    assertEquals(3, page1.json().getJsonArray("items").size());
    Http.Reply page2 = http.get("/api/v1/customers/" + id + "/consents/history?limit=3&cursor=" + page1.json().getString("next_cursor"));
    assertEquals(new JsonArray().add(history.getValue(3)), page2.json().getJsonArray("items"));
    assertNull(page2.json().getValue("next_cursor"));

    JsonArray rows = audit(id);
    assertEquals(4, rows.size(), "created, two updates, the customer; the repeated consent changed nothing: " + rows.encodePrettily());
    assertEquals(row("preferences", id, "updated",
        new JsonObject().put("marketing_consent", second.getJsonObject("marketing_consent")),
        new JsonObject().put("marketing_consent", third.getJsonObject("marketing_consent")), "corr-p3"), comparable(rows.getValue(0)));
    assertEquals(row("preferences", id, "created", new JsonObject(), new JsonObject()
        .put("favourite_channels", new JsonArray().add("pos")).put("categories_of_interest", new JsonArray())
        .put("restrictions", new JsonArray()).put("marketing_consent", first.getJsonObject("marketing_consent")), "corr-p1"),
        comparable(rows.getValue(2)));
  }

  JsonObject prefs(String path, JsonObject consent, String correlationId) {
    Sent r = send("PUT", path, new JsonObject().put("favourite_channels", new JsonArray().add("pos"))
        .put("categories_of_interest", new JsonArray()).put("restrictions", new JsonArray()).put("marketing_consent", consent), correlationId);
    assertEquals(200, r.status, r.toString());
    return r.json();
  }

  @Test
  void theAuditPagesNewestFirstWithoutGapsOrRepeats() {
    String id = customer("c0");
    for (int i = 0; i < 6; i++) {
      assertEquals(200, send("PATCH", "/api/v1/customers/" + id, new JsonObject().put("notes", "note " + i), "corr-" + i).status);
    }
    List<Long> ids = new ArrayList<>();
    List<String> pages = new ArrayList<>();
    String cursor = null;
    do {
      Http.Reply r = http.get("/api/v1/customers/" + id + "/audit?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, r.status, r.toString());
      JsonArray items = r.json().getJsonArray("items");
      pages.add(String.valueOf(items.size()));
      items.forEach(o -> ids.add(((JsonObject) o).getLong("id")));
      cursor = r.json().getString("next_cursor");
    } while (cursor != null);
    assertEquals(List.of("3", "3", "1"), pages);
    assertEquals(7, new HashSet<>(ids).size());
    List<Long> sorted = new ArrayList<>(ids);
    sorted.sort(java.util.Comparator.reverseOrder());
    assertEquals(sorted, ids);

    Http.Reply bad = http.get("/api/v1/customers/" + id + "/audit?cursor=bm9wZQ");
    assertEquals(400, bad.status);
    assertEquals("cursor", bad.error().getString("field"));
    String other = customer("c1", "otra@example.cl", "+56 9 4123 4568");
    String cursorOfOther = http.get("/api/v1/customers/" + other + "/audit?limit=1").json().getString("next_cursor");
    assertEquals(400, http.get("/api/v1/customers/" + id + "/audit?cursor=" + cursorOfOther).status, "a cursor belongs to its customer");
    assertEquals(400, http.get("/api/v1/customers/" + id + "/audit?limit=201").status);
  }

  @Test
  void anotherOrganizationsCustomerIsNotFoundAndTheAuditNeedsTheAdminPermission() {
    String id = customer("c0");
    Http otherOrg = new Http(app.config.httpPort()).as(app.token(UUID.randomUUID(), ALL));
    for (String path : List.of("/audit", "/consents/history", "/export")) {
      Http.Reply r = otherOrg.get("/api/v1/customers/" + id + path);
      assertEquals(404, r.status, path + " " + r);
      assertEquals("CUSTOMER_NOT_FOUND", r.error().getString("code"));
      assertEquals(404, http.get("/api/v1/customers/" + UUID.randomUUID() + path).status, "unknown id: " + path);
    }
    Http reader = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write"));
    assertEquals(403, reader.get("/api/v1/customers/" + id + "/audit").status);
    assertEquals(403, reader.get("/api/v1/customers/" + id + "/export").status);
    assertEquals(200, reader.get("/api/v1/customers/" + id + "/consents/history").status);
  }

  @Test
  void theExportHoldsEverySectionWithTheSameContentAsEachEndpoint() {
    String id = customer("c0");
    String base = "/api/v1/customers/" + id;
    assertEquals(201, http.post(base + "/addresses", new JsonObject().put("kind", "billing").put("line1", "Huérfanos 1160")).status);
    prefs(base + "/preferences", new JsonObject().put("email", true), "c1");
    assertEquals(200, http.post(base + "/loyalty/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "25000")).status);
    assertEquals(200, http.post(base + "/credit/line", new JsonObject().put("credit_limit", "500000").put("currency", "CLP")).status);
    assertEquals(201, http.post(base + "/purchases", new JsonObject().put("reference", "r-1").put("amount", "3000")
        .put("items", new JsonArray().add(new JsonObject().put("product_id", "P1").put("name", "Café").put("category", "drinks")
            .put("quantity", "2").put("unit_price", "1500")))).status);

    Http.Reply r = http.get(base + "/export");
    assertEquals(200, r.status, r.toString());
    JsonObject doc = r.json();
    assertEquals(new JsonObject().put("consent_history", false).put("audit", false).put("loyalty_ledger", false)
        .put("credit_statement", false).put("purchases", false), doc.getJsonObject("truncated"));
    assertEquals(new JsonArray(), doc.getJsonArray("not_included"));
    assertEquals(1000, doc.getInteger("section_cap"));
    assertEquals(http.get(base).json(), doc.getJsonObject("customer"));
    assertEquals(http.get(base + "/addresses").json().getJsonArray("items"), doc.getJsonArray("addresses"));
    assertEquals(http.get(base + "/preferences").json(), doc.getJsonObject("preferences"));
    assertEquals(consents(id), doc.getJsonArray("consent_history"));
    assertEquals(audit(id), doc.getJsonArray("audit"));
    assertEquals(3, doc.getJsonArray("audit").size(), "customer, address, preferences; the earn, credit and purchase changed none of them");
    assertEquals(http.get(base + "/loyalty").json(), doc.getJsonObject("loyalty").getJsonObject("account"));
    assertEquals(http.get(base + "/loyalty/ledger").json().getJsonArray("items"), doc.getJsonObject("loyalty").getJsonArray("ledger"));
    assertEquals(1, doc.getJsonObject("loyalty").getJsonArray("ledger").size());
    assertEquals(http.get(base + "/credit").json(), doc.getJsonObject("credit").getJsonObject("line"));
    assertEquals("pending", doc.getJsonObject("credit").getJsonObject("line").getString("status"));
    assertEquals(new JsonArray(), doc.getJsonObject("credit").getJsonObject("statement").getJsonArray("lines"));
    JsonObject purchase = http.get(base + "/history").json().getJsonArray("items").getJsonObject(0).copy()
        .put("items", new JsonArray().add(new JsonObject().put("line", 0).put("product_id", "P1").putNull("variant_id").put("name", "Café")
            .put("category", "drinks").put("quantity", "2.000").put("unit_price", "1500.00")));
    assertEquals(new JsonArray().add(purchase), doc.getJsonArray("purchases"));
    assertEquals(http.get(base + "/stats").json(), doc.getJsonObject("segment"));
  }

  @Test
  void afterAnErasureNeitherTheAuditNorTheExportHoldThePersonalData() throws Exception {
    String id = customer("c0");
    String base = "/api/v1/customers/" + id;
    String phone = http.get(base).json().getString("phone");
    assertEquals(201, http.post(base + "/addresses", new JsonObject().put("kind", "shipping").put("line1", "Calle Secreta 42")
        .put("city", "Temuco")).status);
    prefs(base + "/preferences", new JsonObject().put("email", true).put("sms", true), "c1");
    assertEquals(200, http.patch(base, new JsonObject().put("email", "ana.new@example.cl").put("birthdate", "1990-05-17"), null).status);
    assertEquals(200, send("POST", base + "/erase", null, "corr-erase").status);

    JsonArray rows = audit(id);
    String text = rows.encode();
    Set<String> personal = Set.of("Ana", "Pérez", "ana@example.cl", "ana.new@example.cl", phone, "1990-05-17", "Calle Secreta", "Temuco");
    personal.forEach(p -> assertFalse(text.contains(p), p + " in the audit: " + text));
    rows.forEach(o -> assertTrue(((JsonObject) o).getBoolean("redacted"), o.toString()));
    JsonObject erasure = rows.getJsonObject(0);
    assertEquals("corr-erase", erasure.getString("correlation_id"));
    assertEquals("[erased]", erasure.getJsonObject("before").getString("email"));
    assertNull(erasure.getJsonObject("after").getValue("email"));
    assertEquals("deleted", erasure.getJsonObject("after").getString("status"));
    // What changed, when and by whom stays: the creation's fields are still named.
    assertEquals("[erased]", rows.getJsonObject(rows.size() - 1).getJsonObject("after").getString("first_name"));
    assertEquals("person", rows.getJsonObject(rows.size() - 1).getJsonObject("after").getString("customer_type"));

    // The erasure withdrew both consents; the history is kept.
    assertEquals(List.of("sms:false@corr-erase", "email:false@corr-erase", "sms:true@c1", "email:true@c1"),
        consents(id).stream().map(o -> (JsonObject) o).map(o -> o.getString("channel") + ":" + o.getBoolean("granted") + "@"
            + o.getString("correlation_id")).toList());

    Http.Reply export = http.get(base + "/export");
    assertEquals(200, export.status, export.toString());
    personal.forEach(p -> assertFalse(export.body.contains(p), p + " in the export: " + export.body));
    JsonObject doc = export.json();
    assertEquals(new JsonArray(), doc.getJsonArray("addresses"));
    assertNull(doc.getJsonObject("customer").getValue("first_name"));
    assertNotNull(doc.getJsonObject("customer").getString("erased_at"));
    assertEquals(new JsonArray(List.of("loyalty", "credit", "purchases", "segment")), doc.getJsonArray("not_included"));
    assertEquals(rows, doc.getJsonArray("audit"));

    // The service's role may read the audit but neither change nor add to it.
    try (Connection c = app.db.connectAs(app.config.dbAppUser(), app.config.dbAppPassword()); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      for (String sql : List.of("UPDATE customer_audit SET actor = 'x'", "DELETE FROM customer_audit",
          "INSERT INTO customer_audit (organization_id, customer_id, entity, entity_id, action, before, after, actor) VALUES ('" + org
              + "', '" + id + "', 'customer', '" + id + "', 'updated', '{}', '{}', 'forged')")) {
        java.sql.Savepoint sp = c.setSavepoint();
        java.sql.SQLException e = assertThrows(java.sql.SQLException.class, () -> st.execute(sql), sql);
        assertEquals("42501", e.getSQLState(), sql);
        c.rollback(sp);
      }
      c.rollback();
    }
  }

  @Test
  void aChangeMadeOutsideTheServiceNamesTheDatabaseRole() throws Exception {
    String id = customer("c0");
    try (Connection c = app.db.connectAs(app.config.dbAppUser(), app.config.dbAppPassword()); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      st.execute("UPDATE customers SET route = 'R-7' WHERE id = '" + id + "'");
      c.commit();
    }
    JsonObject last = audit(id).getJsonObject(0);
    assertEquals("db:" + app.config.dbAppUser(), last.getString("actor"));
    assertNull(last.getValue("correlation_id"));
    assertEquals(new JsonObject().put("route", "R-7"), last.getJsonObject("after"));
  }

  @Test
  void anAddressMovedToAnotherCustomerIsInBothAudits() throws Exception {
    String from = customer("c0");
    String to = customer("c1", "otra@example.cl", "+56 9 4123 4568");
    String address = http.post("/api/v1/customers/" + from + "/addresses", new JsonObject().put("kind", "billing").put("line1", "Ahumada 11"))
        .json().getString("id");
    // As a merge would, through the tenant transaction's settings.
    try (Connection c = app.db.connectAs(app.config.dbAppUser(), app.config.dbAppPassword()); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true), set_config('app.actor', 'job:merge', true), "
          + "set_config('app.correlation_id', 'merge-1', true)");
      st.execute("UPDATE customer_addresses SET customer_id = '" + to + "' WHERE id = '" + address + "'");
      c.commit();
    }
    JsonObject expected = new JsonObject().put("entity", "address").put("entity_id", address).put("action", "updated")
        .put("before", new JsonObject().put("customer_id", from)).put("after", new JsonObject().put("customer_id", to))
        .put("actor", "job:merge").put("correlation_id", "merge-1").put("redacted", false);
    assertEquals(expected, comparable(audit(to).getValue(0)));
    assertEquals(expected, comparable(audit(from).getValue(0)));
  }
}
