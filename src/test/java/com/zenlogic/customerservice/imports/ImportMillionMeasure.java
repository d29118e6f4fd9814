package com.zenlogic.customerservice.imports;

import static com.zenlogic.customerservice.support.Waits.waitFor;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.support.CustomerFiles;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The issue #15 measurement, not a test of the suite (its name does not end in Test): a million
 * rows imported through the API against COPY of the same CSV into a bare table with psql, with
 * checkout reads (gRPC GetCustomer) running meanwhile. Figures go to docs/import.md.
 * Run: mvn -o test -Dtest=ImportMillionMeasure -Dimport.rows=1000000
 */
class ImportMillionMeasure {
  @Test
  void aMillionRowsAgainstCopy() throws Exception {
    int rows = Integer.getInteger("import.rows", 1_000_000);
    Path spool = Files.createTempDirectory("import-spool");
    Path file = Files.createTempFile("million", ".csv");
    UUID org = UUID.randomUUID();
    try (TestApp app = TestApp.start("importmillion", Map.of("IMPORT_SPOOL_DIR", spool.toString(), "IMPORT_MAX_BYTES", 1L << 31));
         GrpcTestClient grpc = new GrpcTestClient(app.vertx, app.config.grpcPort())) {
      String token = app.token(org, "customers:read", "customers:write");
      Http admin = new Http(app.config.httpPort()).as(token);
      String holder = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Held")
          .put("last_name", "Phone").put("phone", "+56987654321").put("external_id", "HOLDER")).json().getString("id");
      CustomerFiles.Expected expected = CustomerFiles.write(file, CustomerFiles.Format.CSV, rows, 0.001, "M", 4, "+56987654321");

      var owner = app.db.owner();
      String psqlUrl = "postgresql://" + owner.user() + ":" + owner.password() + "@" + owner.host() + ":" + owner.port() + "/" + owner.database();
      psql(psqlUrl, "CREATE TABLE bare_customers (external_id text, customer_type text, first_name text, last_name text, email text,"
          + " phone text, document_type text, document_number text, tags text, opening_points text)");
      long c0 = System.nanoTime();
      psql(psqlUrl, "\\copy bare_customers FROM '" + file + "' WITH (FORMAT csv, HEADER true)");
      double copySeconds = (System.nanoTime() - c0) / 1e9;

      AtomicBoolean importing = new AtomicBoolean(true);
      AtomicLong reads = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      AtomicLong slowest = new AtomicLong();
      Thread checkout = new Thread(() -> {
        GetCustomerRequest request = GetCustomerRequest.newBuilder().setCustomerId(holder).build();
        while (importing.get()) {
          long t0 = System.nanoTime();
          boolean ok = grpc.call(CustomerServiceGrpcClient.GetCustomer, request, token).ok();
          slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
          (ok ? reads : failures).incrementAndGet();
        }
      });
      long t0 = System.nanoTime();
      HttpResponse<String> started = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + app.config.httpPort() + "/api/v1/imports?file_name=million.csv"))
          .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token).header("Content-Type", "text/csv")
          .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
      double uploadSeconds = (System.nanoTime() - t0) / 1e9;
      String id = new JsonObject(started.body()).getString("id");
      checkout.start();
      JsonObject[] last = {null};
      try {
        waitFor(() -> !"running".equals((last[0] = admin.get("/api/v1/imports/" + id).json()).getString("status")), "import ends", 3_600_000);
      } finally {
        importing.set(false);
        checkout.join();
      }
      double importSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("MEASURE rows=%d bytes=%d copy=%.2fs upload=%.2fs import(incl. upload)=%.2fs ratio=%.1fx rows/s=%.0f%n",
          rows, expected.bytes(), copySeconds, uploadSeconds, importSeconds, importSeconds / copySeconds, rows / importSeconds);
      System.out.printf("MEASURE result %s%n", last[0].encode());
      System.out.printf("MEASURE expected created=%d rejected=%d opening_points=%d; GetCustomer during import: %d ok, %d failed, slowest %d ms%n",
          expected.valid(), expected.bad(), expected.openingPoints(), reads.get(), failures.get(), slowest.get());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void psql(String url, String command) throws Exception {
    Process p = new ProcessBuilder("psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("psql " + command + ": " + out);
    }
  }
}
