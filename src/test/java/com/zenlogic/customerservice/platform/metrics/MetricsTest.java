package com.zenlogic.customerservice.platform.metrics;

import com.zenlogic.customerservice.support.Waits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.http.HealthOnlyVerticle;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /metrics after a short scenario on the real service (PostgreSQL, Redis, RabbitMQ): one customer
 * created and read over REST, read twice over gRPC, points earned (then the same earn again, and a
 * conflicting one), redeemed (then too many), credit used, a payment event consumed and an
 * unreadable POS event dead-lettered. The series and their counts are read from the scraped text,
 * as Prometheus reads them. Also: every metric the Grafana dashboard and the alert rules name is
 * one the service exposes (the list is written to target/metrics-names.txt for scripts/check-deploy).
 */
class MetricsTest {
  static final Path DASHBOARD = Path.of("deploy/grafana/dashboards/customer-service.json");
  static final Path ALERTS = Path.of("deploy/prometheus/alerts.yml");
  static final Pattern METRIC = Pattern.compile("\\b((?:customer|vertx|jvm|process|system)_[a-zA-Z0-9_:]*)");

  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static GrpcTestClient grpc;
  static UUID org = UUID.randomUUID();
  static String customer;
  static Http admin;
  static String before;
  static String scrape;

  @BeforeAll
  static void scenario() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "metrics");
    app = TestApp.start("metrics", Map.of("AMQP_URL", broker.url(), "REDIS_URL", "redis://127.0.0.1:6379",
        "CACHE_KEY_PREFIX", "test-metrics-" + UUID.randomUUID(), "ORDER_SERVICE_GRPC", "127.0.0.1:1",
        "LOYALTY_JOBS_FIRST_RUN_SECONDS", 2));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    admin = new Http(app.config.httpPort()).as(app.token(org, "customers:read", "customers:write", "loyalty:read",
        "loyalty:write", "credit:read", "credit:write", "credit:approve"));
    waitFor(() -> queueExists("customer_pos_queue") && queueExists("customer_payment_queue"), "consumers declared their queues");

    customer = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", "Ferretería Sur"))
        .json().getString("id");
    assertEquals(200, admin.get("/api/v1/customers/" + customer).status);

    before = scrape();
    for (int i = 0; i < 2; i++) {
      assertTrue(grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(customer)
          .setOrganizationId(org.toString()).build(), app.token(org, "customers:read")).ok());
    }

    String loyalty = "/api/v1/customers/" + customer + "/loyalty";
    assertEquals(200, admin.post(loyalty + "/earn", new JsonObject().put("transaction_id", "t-1").put("amount", 1000)).status);
    assertEquals(200, admin.post(loyalty + "/earn", new JsonObject().put("transaction_id", "t-1").put("amount", 1000)).status);
    assertEquals(409, admin.post(loyalty + "/earn", new JsonObject().put("transaction_id", "t-1").put("amount", 5)).status);
    assertEquals(200, admin.post(loyalty + "/redeem", new JsonObject().put("points", 250).put("reference_id", "r-1")).status);
    assertEquals(422, admin.post(loyalty + "/redeem", new JsonObject().put("points", 10_000_000).put("reference_id", "r-2")).status);

    String credit = "/api/v1/customers/" + customer + "/credit";
    admin.post(credit + "/line", new JsonObject().put("credit_limit", "5000").put("currency", "CLP"));
    admin.post(credit + "/line/approve", null);
    assertTrue(admin.post(credit + "/use", new JsonObject().put("order_id", "o-1").put("amount", "800")).json().getBoolean("approved"));
    assertFalse(admin.post(credit + "/use", new JsonObject().put("order_id", "o-2").put("amount", "90000")).json().getBoolean("approved"));

    broker.publish("payment_events", "payment.received", "pay-1", envelope("payment.received", new JsonObject()
        .put("customer_id", customer).put("amount", "300.00").put("payment_reference", "p-1"))).await(10, TimeUnit.SECONDS);
    broker.publishRaw("pos_events", "pos.transaction.completed", "bad-1", "not json").await(10, TimeUnit.SECONDS);

    waitFor(() -> value(scrape(), "customer_ledger_operations_total", "ledger", "credit", "type", "payment", "outcome", "applied") == 1
        && value(scrape(), "customer_consumer_dead_lettered_total", "queue", "customer_pos_queue") == 1
        && value(scrape(), "customer_consumer_messages_ready", "queue", "customer_pos_queue.dead") == 1
        && value(scrape(), "customer_job_runs_total", "job", "loyalty.points-expiry-and-tier-review", "outcome", "success") == 1
        && scrape().contains("customer_outbox_oldest_age_seconds"), "the payment applied, the bad event dead-lettered and counted,"
        + " the loyalty job run, the outbox gauges refreshed");
    scrape = scrape();
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target/metrics-names.txt"), names(scrape));
    Files.writeString(Path.of("target/metrics-scrape.txt"), scrape);
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
    broker.close();
    helper.close();
  }

  @Test
  void restLatencyIsAHistogramPerRouteTemplateNeverPerRawPath() {
    assertTrue(lines(scrape, "vertx_http_server_response_time_seconds_bucket").stream().anyMatch(l ->
        l.contains("route=\"/api/v1/customers/{id}\"") && l.contains("method=\"GET\"") && l.contains("code=\"200\"")
            && l.contains("le=\"0.1\"")), "a bucket line of GET /api/v1/customers/{id}");
    assertEquals(1, value(scrape, "vertx_http_server_response_time_seconds_count", "route", "/api/v1/customers/{id}",
        "method", "GET", "code", "200"));
    assertEquals(1, value(scrape, "vertx_http_server_requests_total", "route", "/api/v1/customers", "method", "POST", "code", "201"));
    assertFalse(scrape.contains(customer), "no raw customer id in any label");
  }

  @Test
  void grpcCallsAreCountedAndTimedPerMethodAndStatus() {
    assertEquals(2, value(scrape, "customer_grpc_calls_total", "method", "GetCustomer", "status", "OK"));
    assertEquals(2, value(scrape, "customer_grpc_call_duration_seconds_count", "method", "GetCustomer", "status", "OK"));
    assertEquals(2, value(scrape, "customer_grpc_call_duration_seconds_bucket", "method", "GetCustomer", "status", "OK", "le", "+Inf"));
    assertTrue(lines(scrape, "customer_grpc_call_duration_seconds_bucket").stream().anyMatch(l -> l.contains("le=\"0.005\"")));
  }

  @Test
  void ledgerOperationsAreCountedByTypeAndOutcome() {
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "loyalty", "type", "earn", "outcome", "applied"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "loyalty", "type", "earn", "outcome", "replayed"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "loyalty", "type", "earn", "outcome", "conflict"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "loyalty", "type", "redeem", "outcome", "applied"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "loyalty", "type", "redeem", "outcome", "refused"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "credit", "type", "use", "outcome", "applied"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "credit", "type", "use", "outcome", "refused"));
    assertEquals(1, value(scrape, "customer_ledger_operations_total", "ledger", "credit", "type", "payment", "outcome", "applied"));
    assertEquals(8, value(scrape, "customer_ledger_operations_total"), "nothing else counted");
  }

  @Test
  void consumersCountDeliveriesDeadLettersAndTheirQueuesLag() {
    assertEquals(1, value(scrape, "customer_consumer_deliveries_total", "queue", "customer_payment_queue"));
    assertEquals(1, value(scrape, "customer_consumer_deliveries_total", "queue", "customer_pos_queue"));
    assertEquals(0, value(scrape, "customer_consumer_redeliveries_total", "queue", "customer_pos_queue"));
    assertEquals(1, value(scrape, "customer_consumer_dead_lettered_total", "queue", "customer_pos_queue"));
    assertEquals(0, value(scrape, "customer_consumer_dead_lettered_total", "queue", "customer_payment_queue"));
    assertEquals(1, value(scrape, "customer_consumer_messages_ready", "queue", "customer_pos_queue.dead"));
    assertEquals(0, value(scrape, "customer_consumer_messages_ready", "queue", "customer_payment_queue"));
    assertEquals(1, value(scrape, "customer_events_consumed_total", "consumer", "customer_payment_consumer", "outcome", "applied"));
  }

  @Test
  void cacheReadsAreCountedPerLevel() {
    double near = delta("customer_cache_hits_total", "level", "near") + delta("customer_cache_misses_total", "level", "near");
    double nearMisses = delta("customer_cache_misses_total", "level", "near");
    double redis = delta("customer_cache_hits_total", "level", "redis") + delta("customer_cache_misses_total", "level", "redis");
    assertEquals(2, near, "two gRPC reads, each asked the near level once");
    assertEquals(nearMisses, redis, "each near miss asked Redis");
    assertTrue(nearMisses >= 1, "the first read found nothing near");
  }

  @Test
  void breakersPoolsOutboxAndJobsAreExposed() {
    assertEquals(0, value(scrape, "customer_breaker_state", "dependency", "redis"));
    assertEquals(0, value(scrape, "customer_breaker_state", "dependency", "order-service"));
    for (String pool : List.of("checkout", "api", "loyalty", "credit", "consumers")) {
      assertEquals(1, lines(scrape, "vertx_pool_in_use").stream().filter(l -> l.contains("pool_name=\"" + pool + "\"")
          && l.contains("pool_type=\"sql\"")).count(), pool);
      assertTrue(lines(scrape, "vertx_pool_queue_time_seconds_bucket").stream()
          .anyMatch(l -> l.contains("pool_name=\"" + pool + "\"")), pool + " wait histogram");
    }
    for (String gauge : List.of("customer_outbox_pending", "customer_outbox_parked", "customer_outbox_oldest_age_seconds")) {
      assertEquals(1, lines(scrape, gauge).size(), gauge);
    }
    assertEquals(1, value(scrape, "customer_job_duration_seconds_count", "job", "loyalty.points-expiry-and-tier-review"));
  }

  @Test
  void aRegisteredBreakerShowsOpenUntilItsOwnerUnregistersIt() throws Exception {
    CircuitBreaker breaker = CircuitBreaker.create("test-dependency", app.vertx, new CircuitBreakerOptions().setMaxFailures(1)
        .setResetTimeout(60_000));
    Breakers.register("test-dependency", breaker);
    assertEquals(0, value(scrape(), "customer_breaker_state", "dependency", "test-dependency"));
    breaker.execute(p -> p.fail("down")).otherwise((Object) null).await(5, TimeUnit.SECONDS);
    assertEquals(2, value(scrape(), "customer_breaker_state", "dependency", "test-dependency"));
    Breakers.unregister("test-dependency", breaker);
    assertEquals(0, value(scrape(), "customer_breaker_state", "dependency", "test-dependency"));
    breaker.close();
  }

  @Test
  void aJobRunIsCountedByOutcomeAndTimed() throws Exception {
    JobMetrics.timed("test.job", () -> Future.failedFuture("broken")).otherwise((Object) null).await(5, TimeUnit.SECONDS);
    JobMetrics.timed("test.job", () -> Future.succeededFuture(1)).await(5, TimeUnit.SECONDS);
    String text = scrape();
    assertEquals(1, value(text, "customer_job_runs_total", "job", "test.job", "outcome", "failure"));
    assertEquals(1, value(text, "customer_job_runs_total", "job", "test.job", "outcome", "success"));
    assertEquals(2, value(text, "customer_job_duration_seconds_count", "job", "test.job"));
  }

  @Test
  void aWorkerHealthServerServesMetricsToOperators() throws Exception {
    int port = TestApp.freePort();
    AppConfig worker = AppConfig.from(new JsonObject().put("HTTP_PORT", port).put("GRPC_PORT", TestApp.freePort())
        .put("DB_URL", app.config.dbUrl()).put("DB_APP_USER", app.config.dbAppUser())
        .put("DB_APP_PASSWORD", app.config.dbAppPassword()).put("JWT_HS256_SECRET", TestApp.SECRET));
    DbUrl runtime = DbUrl.parse("DB_URL", worker.dbUrl()).as(worker.dbAppUser(), worker.dbAppPassword());
    String id = app.vertx.deployVerticle(new HealthOnlyVerticle(worker, runtime)).await(20, TimeUnit.SECONDS);
    try {
      Http.Reply metrics = new Http(port).get("/metrics");
      assertEquals(200, metrics.status);
      assertTrue(metrics.body.contains("customer_consumer_deliveries_total"), "the process's own figures");
      assertTrue(lines(metrics.body, "vertx_pool_in_use").stream().anyMatch(l -> l.contains("pool_name=\"health\"")));
      assertEquals(200, new Http(port).get("/health").status);
    } finally {
      app.vertx.undeploy(id).await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsNameIsExposed() throws Exception {
    Set<String> exposed = new TreeSet<>(names(scrape));
    List<String> expressions = new ArrayList<>();
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonArray targets = ((JsonObject) p).getJsonArray("targets");
      if (targets != null) {
        targets.forEach(t -> expressions.add(((JsonObject) t).getString("expr")));
      }
    }
    expressions.addAll(alertExpressions(Files.readAllLines(ALERTS)));
    assertTrue(expressions.size() > 20, "the dashboard and the alerts were read: " + expressions.size());
    Set<String> unknown = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = METRIC.matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
      while (m.find()) {
        if (!exposed.contains(m.group(1))) {
          unknown.add(m.group(1));
        }
      }
    }
    assertEquals(Set.of(), unknown, "metrics named by the dashboard or the alerts that the service does not expose");
  }

  /** The expr: values of a Prometheus rules file, one line or a block (| or >) under it. */
  static List<String> alertExpressions(List<String> lines) {
    List<String> exprs = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int at = line.indexOf("expr:");
      if (at < 0 || !line.substring(0, at).isBlank()) {
        continue;
      }
      String value = line.substring(at + 5).trim();
      if (value.startsWith("|") || value.startsWith(">")) {
        StringBuilder b = new StringBuilder();
        while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indent(lines.get(i + 1)) > at)) {
          b.append(lines.get(++i).trim()).append(' ');
        }
        value = b.toString();
      }
      exprs.add(value);
    }
    return exprs;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  /** The metric names of a scrape, with histogram and summary series also under their family name. */
  static List<String> names(String text) {
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int end = line.indexOf('{');
      String name = line.substring(0, end > 0 ? end : line.indexOf(' '));
      names.add(name);
      for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
        if (name.endsWith(suffix)) {
          names.add(name.substring(0, name.length() - suffix.length()));
        }
      }
    }
    return new ArrayList<>(names);
  }

  static String scrape() {
    Http.Reply r = new Http(app.config.httpPort()).get("/metrics");
    assertEquals(200, r.status);
    return r.body;
  }

  static List<String> lines(String text, String name) {
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        found.add(line);
      }
    }
    return found;
  }

  /** The sum of the series of {@code name} that carry all the given label pairs (0 when none). */
  static double value(String text, String name, String... labels) {
    double sum = 0;
    for (String line : lines(text, name)) {
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static double delta(String name, String... labels) {
    return value(scrape, name, labels) - value(before, name, labels);
  }

  static JsonObject envelope(String type, JsonObject data) {
    return new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", type)
        .put("schema_version", 1).put("occurred_at", Instant.now().minusSeconds(60).toString()).put("organization_id", org.toString())
        .put("source", "payment-service").put("correlation_id", "c-" + UUID.randomUUID()).put("data", data);
  }

  static boolean queueExists(String queue) {
    try {
      broker.client.messageCount(queue).await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    Waits.waitFor(condition, what, 40_000);
  }
}
