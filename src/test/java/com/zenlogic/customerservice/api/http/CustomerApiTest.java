package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The customers REST API end to end: real HTTP, real PostgreSQL, one database for this class. */
class CustomerApiTest {
  static TestApp app;
  static Http anonymous;

  UUID org;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("customer_api");
    anonymous = new Http(app.config.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    admin = anonymous.as(app.token(org, "customers:read", "customers:write"));
  }

  static JsonObject person(String first, String last) {
    return new JsonObject().put("customer_type", "person").put("first_name", first).put("last_name", last);
  }

  JsonObject create(JsonObject body) {
    Http.Reply r = admin.post("/api/v1/customers", body);
    assertEquals(201, r.status, r.toString());
    return r.json();
  }


  long rowsAsOwner(String sql) {
    return app.db.count(org, sql);
  }

  @Test
  void aPersonIsCreatedWithNormalisedKeysALocationAndAnEtag() {
    Http.Reply r = admin.post("/api/v1/customers", person("Ana", "Rojas")
        .put("email", "  Ana.Rojas@Example.CL ").put("phone", "+56 9 4123 4567")
        .put("document_type", "rut").put("document_number", "12.345.678-5").put("birthdate", "1990-05-17")
        .put("loyalty_card", "7701-2345-6789").put("tags", new JsonArray().add("VIP").add("vip").add("frecuente")));
    assertEquals(201, r.status, r.toString());
    JsonObject c = r.json();
    assertEquals("Ana Rojas", c.getString("name"));
    assertEquals("ana.rojas@example.cl", c.getString("email"));
    assertEquals("+56941234567", c.getString("phone"));
    assertEquals("12345678-5", c.getString("document_number"));
    assertEquals("770123456789", c.getString("loyalty_card"));
    assertEquals(new JsonArray().add("vip").add("frecuente"), c.getJsonArray("tags"));
    assertEquals("active", c.getString("status"));
    assertEquals(1L, c.getLong("version"));
    assertEquals("/api/v1/customers/" + c.getString("id"), r.header("Location"));
    assertEquals("\"1\"", r.header("ETag"));
    assertEquals(new JsonArray(), c.remove("possible_duplicates"), "no other customer has these keys");
    assertEquals(c, admin.get("/api/v1/customers/" + c.getString("id")).json());
  }

  @Test
  void aCompanyIsNamedByItsTradeNameElseItsLegalName() {
    JsonObject withTrade = create(new JsonObject().put("customer_type", "company")
        .put("legal_name", "Constructora Andes SpA").put("trade_name", "Andes").put("document_type", "rfc")
        .put("document_number", "CAN-010101-AB1").put("salesperson_id", "s-17").put("route", "norte-3"));
    assertEquals("Andes", withTrade.getString("name"));
    assertEquals("CAN010101AB1", withTrade.getString("document_number"));
    JsonObject legalOnly = create(new JsonObject().put("customer_type", "company").put("legal_name", "Ferretería Sur Ltda"));
    assertEquals("Ferretería Sur Ltda", legalOnly.getString("name"));
  }

  @Test
  void eachValidationRuleAnswers400NamingTheFieldAndChangesNothing() throws Exception {
    record Case(JsonObject body, String field) {}
    List<Case> cases = List.of(
        new Case(new JsonObject().put("customer_type", "person").put("last_name", "Rojas"), "first_name"),
        new Case(new JsonObject().put("customer_type", "person").put("first_name", "Ana"), "last_name"),
        new Case(new JsonObject().put("customer_type", "company"), "legal_name"),
        new Case(new JsonObject().put("first_name", "Ana").put("last_name", "Rojas"), "customer_type"),
        new Case(person("Ana", "Rojas").put("customer_type", "robot"), "customer_type"),
        new Case(person("Ana", "Rojas").put("phone", "12345"), "phone"),
        new Case(person("Ana", "Rojas").put("phone", "+56 2 1"), "phone"),
        new Case(person("Ana", "Rojas").put("email", "ana@"), "email"),
        new Case(person("Ana", "Rojas").put("document_type", "rut").put("document_number", "12.345.678-9"), "document_number"),
        new Case(person("Ana", "Rojas").put("document_type", "rfc").put("document_number", "XYZ"), "document_number"),
        new Case(person("Ana", "Rojas").put("document_number", "12345678-5"), "document_type"),
        new Case(person("Ana", "Rojas").put("document_type", "dni").put("document_number", "1234"), "document_type"),
        new Case(person("Ana", "Rojas").put("birthdate", "2999-01-01"), "birthdate"),
        new Case(person("Ana", "Rojas").put("birthdate", "17/05/1990"), "birthdate"),
        new Case(person("Ana", "Rojas").put("status", "deleted"), "status"),
        new Case(person("Ana", "Rojas").put("first_name", 42), "first_name"),
        new Case(person("Ana", "Rojas").put("loyalty_card", "1"), "loyalty_card"),
        new Case(person("Ana", "Rojas").put("shoe_size", 42), null));
    for (Case c : cases) {
      Http.Reply r = admin.post("/api/v1/customers", c.body());
      assertEquals(400, r.status, c + " -> " + r);
      assertEquals("VALIDATION_FAILED", r.error().getString("code"), r.toString());
      if (c.field() != null) {
        assertEquals(c.field(), r.error().getString("field"), c + " -> " + r);
      }
      assertFalse(r.body.contains("Exception"), r.body);
    }
    assertEquals(0, rowsAsOwner("SELECT count(*) FROM customers"));
  }

