package com.zenlogic.customerservice.imports;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.support.CustomerFiles;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk import (issue #17) end to end over REST, against the real database: exact counts, the
 * rejected-rows report, re-import, resume after the service stops mid-import, the upload's
 * errors, tenant isolation, and checkout reads answering while a file imports.
 */
class ImportTest {
  static final String[] ALL = {"customers:read", "customers:write", "loyalty:read", "loyalty:write"};
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final long MAX_BYTES = 24L * 1024 * 1024;

  static Path spool;
  static Path files;
  static TestApp app;
  static GrpcTestClient grpc;

  UUID org;
  String token;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    spool = Files.createTempDirectory("import-spool");
    files = Files.createTempDirectory("import-files");
    app = TestApp.start("imports", Map.of("IMPORT_SPOOL_DIR", spool.toString(), "IMPORT_MAX_BYTES", MAX_BYTES));
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
    token = app.token(org, ALL);
    admin = new Http(app.config.httpPort()).as(token);
  }

  @Test
  void aCsvFileImportsWithExactCountsOpeningPointsAndTheRejectedRowsReport() throws Exception {
    String csv = """
        external_id,customer_type,first_name,last_name,legal_name,email,phone,document_type,document_number,tags,status,opening_points
        ERP-1,person,Ana,Rojas,,ANA@Example.com,9 4123 4567,rut,12.345.678-5,vip|web,,1200
        ERP-2,company,,,"Ferretería Sur, Ltda.",compras@sur.cl,,,,,,0
        ERP-3,person,Luis,,,luis@example.com,,,,,,
        ERP-4,person,Eva,Soto,,not-an-email,,,,,,50
        ERP-1,person,Ana,Again,,ana2@example.com,,,,,,7
        ,person,No,Id,,noid@example.com,,,,,,
        ERP-7,person,"Mar""ta",Díaz,,marta@example.com,+56 9 8765 4321,,,,blocked,300
        """;
    JsonObject started = upload(csv.getBytes(StandardCharsets.UTF_8), "text/csv", token);
    JsonObject done = waitDone(started.getString("id"));
    assertEquals(3, done.getLong("created"), () -> done.encode() + " " + rejectedOrError(started.getString("id")));
    assertEquals(7, done.getLong("rows_read"));
    assertEquals(3, done.getLong("created"));
    assertEquals(0, done.getLong("updated"));
    assertEquals(4, done.getLong("rejected"));
    assertEquals(1500, done.getLong("opening_points"));
    assertEquals(100.0, done.getDouble("percent"));

    JsonObject ana = only(admin.get("/api/v1/customers/search?email=ana@example.com").json());
    assertEquals("+56941234567", ana.getString("phone"));
    assertEquals("12345678-5", ana.getString("document_number"));
    assertEquals("ERP-1", ana.getString("external_id"));
    assertEquals(List.of("vip", "web"), ana.getJsonArray("tags").getList());
    assertEquals(1200, admin.get("/api/v1/customers/" + ana.getString("id") + "/loyalty").json().getLong("balance"));
    JsonObject company = only(admin.get("/api/v1/customers/search?email=compras@sur.cl").json());
    assertEquals("Ferretería Sur, Ltda.", company.getString("legal_name"));
    JsonObject marta = only(admin.get("/api/v1/customers/search?email=marta@example.com").json());
    assertEquals("Mar\"ta", marta.getString("first_name"));
    assertEquals("blocked", marta.getString("status"));
    assertLedgerMatches(1500, 2);

    List<String> report = rejected(started.getString("id"), "csv");
    assertEquals(List.of("row_number,external_id,field,reason",
        "3,ERP-3,last_name,is required for a person",
        "4,ERP-4,email,is not an email address",
        "5,ERP-1,external_id,repeats the external_id of an earlier row of this file",
        "6,,external_id,is required to import a customer"), report);
  }

  @Test
  void anExportOfCustomersImportsAsItIsIntoAnotherOrganizationInBothFormats() throws Exception {
    String csv = """
        external_id,customer_type,first_name,last_name,legal_name,email,phone,tags,notes
        EXP-1,person,Ana,"Rojas, Pérez",,ana@example.com,9 4123 4567,vip|web,"line one
        line two"
        EXP-2,company,,,"Ferretería ""Sur"" Ltda.",compras@sur.cl,,,
        EXP-3,person,Luis,Díaz,,,,,
        """;
    assertEquals(3, waitDone(upload(csv.getBytes(StandardCharsets.UTF_8), "text/csv", token).getString("id")).getLong("created"));
    String exporter = app.token(org, "customers:admin");
    for (String format : List.of("csv", "ndjson")) {
      HttpResponse<String> file = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.config.httpPort()
          + "/api/v1/exports/customers?format=" + format)).header("Authorization", "Bearer " + exporter).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, file.statusCode(), file.body());
      UUID other = UUID.randomUUID();
      String otherToken = app.token(other, ALL);
      JsonObject done = waitDone(new Http(app.config.httpPort()).as(otherToken), upload(app.config.httpPort(),
          file.body().getBytes(StandardCharsets.UTF_8), format.equals("csv") ? "text/csv" : "application/x-ndjson", otherToken)
          .getString("id"));
      assertEquals(3, done.getLong("rows_read"), format + " " + done.encode());
      assertEquals(3, done.getLong("created"), format + " " + done.encode());
      assertEquals(0, done.getLong("rejected"), format + " " + done.encode());
      JsonObject ana = only(new Http(app.config.httpPort()).as(otherToken).get("/api/v1/customers/search?external_id=EXP-1").json());
      assertEquals("Rojas, Pérez", ana.getString("last_name"));
      assertEquals("line one\nline two", ana.getString("notes"));
      assertEquals(List.of("vip", "web"), ana.getJsonArray("tags").getList());
      assertEquals("+56941234567", ana.getString("phone"));
    }
  }

  @Test
  void hostileCellsAreRejectedPerRowNamingTheFieldAndNumericLookingTextStaysText() throws Exception {
    String csv = "external_id,customer_type,first_name,last_name,phone,opening_points\n"
        + "007,person,Ana,Rojas,+56941234567,1\n"
        + "H-2,person,Exp,Onent,,1e8000000\n"
        + "H-3,person,Half,Point,,12.5\n"
        + "H-4,person,Nul\u0000l,Byte,,\n"
        + "H-5,person,Big,Number,,99999999999999999999999\n";
    long t0 = System.nanoTime();
    JsonObject done = waitDone(upload(csv.getBytes(StandardCharsets.UTF_8), "text/csv", token).getString("id"));
    assertTrue(System.nanoTime() - t0 < 60_000_000_000L);
    assertEquals(5, done.getLong("rows_read"));
    assertEquals(1, done.getLong("created"));
    assertEquals(4, done.getLong("rejected"));
    assertEquals(1, done.getLong("opening_points"));
    JsonObject ana = only(admin.get("/api/v1/customers/search?external_id=007").json());
    assertEquals("007", ana.getString("external_id"));
    List<String> fields = rejected(done.getString("id"), "ndjson").stream().map(l -> new JsonObject(l).getString("field")).toList();
    assertEquals(List.of("opening_points", "opening_points", "first_name", "opening_points"), fields);

    String ndjson = "{\"external_id\":8,\"customer_type\":\"person\",\"first_name\":\"A\",\"last_name\":\"B\"}\n"
        + "{\"external_id\":\"H-7\",\"customer_type\":\"person\",\"first_name\":\"A\",\"last_name\":\"B\",\"opening_points\":1e400}\n"
        + "{\"external_id\":\"H-8\",\"customer_type\":\"person\",\"first_name\":\"A\",\"last_name\":\"B\",\"opening_points\":\"5\"}\n"
        + "{\"external_id\":\"H-9\",\"customer_type\":[\"person\"],\"first_name\":\"A\",\"last_name\":\"B\"}\n";
    JsonObject second = waitDone(upload(ndjson.getBytes(StandardCharsets.UTF_8), "application/x-ndjson", token).getString("id"));
    assertEquals(4, second.getLong("rows_read"));
    assertEquals(4, second.getLong("rejected"), () -> second.encode() + " " + rejectedOrError(second.getString("id")));
    assertLedgerMatches(1, 1);
  }

  @Test
  void anNdjsonFileImportsAndNamesUnknownFieldsAndWrongTypesPerRow() throws Exception {
    String ndjson = """
        {"external_id":"N-1","customer_type":"person","first_name":"Ana","last_name":"Rojas","tags":["a","b"],"opening_points":10}
        {"external_id":"N-2","customer_type":"company","legal_name":"Sur SpA","nickname":"x"}

        {"external_id":"N-3","customer_type":"person","first_name":5,"last_name":"Soto"}
        not json
        {"external_id":"N-4","customer_type":"person","first_name":"Eva","last_name":"Paz","opening_points":-3}
        {"external_id":"N-5","customer_type":"person","first_name":"Leo","last_name":"Paz","document_type":"rut","document_number":"12.345.678-9"}
        {"external_id":"N-6","customer_type":"person","first_name":"Iris","last_name":"Paz"}
        """;
    JsonObject started = upload(ndjson.getBytes(StandardCharsets.UTF_8), "application/x-ndjson", token);
    JsonObject done = waitDone(started.getString("id"));
    assertEquals(7, done.getLong("rows_read"));
    assertEquals(2, done.getLong("created"));
    assertEquals(5, done.getLong("rejected"));
    assertEquals(10, done.getLong("opening_points"));
    List<String> report = rejected(started.getString("id"), "ndjson");
    assertEquals(5, report.size());
    assertEquals(new JsonObject().put("row_number", 2).put("external_id", "N-2").put("field", "nickname")
        .put("reason", "is not a customer field"), new JsonObject(report.get(0)));
    assertEquals("first_name", new JsonObject(report.get(1)).getString("field"));
    assertEquals("row", new JsonObject(report.get(2)).getString("field"));
    assertEquals(4, new JsonObject(report.get(2)).getLong("row_number"));
    assertEquals("opening_points", new JsonObject(report.get(3)).getString("field"));
    assertEquals(new JsonObject().put("row_number", 6).put("external_id", "N-5").put("field", "document_number")
        .put("reason", "has a wrong RUT check digit"), new JsonObject(report.get(4)));
    assertLedgerMatches(10, 1);
  }

  @Test
  void aGeneratedFileOfAHundredThousandRowsReportsEveryBadRowWhileCheckoutReadsKeepAnswering() throws Exception {
    JsonObject holder = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Held")
        .put("last_name", "Phone").put("phone", "+56987654321").put("external_id", "HOLDER")).json();
    Path file = files.resolve("g100k-" + org + ".csv");
    CustomerFiles.Expected expected = CustomerFiles.write(file, CustomerFiles.Format.CSV, 100_000, 0.01, "G", 1, "+56987654321");
    assertEquals(1000, expected.bad());

    AtomicBoolean importing = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong slowest = new AtomicLong();
    Thread checkout = new Thread(() -> {
      GetCustomerRequest request = GetCustomerRequest.newBuilder().setCustomerId(holder.getString("id")).build();
      while (importing.get()) {
        long t0 = System.nanoTime();
        GrpcTestClient.Reply<?> r = grpc.call(CustomerServiceGrpcClient.GetCustomer, request, token);
        slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
        (r.ok() ? reads : failures).incrementAndGet();
      }
    });
    long t0 = System.nanoTime();
    JsonObject started = upload(Files.readAllBytes(file), "text/csv", token);
    checkout.start();
    JsonObject done;
    try {
      done = waitDone(started.getString("id"));
    } finally {
      importing.set(false);
      checkout.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("import 100000 rows (%d bytes): %.1f s, %.0f rows/s; GetCustomer during it: %d ok, %d failed, slowest %d ms%n",
        expected.bytes(), seconds, 100_000 / seconds, reads.get(), failures.get(), slowest.get());

    assertEquals(100_000, done.getLong("rows_read"));
    assertEquals(expected.valid(), done.getLong("created"));
    assertEquals(expected.bad(), done.getLong("rejected"));
    assertEquals(expected.openingPoints(), done.getLong("opening_points"));
    assertEquals(0, failures.get());
    assertTrue(reads.get() > 0, "checkout reads ran during the import");
    assertEquals(expected.valid() + 1, app.db.count(org, "SELECT count(*) FROM customers WHERE organization_id = '" + org + "'"));
    assertLedgerMatches(expected.openingPoints(), -1);

    List<String> report = rejected(started.getString("id"), "csv");
    assertEquals(expected.bad() + 1, report.size());
    Map<CustomerFiles.Bad, Long> byKind = new HashMap<>();
    for (String line : report.subList(1, report.size())) {
      String[] cells = line.split(",", 4);
      CustomerFiles.Bad kind = expected.badRows().get(Long.parseLong(cells[0]));
      assertEquals(kind.field, cells[2], line);
      byKind.merge(kind, 1L, Long::sum);
    }
    assertEquals(expected.badByKind(), byKind);
    assertTrue(report.contains(expected.badRows().entrySet().stream().filter(e -> e.getValue() == CustomerFiles.Bad.PHONE_COLLISION)
        .findFirst().map(e -> e.getKey() + ",G" + e.getKey() + ",phone,Another customer already has this phone").orElseThrow()));
  }

  @Test
  void importingTheSameFileAgainChangesNothingAndNeverDoublesPoints() throws Exception {
    admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Held").put("last_name", "Phone")
        .put("phone", "+56933333333").put("external_id", "HOLDER"));
    Path file = files.resolve("again-" + org + ".ndjson");
    CustomerFiles.Expected expected = CustomerFiles.write(file, CustomerFiles.Format.NDJSON, 5_000, 0.02, "R", 2, "+56933333333");
    JsonObject first = waitDone(upload(Files.readAllBytes(file), "application/x-ndjson", token).getString("id"));
    assertEquals(expected.valid(), first.getLong("created"));
    JsonObject second = waitDone(upload(Files.readAllBytes(file), "application/x-ndjson", token).getString("id"));
    assertEquals(5_000, second.getLong("rows_read"));
    assertEquals(0, second.getLong("created"));
    assertEquals(0, second.getLong("updated"));
    assertEquals(expected.valid(), second.getLong("unchanged"));
    assertEquals(expected.bad(), second.getLong("rejected"));
    assertEquals(0, second.getLong("opening_points"));
    assertEquals(expected.valid() + 1, app.db.count(org, "SELECT count(*) FROM customers WHERE organization_id = '" + org + "'"));
    assertLedgerMatches(expected.openingPoints(), -1);

    // A changed row updates its customer; another opening figure for the same customer is refused, the first one stays.
    String changed = "external_id,customer_type,first_name,last_name,opening_points\nR1,person,Renamed,Last1,\nR2,person,Name2,Last2,\n"
        + "R5,person,Other,Last5,999\n";
    JsonObject third = waitDone(upload(changed.getBytes(StandardCharsets.UTF_8), "text/csv", token).getString("id"));
    assertEquals(1, third.getLong("updated"));
    assertEquals(1, third.getLong("unchanged"));
    assertEquals(1, third.getLong("rejected"));
    assertEquals(List.of("row_number,external_id,field,reason", "3,R5,opening_points,an opening balance of 6 points was already imported"
        + " for this customer"), rejected(third.getString("id"), "csv"));
    assertEquals("Renamed", only(admin.get("/api/v1/customers/search?email=r1@example.com").json()).getString("first_name"));
    assertEquals("Name5", only(admin.get("/api/v1/customers/search?email=r5@example.com").json()).getString("first_name"));
    assertLedgerMatches(expected.openingPoints(), -1);
  }

  @Test
  void anImportInterruptedByAStoppedServiceResumesOnTheNextOneWithoutDuplicates() throws Exception {
    Path resumeSpool = Files.createTempDirectory("import-resume");
    Map<String, Object> settings = Map.of("IMPORT_SPOOL_DIR", resumeSpool.toString(), "IMPORT_BATCH_ROWS", 500);
    TestApp first = TestApp.start("importresume", settings);
    TestApp second = null;
    try {
      String t = first.token(org, ALL);
      assertEquals(201, new Http(first.config.httpPort()).as(t).post("/api/v1/customers", new JsonObject().put("customer_type", "person")
          .put("first_name", "Held").put("last_name", "Phone").put("phone", "+56922222222").put("external_id", "HOLDER")).status);
      Path file = files.resolve("resume-" + org + ".csv");
      CustomerFiles.Expected expected = CustomerFiles.write(file, CustomerFiles.Format.CSV, 60_000, 0.01, "S", 3, "+56922222222");
      String id = upload(first.config.httpPort(), Files.readAllBytes(file), "text/csv", t).getString("id");
      Http firstAdmin = new Http(first.config.httpPort()).as(t);
      waitFor(() -> firstAdmin.get("/api/v1/imports/" + id).json().getLong("rows_read") >= 5_000, "some batches committed", 60_000);
      first.vertx.close().toCompletionStage().toCompletableFuture().get();
      long committed = first.db.count(org, "SELECT rows_read FROM customer_imports WHERE id = '" + id + "'");
      assertTrue(committed < 60_000, "stopped mid-import at row " + committed);

      second = TestApp.startSibling(first, settings);
      Http secondAdmin = new Http(second.config.httpPort()).as(t);
      JsonObject done = waitDone(secondAdmin, id);
      assertEquals(60_000, done.getLong("rows_read"));
      assertEquals(expected.valid(), done.getLong("created"));
      assertEquals(expected.bad(), done.getLong("rejected"));
      assertEquals(expected.openingPoints(), done.getLong("opening_points"));
      assertEquals(expected.valid() + 1, first.db.count(org, "SELECT count(*) FROM customers WHERE organization_id = '" + org + "'"));
      assertEquals(expected.bad(), first.db.count(org, "SELECT count(*) FROM customer_import_rejections WHERE import_id = '" + id + "'"));
      assertEquals(expected.openingPoints(), first.db.count(org, "SELECT coalesce(sum(points), 0) FROM loyalty_ledger"));
      assertEquals(expected.openingPoints(), first.db.count(org, "SELECT coalesce(sum(balance), 0) FROM loyalty_accounts"));
      System.out.printf("resume: stopped after %d committed rows, finished on the second node%n", committed);
    } finally {
      if (second != null) {
        second.close();
      }
      first.db.close();
    }
  }

  @Test
  void aWrongContentTypeATooLargeUploadAndABadHeaderAreRefusedNamingTheProblem() throws Exception {
    HttpResponse<String> json = send(app.config.httpPort(), "{}".getBytes(), "application/json", token);
    assertEquals(415, json.statusCode());
    assertEquals("UNSUPPORTED_IMPORT_TYPE", error(json).getString("code"));
    assertTrue(error(json).getString("message").contains("application/json"));
    assertEquals(415, send(app.config.httpPort(), "a".getBytes(), "text/csv; charset=latin1", token).statusCode());

    HttpResponse<String> unknown = send(app.config.httpPort(), "external_id,customer_type,nickname\nX,person,Y\n".getBytes(), "text/csv", token);
    assertEquals(400, unknown.statusCode());
    assertEquals("header", error(unknown).getString("field"));
    assertTrue(error(unknown).getString("message").contains("unknown column 'nickname'"), unknown.body());
    HttpResponse<String> missing = send(app.config.httpPort(), "customer_type,first_name\nperson,Y\n".getBytes(), "text/csv", token);
    assertEquals(400, missing.statusCode());
    assertTrue(error(missing).getString("message").contains("'external_id' is required"), missing.body());
    HttpResponse<String> twice = send(app.config.httpPort(), "external_id,customer_type,email,email\n".getBytes(), "text/csv", token);
    assertTrue(error(twice).getString("message").contains("'email' appears twice"), twice.body());
    assertEquals(400, send(app.config.httpPort(), new byte[0], "application/x-ndjson", token).statusCode());

    Path big = files.resolve("big-" + org + ".csv");
    byte[] line = "X1,person,Name,Last\n".getBytes();
    try (var out = Files.newOutputStream(big)) {
      out.write("external_id,customer_type,first_name,last_name\n".getBytes());
      for (long written = 0; written <= MAX_BYTES; written += line.length) {
        out.write(line);
      }
    }
    HttpResponse<String> declared = CLIENT.send(request(app.config.httpPort(), token, "text/csv")
        .POST(HttpRequest.BodyPublishers.ofFile(big)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(413, declared.statusCode());
    assertEquals("IMPORT_TOO_LARGE", error(declared).getString("code"));
    HttpResponse<String> streamed = CLIENT.send(request(app.config.httpPort(), token, "text/csv")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> {
          try {
            return Files.newInputStream(big);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        })).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(413, streamed.statusCode());
    assertEquals(0, app.db.count(org, "SELECT count(*) FROM customer_imports"));
    waitFor(() -> {
      try (var left = Files.list(spool.resolve(org.toString()))) {
        return left.count() == 0;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, "refused uploads leave nothing in the spool");
  }

  @Test
  void anotherOrganizationsImportIsNotFound() throws Exception {
    String id = waitDone(upload("external_id,customer_type,first_name,last_name\nT1,person,A,B\n".getBytes(), "text/csv", token)
        .getString("id")).getString("id");
    Http other = new Http(app.config.httpPort()).as(app.token(UUID.randomUUID(), ALL));
    assertEquals(404, other.get("/api/v1/imports/" + id).status);
    assertEquals("IMPORT_NOT_FOUND", other.get("/api/v1/imports/" + id).error().getString("code"));
    assertEquals(404, other.get("/api/v1/imports/" + id + "/rejected").status);
    assertEquals(401, new Http(app.config.httpPort()).get("/api/v1/imports/" + id).status);
    Http reader = new Http(app.config.httpPort()).as(app.token(org, "customers:read"));
    assertEquals(403, send(app.config.httpPort(), "external_id,customer_type\n".getBytes(), "text/csv", app.token(org, "customers:read"))
        .statusCode());
    assertEquals(200, reader.get("/api/v1/imports/" + id).status);
  }

  @Test
  void theApiRefusesASecondLiveCustomerWithTheSameExternalId() {
    JsonObject body = new JsonObject().put("customer_type", "person").put("first_name", "A").put("last_name", "B").put("external_id", "E-1");
    assertEquals(201, admin.post("/api/v1/customers", body).status);
    Http.Reply again = admin.post("/api/v1/customers", body);
    assertEquals(409, again.status);
    assertEquals("external_id", again.error().getString("field"));
  }

  // --- helpers ---

  private JsonObject upload(byte[] body, String contentType, String bearer) throws Exception {
    return upload(app.config.httpPort(), body, contentType, bearer);
  }

  private static JsonObject upload(int port, byte[] body, String contentType, String bearer) throws Exception {
    HttpResponse<String> r = send(port, body, contentType, bearer);
    assertEquals(202, r.statusCode(), r.body());
    JsonObject json = new JsonObject(r.body());
    assertEquals("/api/v1/imports/" + json.getString("id"), r.headers().firstValue("Location").orElseThrow());
    return json;
  }

  private static HttpResponse<String> send(int port, byte[] body, String contentType, String bearer) throws Exception {
    return CLIENT.send(request(port, bearer, contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(int port, String bearer, String contentType) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/imports")).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + bearer).header("Content-Type", contentType);
  }

  private static JsonObject error(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonObject("error");
  }

  private JsonObject waitDone(String id) throws InterruptedException {
    return waitDone(admin, id);
  }

  private static JsonObject waitDone(Http http, String id) throws InterruptedException {
    JsonObject[] last = {null};
    waitFor(() -> {
      last[0] = http.get("/api/v1/imports/" + id).json();
      return !"running".equals(last[0].getString("status"));
    }, "import " + id + " ends", 120_000);
    assertEquals("done", last[0].getString("status"), last[0].encode());
    long sum = last[0].getLong("created") + last[0].getLong("updated") + last[0].getLong("unchanged") + last[0].getLong("rejected");
    assertEquals(last[0].getLong("rows_read"), sum);
    return last[0];
  }

  private List<String> rejected(String id, String format) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.config.httpPort()
        + "/api/v1/imports/" + id + "/rejected?format=" + format)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    List<String> lines = new ArrayList<>(r.body().lines().toList());
    return lines;
  }

  private String rejectedOrError(String id) {
    try {
      return String.join("\n", rejected(id, "csv"));
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static JsonObject only(JsonObject page) {
    assertEquals(1, page.getJsonArray("items").size(), page.encode());
    return page.getJsonArray("items").getJsonObject(0);
  }

  /** Σ ledger = Σ balances = the opening points imported; accounts counted when {@code accounts} >= 0. */
  private void assertLedgerMatches(long points, long accounts) {
    assertEquals(points, app.db.count(org, "SELECT coalesce(sum(points), 0) FROM loyalty_ledger"));
    assertEquals(points, app.db.count(org, "SELECT coalesce(sum(balance), 0) FROM loyalty_accounts"));
    assertEquals(points, app.db.count(org, "SELECT coalesce(sum(remaining), 0) FROM loyalty_lots"));
    if (accounts >= 0) {
      assertEquals(accounts, app.db.count(org, "SELECT count(*) FROM loyalty_accounts"));
    }
  }
}
