package com.zenlogic.customerservice.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.zenlogic.customerservice.loyalty.LoyaltyExports;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** /api/v1/exports against the real service and PostgreSQL: exact files, escaping, tenants, snapshot and backpressure. */
class ExportsTest {
  static final String AWKWARD_NOTES = "Says \"hola\", then leaves;\nsecond line\r\nthird, with ñandú 🦜 and a tab\t.";
  static final int BULK = 50_000;

  static TestApp app;
  static Http anonymous;

  UUID org;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("exports");
    anonymous = new Http(app.config.httpPort());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    admin = anonymous.as(app.token(org, "customers:read", "customers:write", "customers:admin", "loyalty:read", "loyalty:write",
        "loyalty:admin"));
  }

  JsonObject create(Http as, JsonObject body) {
    Http.Reply r = as.post("/api/v1/customers", body);
    assertEquals(201, r.status, r.toString());
    return r.json();
  }

  JsonObject ana() {
    return create(admin, new JsonObject().put("customer_type", "person").put("first_name", "Ána, \"la\" jefa").put("last_name", "Rojas")
        .put("phone", "+56 9 4123 4567").put("email", "ana@example.cl").put("document_type", "rut")
        .put("document_number", "12.345.678-5").put("birthdate", "1990-04-01").put("loyalty_card", "CARD-0001")
        .put("external_id", "CRM-1").put("tags", new JsonArray().add("vip").add("b2c")).put("notes", AWKWARD_NOTES));
  }

  JsonObject acme() {
    return create(admin, new JsonObject().put("customer_type", "company").put("legal_name", "Acme SpA").put("trade_name", "Acme")
        .put("salesperson_id", "S-9").put("route", "R-1").put("price_group", "wholesale_a"));
  }

  static List<Map<String, String>> csvRows(String body) throws IOException {
    List<Map<String, String>> rows = new ArrayList<>();
    String data = body.substring(0, body.lastIndexOf("# rows="));
    CsvMapper mapper = new CsvMapper();
    try (MappingIterator<List<String>> it = mapper.readerForListOf(String.class).with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(data)) {
      List<String> header = it.next();
      assertEquals(CustomerExports.COLUMNS.size(), header.size());
      while (it.hasNext()) {
        List<String> cells = it.next();
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
          row.put(header.get(i), cells.get(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static String lastLine(String body) {
    String trimmed = body.substring(0, body.length() - 1);
    return trimmed.substring(trimmed.lastIndexOf('\n') + 1);
  }

  @Test
  void csvHasTheApiColumnsOneRowPerCustomerEscapedExactlyAndARowCountLine() throws Exception {
    JsonObject ana = ana();
    JsonObject acme = acme();
    create(anonymous.as(app.token(UUID.randomUUID(), "customers:write")), new JsonObject().put("customer_type", "person")
        .put("first_name", "Other").put("last_name", "Tenant").put("email", "other@example.cl"));

    Http.Reply r = admin.get("/api/v1/exports/customers?format=csv");
    assertEquals(200, r.status, r.toString());
    assertTrue(r.header("Content-Type").startsWith("text/csv"), r.header("Content-Type"));
    assertTrue(r.header("Content-Disposition").matches("attachment; filename=\"customers-\\d{8}T\\d{6}Z\\.csv\""), r.header("Content-Disposition"));
    String header = r.body.substring(0, r.body.indexOf('\n'));
    assertEquals(String.join(",", CustomerExports.COLUMNS), header);
    assertEquals("# rows=2 snapshot_at=" + r.header("X-Snapshot-At"), lastLine(r.body));
    assertFalse(r.body.contains("Tenant"), "another organization's customer is never in the file");

    List<Map<String, String>> rows = csvRows(r.body);
    assertEquals(2, rows.size());
    // Ordered by id; ids are time-ordered, so Ana (created first) comes first.
    Map<String, String> a = rows.get(0);
    assertEquals(ana.getString("id"), a.get("id"));
    assertEquals("person", a.get("customer_type"));
    assertEquals("Ána, \"la\" jefa", a.get("first_name"));
    assertEquals("Rojas", a.get("last_name"));
    assertEquals("", a.get("legal_name"));
    assertEquals("ana@example.cl", a.get("email"));
    assertEquals("+56941234567", a.get("phone"));
    assertEquals("rut", a.get("document_type"));
    assertEquals("12345678-5", a.get("document_number"));
    assertEquals("1990-04-01", a.get("birthdate"));
    assertEquals("active", a.get("status"));
    assertEquals("CARD0001", a.get("loyalty_card"));
    assertEquals("CRM-1", a.get("external_id"));
    assertEquals("vip|b2c", a.get("tags"));
    assertEquals(AWKWARD_NOTES, a.get("notes"), "commas, quotes, CR, LF, tabs and non-BMP characters survive the round trip");
    assertEquals(ana.getString("created_at"), a.get("created_at"));
    assertEquals(ana.getString("updated_at"), a.get("updated_at"));
    assertEquals("", a.get("deleted_at"));
    assertEquals("1", a.get("version"));
    Map<String, String> b = rows.get(1);
    assertEquals(acme.getString("id"), b.get("id"));
    assertEquals("company", b.get("customer_type"));
    assertEquals("Acme SpA", b.get("legal_name"));
    assertEquals("Acme", b.get("trade_name"));
    assertEquals("S-9", b.get("salesperson_id"));
    assertEquals("R-1", b.get("route"));
    assertEquals("WHOLESALE_A", b.get("price_group"));
    assertEquals("", b.get("tags"));
    assertEquals("", b.get("first_name"));
  }

  @Test
  void ndjsonHasOneObjectPerCustomerWithTypedValuesAndASummaryLine() {
    JsonObject ana = ana();
    acme();
    Http.Reply r = admin.get("/api/v1/exports/customers?format=ndjson");
    assertEquals(200, r.status, r.toString());
    assertTrue(r.header("Content-Type").startsWith("application/x-ndjson"), r.header("Content-Type"));
    String[] lines = r.body.split("\n");
    assertEquals(3, lines.length);
    JsonObject a = new JsonObject(lines[0]);
    assertEquals(CustomerExports.COLUMNS, List.copyOf(a.fieldNames()));
    assertEquals(ana.getString("id"), a.getString("id"));
    assertEquals(AWKWARD_NOTES, a.getString("notes"));
    assertEquals(new JsonArray().add("vip").add("b2c"), a.getJsonArray("tags"));
    assertEquals(1L, a.getLong("version"));
    assertTrue(a.getValue("version") instanceof Number, "points and counts are JSON numbers");
    assertNull(a.getValue("legal_name"));
    assertTrue(a.containsKey("legal_name"), "every column is present, null when empty");
    JsonObject summary = new JsonObject(lines[2]).getJsonObject("_summary");
    assertEquals(2, summary.getLong("rows"));
    assertEquals(r.header("X-Snapshot-At"), summary.getString("snapshot_at"));
  }

  @Test
  void deletedAndErasedCustomersAreLeftOutUnlessAskedForThenFlagged() throws Exception {
    String live = ana().getString("id");
    String deleted = acme().getString("id");
    String erased = create(admin, new JsonObject().put("customer_type", "person").put("first_name", "Eva").put("last_name", "Gone")
        .put("email", "eva@example.cl")).getString("id");
    assertEquals(204, admin.delete("/api/v1/customers/" + deleted).status);
    assertEquals(200, admin.post("/api/v1/customers/" + erased + "/erase", null).status);

    List<Map<String, String>> rows = csvRows(admin.get("/api/v1/exports/customers").body);
    assertEquals(List.of(live), rows.stream().map(m -> m.get("id")).toList(), "csv is the default format; only live customers");

    Http.Reply all = admin.get("/api/v1/exports/customers?format=csv&include_deleted=true");
    rows = csvRows(all.body);
    assertEquals(List.of(live, deleted, erased), rows.stream().map(m -> m.get("id")).toList());
    assertEquals("deleted", rows.get(1).get("status"));
    assertFalse(rows.get(1).get("deleted_at").isEmpty());
    assertEquals("", rows.get(1).get("erased_at"));
    assertEquals("deleted", rows.get(2).get("status"));
    assertFalse(rows.get(2).get("erased_at").isEmpty());
    assertEquals("", rows.get(2).get("first_name"), "erased personal data stays erased in the file");
    assertEquals("", rows.get(2).get("email"));
    assertTrue(lastLine(all.body).startsWith("# rows=3 "), lastLine(all.body));
  }

  @Test
  void anEmptyExportStillHasItsHeaderAndSummary() {
    Http.Reply csv = admin.get("/api/v1/exports/customers?format=csv");
    assertEquals(200, csv.status);
    assertEquals(String.join(",", CustomerExports.COLUMNS) + "\n# rows=0 snapshot_at=" + csv.header("X-Snapshot-At") + "\n", csv.body);
    Http.Reply ndjson = admin.get("/api/v1/exports/points-balances?format=ndjson");
    assertEquals(0, new JsonObject(ndjson.body.strip()).getJsonObject("_summary").getLong("rows"));
  }

  @Test
  void aBadFormatOrPeriodIsRefusedNamingTheFieldAndPermissionsAreChecked() {
    for (String path : List.of("/api/v1/exports/customers", "/api/v1/exports/points-balances", "/api/v1/exports/loyalty-ledger")) {
      for (String bad : List.of("xlsx", "CSV", "", "%00")) {
        Http.Reply r = admin.get(path + "?format=" + bad);
        assertEquals(400, r.status, path + " " + bad + " " + r);
        assertEquals("format", r.error().getString("field"), r.toString());
      }
    }
    Http.Reply badPeriod = admin.get("/api/v1/exports/loyalty-ledger?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z");
    assertEquals(400, badPeriod.status, badPeriod.toString());
    Http.Reply badInstant = admin.get("/api/v1/exports/loyalty-ledger?from=yesterday");
    assertEquals(400, badInstant.status);
    assertEquals("from", badInstant.error().getString("field"), badInstant.toString());

    Http.Reply reader = anonymous.as(app.token(org, "customers:read", "loyalty:read")).get("/api/v1/exports/customers");
    assertEquals(403, reader.status, "customers:read is not enough for a bulk export of personal data");
    assertEquals(403, anonymous.as(app.token(org, "customers:admin", "loyalty:read")).get("/api/v1/exports/points-balances").status);
    assertEquals(403, anonymous.as(app.token(org, "customers:admin", "loyalty:write")).get("/api/v1/exports/loyalty-ledger").status);
    assertEquals(401, anonymous.get("/api/v1/exports/customers").status);
  }

  @Test
  void financeFilesCarryPointsAsIntegersAndMoneyAsTwoDecimalStringsOfThisOrganizationOnly() throws Exception {
    String a = ana().getString("id");
    String b = acme().getString("id");
    assertEquals(200, admin.post("/api/v1/customers/" + a + "/loyalty/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "1250.5")).status);
    assertEquals(200, admin.post("/api/v1/customers/" + b + "/loyalty/earn", new JsonObject().put("transaction_id", "t-2").put("amount", "300")).status);
    Http.Reply redeem = admin.post("/api/v1/customers/" + b + "/loyalty/redeem", new JsonObject().put("points", 100).put("reference_id", "r-1"));
    assertEquals(200, redeem.status, redeem.toString());
    UUID otherOrg = UUID.randomUUID();
    Http intruder = anonymous.as(app.token(otherOrg, "customers:write", "loyalty:write", "loyalty:admin"));
    String stranger = create(intruder, new JsonObject().put("customer_type", "person").put("first_name", "X").put("last_name", "Y")).getString("id");
    assertEquals(200, intruder.post("/api/v1/customers/" + stranger + "/loyalty/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "999")).status);

    JsonObject liveA = admin.get("/api/v1/customers/" + a + "/loyalty").json();
    Http.Reply balances = admin.get("/api/v1/exports/points-balances?format=ndjson");
    assertEquals(200, balances.status, balances.toString());
    String[] lines = balances.body.split("\n");
    assertEquals(3, lines.length, balances.body);
    Map<String, JsonObject> byCustomer = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      JsonObject line = new JsonObject(lines[i]);
      assertEquals(LoyaltyExports.BALANCE_COLUMNS, List.copyOf(line.fieldNames()));
      byCustomer.put(line.getString("customer_id"), line);
    }
    assertFalse(byCustomer.containsKey(stranger));
    JsonObject pa = byCustomer.get(a);
    assertTrue(pa.getValue("balance") instanceof Integer || pa.getValue("balance") instanceof Long, "points are JSON integers");
    assertEquals(liveA.getLong("balance"), pa.getLong("balance"));
    assertEquals(1250L, pa.getLong("balance"));
    assertEquals(liveA.getString("redeemable_amount"), pa.getString("redeemable_amount"));
    assertEquals("12.50", pa.getString("redeemable_amount"));
    JsonObject pb = byCustomer.get(b);
    assertEquals(200L, pb.getLong("balance"));
    assertEquals(200L, pb.getLong("available"));
    assertEquals("2.00", pb.getString("redeemable_amount"));

    Http.Reply ledger = admin.get("/api/v1/exports/loyalty-ledger?format=csv");
    assertEquals(200, ledger.status, ledger.toString());
    String[] csv = ledger.body.split("\n");
    assertEquals(String.join(",", LoyaltyExports.LEDGER_COLUMNS), csv[0]);
    assertEquals(5, csv.length, ledger.body);
    assertTrue(csv[1].matches("\\d+," + a + ",earn,1250,0,0,1250,1250\\.50,t-1,api,,.*"), csv[1]);
    assertTrue(csv[2].matches("\\d+," + b + ",earn,300,0,0,300,300\\.00,t-2,api,,.*"), csv[2]);
    assertTrue(csv[3].matches("\\d+," + b + ",redeem,-100,0,0,200,1\\.00,r-1,.*"), csv[3]);
    assertTrue(csv[4].startsWith("# rows=3 snapshot_at="), csv[4]);
    assertFalse(ledger.body.contains(stranger));

    Http.Reply before = admin.get("/api/v1/exports/loyalty-ledger?format=ndjson&from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z");
    assertEquals(0, new JsonObject(before.body.strip()).getJsonObject("_summary").getLong("rows"), "the period bounds the entries");
  }

  /** 50 000 customers: the read is paused while the client does not read, and it is one snapshot throughout. */
  @Test
  void aSlowClientHoldsBackTheCursorAndTheFileIsOneSnapshot() throws Exception {
    bulkInsert(org, BULK);
    String lastId = app.db.scalar(org, "SELECT id FROM customers ORDER BY id DESC LIMIT 1");
    String token = app.token(org, "customers:read", "customers:write", "customers:admin");

    try (SlowDownload slow = new SlowDownload(app.config.httpPort(), "/api/v1/exports/customers?format=csv", token)) {
      assertEquals(200, slow.status);
      String start = new String(slow.read(64 * 1024), StandardCharsets.UTF_8);
      assertTrue(start.startsWith("id,customer_type,"), start.substring(0, 40));
      // Stalled: the service must stop reading from PostgreSQL, so its transaction stays open, idle, mid-cursor.
      Thread.sleep(1500);
      assertEquals("idle in transaction", exportBackendState(), "the export's cursor is paused, not read to the end into memory");
      Thread.sleep(1000);
      assertEquals("idle in transaction", exportBackendState());

      // Committed while the file is on its way: neither is in it.
      Http writer = anonymous.as(token);
      String added = create(writer, new JsonObject().put("customer_type", "person").put("first_name", "Late").put("last_name", "Comer"))
          .getString("id");
      assertEquals(200, writer.patch("/api/v1/customers/" + lastId, new JsonObject().put("first_name", "Changed"), null).status);

      // A second stalled export is allowed (EXPORTS_MAX_CONCURRENT 2 by default); a third waits 2 s for a slot, then is refused.
      try (SlowDownload second = new SlowDownload(app.config.httpPort(), "/api/v1/exports/customers?format=ndjson", token)) {
        assertEquals(200, second.status);
        long asked = System.nanoTime();
        Http.Reply third = anonymous.as(token).get("/api/v1/exports/customers");
        long waited = (System.nanoTime() - asked) / 1_000_000;
        assertEquals(503, third.status, third.toString());
        assertEquals("SERVICE_UNAVAILABLE", third.error().getString("code"));
        assertTrue(waited >= 1500 && waited < 10_000, "waited " + waited + " ms");
        assertEquals(200, anonymous.as(token).get("/api/v1/customers/search?limit=1").status, "the API's own pool is untouched");
      }

      String rest = new String(slow.readAll(), StandardCharsets.UTF_8);
      String body = start + rest;
      assertEquals(String.valueOf(BULK), slow.trailers.get("x-row-count"));
      assertTrue(lastLine(body).startsWith("# rows=" + BULK + " snapshot_at="), lastLine(body));
      assertFalse(body.contains(added), "a customer created after the snapshot is not in the file");
      assertFalse(body.contains("Changed"), "a change committed after the snapshot is not in the file");
      int lastRow = body.lastIndexOf("\n" + lastId + ",");
      assertTrue(lastRow > 0, "the changed customer is there, as it was");
      assertTrue(body.startsWith(lastId + ",person,Name", lastRow + 1));
      assertEquals(BULK + 2, body.split("\n").length, "header, the rows and the summary");
    }
    Thread.sleep(200);
    assertNull(exportBackendState(), "the snapshot's transaction is over once the file is sent");

    long t0 = System.nanoTime();
    Http.Reply fast = anonymous.as(token).get("/api/v1/exports/customers?format=ndjson");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(200, fast.status);
    assertEquals(BULK + 2, fast.body.split("\n").length, "one more customer now");
    System.out.printf(Locale.ROOT, "ExportsTest: %d customers as NDJSON, %d chars in %d ms%n", BULK + 1, fast.body.length(), ms);
    t0 = System.nanoTime();
    Http.Reply csv = anonymous.as(token).get("/api/v1/exports/customers?format=csv");
    ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(BULK + 3, csv.body.split("\n").length);
    System.out.printf(Locale.ROOT, "ExportsTest: %d customers as CSV, %d chars in %d ms%n", BULK + 1, csv.body.length(), ms);
  }

  @Test
  void aClientThatGoesAwayEndsTheExportAndItsTransaction() throws Exception {
    bulkInsert(org, 20_000);
    String token = app.token(org, "customers:admin");
    try (SlowDownload slow = new SlowDownload(app.config.httpPort(), "/api/v1/exports/customers?format=ndjson", token)) {
      slow.read(1000);
      Thread.sleep(500);
      assertEquals("idle in transaction", exportBackendState());
    }
    long deadline = System.currentTimeMillis() + 5000;
    while (exportBackendState() != null && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertNull(exportBackendState(), "closing the connection rolls the export's transaction back");
    assertEquals(200, admin.get("/api/v1/exports/customers?format=csv").status, "and frees its connection");
  }

  void bulkInsert(UUID organization, int n) throws Exception {
    try (Connection c = app.db.connectAs(app.db.owner().user(), app.db.owner().password()); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + organization + "', true)");
      st.execute("INSERT INTO customers (organization_id, id, customer_type, first_name, last_name, email, notes, tags) "
          + "SELECT '" + organization + "', gen_random_uuid(), 'person', 'Name' || g, 'Last, \"' || g || '\"', 'u' || g || '@example.cl', "
          + "repeat('n', 120), ARRAY['bulk'] FROM generate_series(1, " + n + ") g");
      c.commit();
    }
  }

  /** The state of the app's session that runs a customers export in this database, or null when none is in a transaction. */
  String exportBackendState() throws Exception {
    // As the app's own role: PostgreSQL shows a session's query text only to its role (or superusers).
    try (Connection c = app.db.connectAs(app.config.dbAppUser(), app.config.dbAppPassword());
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT state FROM pg_stat_activity WHERE datname = current_database() AND usename = '"
             + app.config.dbAppUser() + "' AND xact_start IS NOT NULL AND query LIKE '%FROM customers WHERE organization_id = $1%ORDER BY id'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** An HTTP/1.1 client that reads the chunked body only when asked, through a small receive window. */
  static final class SlowDownload implements AutoCloseable {
    final Socket socket = new Socket();
    final InputStream in;
    final int status;
    final Map<String, String> trailers = new HashMap<>();
    private long leftInChunk;
    private boolean ended;

    SlowDownload(int port, String path, String token) throws IOException {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in = new BufferedInputStream(socket.getInputStream(), 1024);
      String statusLine = line();
      status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new HashMap<>();
      for (String h = line(); !h.isEmpty(); h = line()) {
        headers.put(h.substring(0, h.indexOf(':')).toLowerCase(Locale.ROOT), h.substring(h.indexOf(':') + 1).strip());
      }
      assertEquals("chunked", headers.get("transfer-encoding"), headers.toString());
    }

    /** Up to max bytes of the body (fewer at its end). */
    byte[] read(int max) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (body.size() < max && !ended) {
        if (leftInChunk == 0) {
          String size = line();
          leftInChunk = Long.parseLong(size.split(";")[0].strip(), 16);
          if (leftInChunk == 0) {
            for (String t = line(); !t.isEmpty(); t = line()) {
              trailers.put(t.substring(0, t.indexOf(':')).toLowerCase(Locale.ROOT), t.substring(t.indexOf(':') + 1).strip());
            }
            ended = true;
            break;
          }
        }
        byte[] buf = new byte[(int) Math.min(Math.min(leftInChunk, 8192), max - body.size())];
        int n = in.read(buf);
        if (n < 0) {
          throw new IOException("connection closed inside a chunk");
        }
        body.write(buf, 0, n);
        leftInChunk -= n;
        if (leftInChunk == 0) {
          line();
        }
      }
      return body.toByteArray();
    }

    byte[] readAll() throws IOException {
      return read(Integer.MAX_VALUE);
    }

    private String line() throws IOException {
      StringBuilder s = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c != '\r') {
          s.append((char) c);
        }
      }
      return s.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