  @Test
  void aDuplicatePhoneEmailDocumentOrCardIs409NamingTheField() throws Exception {
    create(person("Ana", "Rojas").put("phone", "+56 9 4123 4567").put("email", "ana@example.cl")
        .put("document_type", "rut").put("document_number", "12.345.678-5").put("loyalty_card", "CARD-0001"));
    record Case(JsonObject body, String field) {}
    for (Case c : List.of(
        new Case(person("Eva", "Soto").put("phone", "941234567"), "phone"),
        new Case(person("Eva", "Soto").put("email", "ANA@example.CL"), "email"),
        new Case(person("Eva", "Soto").put("document_type", "rut").put("document_number", "123456785"), "document_number"),
        new Case(person("Eva", "Soto").put("loyalty_card", "card 0001"), "loyalty_card"))) {
      Http.Reply r = admin.post("/api/v1/customers", c.body());
      assertEquals(409, r.status, r.toString());
      assertEquals("DUPLICATE_CUSTOMER", r.error().getString("code"));
      assertEquals(c.field(), r.error().getString("field"));
    }
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM customers"));
  }

  @Test
  void theSamePhoneMayBelongToCustomersOfDifferentOrganizations() {
    create(person("Ana", "Rojas").put("phone", "+56941234567"));
    Http other = anonymous.as(app.token(UUID.randomUUID(), "customers:write"));
    assertEquals(201, other.post("/api/v1/customers", person("Eva", "Soto").put("phone", "941234567")).status);
  }

  @Test
  void patchMergesSetsClearsAndBumpsTheVersion() {
    JsonObject c = create(person("Ana", "Rojas").put("email", "ana@example.cl").put("notes", "prefers cash"));
    String path = "/api/v1/customers/" + c.getString("id");
    Http.Reply r = admin.patch(path, new JsonObject().put("last_name", "Rojas Díaz").putNull("notes").put("status", "blocked"), null);
    assertEquals(200, r.status, r.toString());
    JsonObject after = r.json();
    assertEquals("Rojas Díaz", after.getString("last_name"));
    assertEquals("ana@example.cl", after.getString("email"));
    assertNull(after.getString("notes"));
    assertEquals("blocked", after.getString("status"));
    assertEquals(2L, after.getLong("version"));
    assertEquals("\"2\"", r.header("ETag"));
  }

  @Test
  void aStaleIfMatchIs412AndTheWriteIsNotApplied() {
    JsonObject c = create(person("Ana", "Rojas"));
    String path = "/api/v1/customers/" + c.getString("id");
    assertEquals(200, admin.patch(path, new JsonObject().put("first_name", "Anita"), "\"1\"").status);
    Http.Reply stale = admin.patch(path, new JsonObject().put("first_name", "Ana María"), "\"1\"");
    assertEquals(412, stale.status, stale.toString());
    assertEquals("VERSION_MISMATCH", stale.error().getString("code"));
    Http.Reply now = admin.get(path);
    assertEquals("Anita", now.json().getString("first_name"));
    assertEquals("\"2\"", now.header("ETag"));
    assertEquals(200, admin.patch(path, new JsonObject().put("first_name", "Ana María"), now.header("ETag")).status);
    assertEquals(400, admin.patch(path, new JsonObject().put("first_name", "X"), "not-an-etag").status);
  }

  @Test
  void patchValidatesLikeCreateAndRejectsATypeChange() {
    JsonObject c = create(person("Ana", "Rojas"));
    String path = "/api/v1/customers/" + c.getString("id");
    Http.Reply badPhone = admin.patch(path, new JsonObject().put("phone", "000"), null);
    assertEquals(400, badPhone.status);
    assertEquals("phone", badPhone.error().getString("field"));
    assertEquals(400, admin.patch(path, new JsonObject().put("customer_type", "company"), null).status);
    assertEquals(400, admin.patch(path, new JsonObject().putNull("first_name"), null).status);
    assertEquals(1L, admin.get(path).json().getLong("version"));
  }

  @Test
  void deleteIsSoftAndHidesTheCustomerUnlessDeletedOnesAreAskedFor() {
    JsonObject c = create(person("Ana", "Rojas").put("email", "ana@example.cl"));
    String path = "/api/v1/customers/" + c.getString("id");
    assertEquals(204, admin.delete(path).status);
    assertEquals(404, admin.get(path).status);
    assertEquals("CUSTOMER_NOT_FOUND", admin.get(path).error().getString("code"));
    Http.Reply withDeleted = admin.get(path + "?include_deleted=true");
    assertEquals(200, withDeleted.status);
    assertEquals("deleted", withDeleted.json().getString("status"));
    assertNotNull(withDeleted.json().getString("deleted_at"));
    assertEquals(404, admin.delete(path).status);
    assertEquals(404, admin.patch(path, new JsonObject().put("first_name", "X"), null).status);
    // The email is free again for a new registration.
    create(person("Ana", "Rojas").put("email", "ana@example.cl"));
  }

  @Test
  void eraseLeavesNoPersonalDataInTheCustomerRowOrItsAddresses() throws Exception {
    JsonObject c = create(person("Ana", "Rojas").put("email", "ana@example.cl").put("phone", "+56941234567")
        .put("document_type", "rut").put("document_number", "12345678-5").put("birthdate", "1990-05-17")
        .put("loyalty_card", "CARD0001").put("notes", "lives next to the store").put("external_id", "crm-9"));
    String id = c.getString("id");
    String path = "/api/v1/customers/" + id;
    assertEquals(201, admin.post(path + "/addresses", new JsonObject().put("kind", "shipping").put("line1", "Av. Italia 1234")).status);
    assertEquals(200, admin.put(path + "/preferences", new JsonObject().put("restrictions", new JsonArray().add("gluten_free"))
        .put("marketing_consent", new JsonObject().put("email", true))).status);
    Http.Reply erased = admin.post(path + "/erase", null);
    assertEquals(200, erased.status, erased.toString());
    JsonObject e = erased.json();
    for (String f : List.of("first_name", "last_name", "email", "phone", "document_number", "birthdate", "loyalty_card", "notes", "name")) {
      assertNull(e.getValue(f), f);
    }
    assertEquals(id, e.getString("id"));
    assertEquals("crm-9", e.getString("external_id"));
    assertEquals(404, admin.get(path).status);
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM customers WHERE id = '" + id + "' AND first_name IS NULL AND last_name IS NULL "
        + "AND email IS NULL AND phone IS NULL AND document_number IS NULL AND birthdate IS NULL AND loyalty_card IS NULL "
        + "AND notes IS NULL AND search_name = '' AND erased_at IS NOT NULL"));
    assertEquals(0, rowsAsOwner("SELECT count(*) FROM customer_addresses WHERE customer_id = '" + id + "'"));
    assertEquals(0, rowsAsOwner("SELECT count(*) FROM customer_preferences WHERE customer_id = '" + id + "'"));
    // Erased data is gone from the events recorded since, too: the erase event carries only the id.
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM outbox WHERE event_type = 'customer.erased' AND aggregate_id = '" + id
        + "' AND payload::text NOT LIKE '%Rojas%'"));
  }

  @Test
  void anotherOrganizationsCustomerIsNotFoundForReadUpdateDeleteAndErase() {
    JsonObject c = create(person("Ana", "Rojas").put("phone", "+56941234567"));
    String path = "/api/v1/customers/" + c.getString("id");
    Http intruder = anonymous.as(app.token(UUID.randomUUID(), "customers:read", "customers:write"));
    assertEquals(404, intruder.get(path).status);
    assertEquals(404, intruder.get(path + "?include_deleted=true").status);
    assertEquals(404, intruder.patch(path, new JsonObject().put("first_name", "Eva"), null).status);
    assertEquals(404, intruder.delete(path).status);
    assertEquals(404, intruder.post(path + "/erase", null).status);
    assertEquals(404, intruder.get(path + "/addresses").status);
    assertEquals(404, intruder.post(path + "/addresses", new JsonObject().put("kind", "billing").put("line1", "x")).status);
    assertEquals(0, intruder.get("/api/v1/customers/search?phone=941234567").json().getJsonArray("items").size());
    assertEquals("Ana", admin.get(path).json().getString("first_name"));
  }

  @Test
  void requestsWithoutAValidTokenAre401AndWithoutThePermission403() {
    JsonObject c = create(person("Ana", "Rojas"));
    String path = "/api/v1/customers/" + c.getString("id");
    assertEquals(401, anonymous.get(path).status);
    assertEquals("UNAUTHENTICATED", anonymous.get(path).error().getString("code"));
    assertEquals(401, anonymous.as("not-a-jwt").get(path).status);
    String valid = app.token(org, "customers:read");
    String tampered = valid.substring(0, valid.length() - 4) + (valid.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertEquals(401, anonymous.as(tampered).get(path).status);
    String[] parts = valid.split("\\.");
    String unsigned = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes())
        + "." + parts[1] + ".";
    assertEquals(401, anonymous.as(unsigned).get(path).status);
    JsonObject claims = new JsonObject().put("user_id", "u").put("organization_id", org.toString())
        .put("permissions", new JsonArray().add("customers:read"));
    String otherAudience = io.vertx.ext.auth.jwt.JWTAuth.create(app.vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
            .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestApp.SECRET)))
        .generateToken(claims, new io.vertx.ext.auth.JWTOptions().setIssuer(app.config.jwtIssuer())
            .setAudience(List.of("someone-else")));
    assertEquals(401, anonymous.as(otherAudience).get(path).status);
    String expired = io.vertx.ext.auth.jwt.JWTAuth.create(app.vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
            .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestApp.SECRET)))
        .generateToken(claims.copy().put("exp", System.currentTimeMillis() / 1000 - 3600),
            new io.vertx.ext.auth.JWTOptions().setIssuer(app.config.jwtIssuer()).setAudience(List.of(app.config.jwtAudience())));
    assertEquals(401, anonymous.as(expired).get(path).status);
    assertEquals(401, anonymous.as(app.token(new JsonObject().put("user_id", "u"))).get(path).status);
    Http readOnly = anonymous.as(app.token(org, "customers:read"));
    assertEquals(200, readOnly.get(path).status);
    Http.Reply forbidden = readOnly.patch(path, new JsonObject().put("first_name", "Eva"), null);
    assertEquals(403, forbidden.status);
    assertEquals("PERMISSION_DENIED", forbidden.error().getString("code"));
    assertEquals(403, anonymous.as(app.token(org)).get(path).status);
  }

  @Test
  void searchFindsByNormalisedKeysAndByNamePrefixOrSimilarity() {
    JsonObject ana = create(person("Ana", "González").put("phone", "+56941234567").put("email", "ana@example.cl")
        .put("document_type", "rut").put("document_number", "12345678-5").put("loyalty_card", "CARD0001"));
    create(person("Pedro", "Soto"));
    create(new JsonObject().put("customer_type", "company").put("legal_name", "Constructora Andes SpA").put("trade_name", "Andes"));
    String id = ana.getString("id");
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?phone=%2B56%209%204123%204567")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?phone=941234567")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?email=ANA@EXAMPLE.CL")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?document=12.345.678-5")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?card=card-0001")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?q=gonz")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?q=Ana%20Gonz")));
    assertEquals(List.of(id), ids(admin.get("/api/v1/customers/search?q=gonzales")));
    assertEquals(1, ids(admin.get("/api/v1/customers/search?q=andes")).size());
    assertEquals(3, ids(admin.get("/api/v1/customers/search")).size());
    assertEquals(0, ids(admin.get("/api/v1/customers/search?q=zzzz")).size());
    Http.Reply badPhone = admin.get("/api/v1/customers/search?phone=12");
    assertEquals(400, badPhone.status);
    assertEquals("phone", badPhone.error().getString("field"));
    assertEquals("cursor", admin.get("/api/v1/customers/search?cursor=garbage").error().getString("field"));
    assertEquals("limit", admin.get("/api/v1/customers/search?limit=0").error().getString("field"));
  }

  @Test
  void paginationIsStableWhileRowsAreInserted() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      created.add(create(person("Cliente", "Número " + i)).getString("id"));
    }
    List<String> seen = new ArrayList<>();
    List<String> seenByName = new ArrayList<>();
    String cursor = null;
    String nameCursor = null;
    int pages = 0;
    do {
      if (pages == 0 || cursor != null) {
        Http.Reply page = admin.get("/api/v1/customers/search?limit=10" + (cursor == null ? "" : "&cursor=" + cursor));
        seen.addAll(ids(page));
        cursor = page.json().getString("next_cursor");
      }
      if (pages == 0 || nameCursor != null) {
        Http.Reply byName = admin.get("/api/v1/customers/search?q=cliente&limit=10" + (nameCursor == null ? "" : "&cursor=" + nameCursor));
        seenByName.addAll(ids(byName));
        nameCursor = byName.json().getString("next_cursor");
      }
      // Between pages, others keep registering customers.
      for (int i = 0; i < 3; i++) {
        create(person("Cliente", "Nuevo " + pages + "-" + i));
      }
      pages++;
    } while ((cursor != null || nameCursor != null) && pages < 30);
    assertEquals(seen.size(), seen.stream().distinct().count(), "no customer twice");
    assertEquals(created, seen.subList(0, 25), "creation order, none skipped");
    assertEquals(seenByName.size(), seenByName.stream().distinct().count(), "no customer twice by name: " + seenByName);
    assertTrue(seenByName.containsAll(created), "every customer that existed at the start is found by name");
  }

  @Test
  void addressesKeepOneDefaultOfEachKind() {
    String path = "/api/v1/customers/" + create(person("Ana", "Rojas")).getString("id") + "/addresses";
    JsonObject first = admin.post(path, new JsonObject().put("kind", "shipping").put("line1", "Av. Italia 1234")
        .put("city", "Santiago").put("country", "cl")).json();
    assertTrue(first.getBoolean("is_default"), "the first shipping address is the default");
    assertEquals("CL", first.getString("country"));
    JsonObject second = admin.post(path, new JsonObject().put("kind", "shipping").put("line1", "Los Leones 55").put("is_default", true)).json();
    JsonObject billing = admin.post(path, new JsonObject().put("kind", "billing").put("line1", "Casilla 12")).json();
    assertTrue(billing.getBoolean("is_default"));
    JsonArray items = admin.get(path).json().getJsonArray("items");
    assertEquals(3, items.size());
    assertEquals(1, items.stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("shipping") && a.getBoolean("is_default")).count());
    assertEquals(second.getString("id"), items.stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("shipping") && a.getBoolean("is_default")).findFirst().get().getString("id"));
    assertEquals(204, admin.delete(path + "/" + second.getString("id")).status);
    JsonObject promoted = admin.get(path).json().getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("shipping")).findFirst().get();
    assertEquals(first.getString("id"), promoted.getString("id"));
    assertTrue(promoted.getBoolean("is_default"));
    Http.Reply replaced = admin.put(path + "/" + first.getString("id"), new JsonObject().put("kind", "shipping").put("line1", "Av. Italia 1300"));
    assertEquals(200, replaced.status, replaced.toString());
    assertTrue(replaced.json().getBoolean("is_default"), "the only shipping address stays the default");
    assertEquals(404, admin.delete(path + "/" + UUID.randomUUID()).status);
    assertEquals("country", admin.post(path, new JsonObject().put("kind", "billing").put("line1", "x").put("country", "XX")).error().getString("field"));
    assertEquals("kind", admin.post(path, new JsonObject().put("kind", "home").put("line1", "x")).error().getString("field"));
  }

  @Test
  void consentKeepsItsTimestampUntilItsValueChanges() throws Exception {
    String path = "/api/v1/customers/" + create(person("Ana", "Rojas")).getString("id") + "/preferences";
    JsonObject empty = admin.get(path).json();
    assertEquals(0, empty.getJsonArray("favourite_channels").size());
    JsonObject first = admin.put(path, new JsonObject().put("favourite_channels", new JsonArray().add("pos").add("whatsapp"))
        .put("categories_of_interest", new JsonArray().add("café")).put("marketing_consent", new JsonObject().put("email", true).put("sms", false))).json();
    String emailAt = first.getJsonObject("marketing_consent").getJsonObject("email").getString("updated_at");
    Thread.sleep(5);
    JsonObject second = admin.put(path, new JsonObject().put("marketing_consent", new JsonObject().put("email", true).put("sms", true))).json();
    assertEquals(emailAt, second.getJsonObject("marketing_consent").getJsonObject("email").getString("updated_at"));
    assertTrue(second.getJsonObject("marketing_consent").getJsonObject("sms").getBoolean("granted"));
    assertNotEquals(first.getJsonObject("marketing_consent").getJsonObject("sms").getString("updated_at"),
        second.getJsonObject("marketing_consent").getJsonObject("sms").getString("updated_at"));
    assertEquals(0, second.getJsonArray("favourite_channels").size(), "lists are replaced");
    assertEquals(400, admin.put(path, new JsonObject().put("favourite_channels", new JsonArray().add("telepathy"))).status);
    assertEquals(400, admin.put(path, new JsonObject().put("marketing_consent", new JsonObject().put("pigeon", true))).status);
  }

  @Test
  void everyChangeRecordsItsEventInTheOutboxInTheSameTransaction() throws Exception {
    JsonObject c = create(person("Ana", "Rojas"));
    String path = "/api/v1/customers/" + c.getString("id");
    admin.patch(path, new JsonObject().put("first_name", "Anita"), null);
    admin.patch(path, new JsonObject().put("first_name", "Anita"), null);
    admin.delete(path);
    admin.post("/api/v1/customers", person("Eva", "Soto").put("phone", "1"));
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM outbox WHERE event_type = 'customer.created'"));
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM outbox WHERE event_type = 'customer.updated'"), "a no-op patch emits nothing");
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM outbox WHERE event_type = 'customer.deleted'"));
    assertEquals(1, rowsAsOwner("SELECT count(*) FROM outbox WHERE event_type = 'customer.updated' "
        + "AND payload->'data'->>'first_name' = 'Anita' AND payload->>'source' = 'customer-service' "
        + "AND payload->>'organization_id' = '" + org + "'"));
  }

  @Test
  void operationalEndpointsAnswerWithoutAToken() {
    assertEquals("UP", anonymous.get("/health").json().getString("status"));
    Http.Reply ready = anonymous.get("/health/ready");
    assertEquals(200, ready.status);
    // Checks are listed in the order they completed, not registered.
    assertTrue(ready.json().getJsonArray("checks").stream().anyMatch(c -> "database".equals(((JsonObject) c).getString("id"))),
        ready.body);
    anonymous.get("/api/v1/customers/search");
    String metrics = anonymous.get("/metrics").body;
    assertTrue(metrics.contains("vertx_http_server_requests_total"), "HTTP server metrics");
    assertTrue(metrics.contains("vertx_sql_"), "pool metrics");
    assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
    Http.Reply spec = anonymous.get("/openapi.yaml");
    assertEquals(200, spec.status);
    assertTrue(spec.body.contains("operationId: createCustomer"));
    assertTrue(anonymous.get("/docs").body.contains("swagger-ui"));
    assertEquals(200, anonymous.get("/docs/swagger-ui/swagger-ui-bundle.js").status);
    assertEquals("ROUTE_NOT_FOUND", anonymous.get("/api/v1/nothing-here").error().getString("code"));
  }

  @Test
  void anOversizedBodyIs413AndAMalformedOneIs400() {
    String huge = person("Ana", "Rojas").put("notes", "x".repeat(300_000)).encode();
    Http.Reply tooBig = admin.send("POST", "/api/v1/customers", huge, null);
    assertEquals(413, tooBig.status);
    assertEquals("PAYLOAD_TOO_LARGE", tooBig.error().getString("code"));
    Http.Reply malformed = admin.send("POST", "/api/v1/customers", "{\"customer_type\": ", null);
    assertEquals(400, malformed.status, malformed.toString());
  }

  static List<String> ids(Http.Reply r) {
    assertEquals(200, r.status, r.toString());
    List<String> out = new ArrayList<>();
    r.json().getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }
}
