package com.zenlogic.customerservice.cluster;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentRequest;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditRequest;
import com.zenlogic.customerservice.support.ClusterNodes;
import com.zenlogic.customerservice.support.ClusterNodes.Node;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TcpProxy;
import com.zenlogic.customerservice.support.TestBroker;
import com.zenlogic.customerservice.support.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Several service JVMs on 127.0.0.1 on one database, Redis prefix and broker vhost: first 1 api + 2
 * workers (each worker's event bus behind a TCP proxy), then 3 × all. Run by scripts/cluster-test.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  private static final int LEASE_SECONDS = 5;
  private static final String[] PERMISSIONS = {"customers:read", "customers:write", "loyalty:read", "loyalty:write",
      "credit:read", "credit:write", "credit:approve", "segments:read", "segments:write"};

  static Vertx helper;
  static TestDatabase db;
  static TestBroker broker;
  static ClusterNodes cluster;
  static Node api;
  static Node worker1;
  static Node worker2;
  static TcpProxy bus1;
  static TcpProxy bus2;
  static GrpcTestClient grpc;
  static UUID org = UUID.randomUUID();
  static String token = ClusterNodes.token(org, PERMISSIONS);

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    db = TestDatabase.create("cluster");
    broker = TestBroker.create(helper, "cluster");
    cluster = new ClusterNodes(db, broker.url(), LEASE_SECONDS);
    // The workers advertise their proxy as event-bus address, so the test can cut api ⇄ worker.
    worker1 = startWorkerBehindProxy("worker-1", 1);
    cluster.awaitReady(worker1, Duration.ofSeconds(120));
    worker2 = startWorkerBehindProxy("worker-2", 2);
    api = cluster.start("api-1", "api");
    cluster.awaitReady(worker2, Duration.ofSeconds(120));
    cluster.awaitReady(api, Duration.ofSeconds(120));
    grpc = new GrpcTestClient(helper, api.grpcPort);
    waitFor(ClusterTest::queuesDeclared, "the consumers declared their queues", 60_000);
  }

  private static Node startWorkerBehindProxy(String name, int which) throws Exception {
    int busPort = ClusterNodes.listenPort();
    TcpProxy proxy = new TcpProxy(helper, busPort);
    if (which == 1) {
      bus1 = proxy;
    } else {
      bus2 = proxy;
    }
    return cluster.start(name, "worker", Map.of("CLUSTER_BUS_PORT", Integer.toString(busPort),
        "CLUSTER_BUS_PUBLIC_PORT", Integer.toString(proxy.port())));
  }

  @AfterAll
  static void stop() throws Exception {
    if (grpc != null) {
      grpc.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    for (TcpProxy p : new TcpProxy[] {bus1, bus2}) {
      if (p != null) {
        p.close();
      }
    }
    if (broker != null) {
      broker.close();
    }
    if (db != null) {
      db.close();
    }
    helper.close();
  }

  static boolean queuesDeclared() {
    try {
      broker.client.messageCount("customer_pos_queue").await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  static long sql(String query) {
    return db.count(org, query);
  }

  static String leaseHolder(String job) {
    return db.scalar(org, "SELECT coalesce((SELECT holder FROM job_leases WHERE name = '" + job + "' AND expires_at > now()), '')");
  }

  /** Creates a customer with an approved credit line through the node; answers its id. */
  static String customerWithCredit(Http rest, String name) {
    Http.Reply created = rest.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", name)
        .put("last_name", "Cluster"));
    assertEquals(201, created.status, created.toString());
    String id = created.json().getString("id");
    Http.Reply line = rest.post("/api/v1/customers/" + id + "/credit/line", new JsonObject().put("credit_limit", "1000000")
        .put("currency", "CLP"));
    assertTrue(line.status / 100 == 2, line.toString());
    Http.Reply approved = rest.post("/api/v1/customers/" + id + "/credit/line/approve", null);
    assertTrue(approved.status / 100 == 2, approved.toString());
    return id;
  }

  /** One representative REST and gRPC call per capability, through this node. */
  static void everyCapabilityWorksThrough(Node node) {
    Http rest = new Http(node.httpPort).as(token);
    GrpcTestClient g = new GrpcTestClient(helper, node.grpcPort);
    try {
      String id = customerWithCredit(rest, "n-" + node.name);
      assertEquals(200, rest.get("/api/v1/customers/" + id).status);
      String ref = UUID.randomUUID().toString();
      Http.Reply earned = rest.post("/api/v1/customers/" + id + "/loyalty/earn", new JsonObject().put("transaction_id", "e-" + ref)
          .put("amount", "300"));
      assertTrue(earned.status / 100 == 2, node + " earn: " + earned);
      Http.Reply redeemed = rest.post("/api/v1/customers/" + id + "/loyalty/redeem", new JsonObject().put("points", 100)
          .put("reference_id", "r-" + ref));
      assertTrue(redeemed.status / 100 == 2, node + " redeem: " + redeemed);
      Http.Reply used = rest.post("/api/v1/customers/" + id + "/credit/use", new JsonObject().put("order_id", "o-" + ref)
          .put("amount", "250"));
      assertTrue(used.status / 100 == 2, node + " credit use: " + used);
      assertEquals(200, rest.get("/api/v1/customers/" + id + "/credit").status);
      assertEquals(200, rest.get("/api/v1/customers/" + id + "/stats").status, node + " stats");
      assertEquals(200, rest.get("/api/v1/segments").status, node + " segments");
      assertTrue(g.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(id).build(), token).ok());
      var added = g.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(id)
          .setTransactionId("g-" + ref).setAmount(50).setPointsRate(1).build(), token);
      assertTrue(added.ok(), node + " AddLoyaltyPoints: " + added);
      assertEquals(250, added.body().getPointsBalance());
      var redeemedG = g.call(CustomerServiceGrpcClient.RedeemLoyaltyPoints, RedeemPointsRequest.newBuilder().setCustomerId(id)
          .setPoints(100).setReferenceId("gr-" + ref).setReason("discount").build(), token);
      assertTrue(redeemedG.ok(), node + " RedeemLoyaltyPoints: " + redeemedG);
      assertEquals(150, redeemedG.body().getPointsBalance());
      var usedG = g.call(CustomerServiceGrpcClient.UseCreditLimit, UseCreditRequest.newBuilder().setCustomerId(id)
          .setOrderId("go-" + ref).setAmount(100).build(), token);
      assertTrue(usedG.ok() && usedG.body().getApproved(), node + " UseCreditLimit: " + usedG);
      var segment = g.call(CustomerServiceGrpcClient.GetCustomerSegment, GetSegmentRequest.newBuilder().setCustomerId(id).build(), token);
      assertTrue(segment.ok(), node + " GetCustomerSegment: " + segment);
      assertEquals(150, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + id + "'"));
      assertEquals(350, sql("SELECT outstanding::bigint FROM credit_lines WHERE customer_id = '" + id + "'"));
    } finally {
      g.close();
    }
  }

  @Test
  @Order(1)
  void throughTheApiNodeEveryCapabilityAnswersFromTheWorkers() {
    everyCapabilityWorksThrough(api);
    // The workers serve health, never the API.
    assertEquals(200, cluster.status(worker1, "/health"));
    assertEquals(404, cluster.status(worker1, "/api/v1/customers"));
  }

  @Test
  @Order(2)
  void killingAWorkerUnderLoadLosesNoAcknowledgedCallAndAppliesEveryMessageOnce() throws Exception {
    Http rest = new Http(api.httpPort).as(token);
    int clients = 32;
    List<String> customers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      customers.add(customerWithCredit(rest, "load" + i));
    }
    String job = "loyalty.hold-expiry";
    waitFor(() -> !leaseHolder(job).isEmpty(), "a worker holds " + job, 30_000);
    String holderBefore = leaseHolder(job);
    Node victim = holderBefore.equals(worker1.name) ? worker1 : worker2;
    Node survivor = victim == worker1 ? worker2 : worker1;

    Set<String> earnedOk = ConcurrentHashMap.newKeySet();
    Set<String> usedOk = ConcurrentHashMap.newKeySet();
    Set<String> attempted = ConcurrentHashMap.newKeySet();
    AtomicInteger failedAttempts = new AtomicInteger();
    AtomicInteger failedCalls = new AtomicInteger();
    AtomicLong lastFailure = new AtomicLong();
    long loadMillis = 20_000;
    long startedAt = System.currentTimeMillis();
    CountDownLatch done = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      String customer = customers.get(c);
      int client = c;
      Thread worker = new Thread(() -> {
        try {
          for (int i = 0; System.currentTimeMillis() - startedAt < loadMillis; i++) {
            String tx = "gtx-" + client + "-" + i;
            String order = "gord-" + client + "-" + i;
            attempted.add(tx);
            attempted.add(order);
            // A failed call is retried with the same id, as a till would: the ledger keys make it idempotent.
            if (retried(() -> grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder()
                .setCustomerId(customer).setTransactionId(tx).setAmount(10).setPointsRate(1).build(), token).status(),
                failedAttempts, lastFailure)) {
              earnedOk.add(tx);
            } else {
              failedCalls.incrementAndGet();
            }
            if (retried(() -> grpc.call(CustomerServiceGrpcClient.UseCreditLimit, UseCreditRequest.newBuilder()
                .setCustomerId(customer).setOrderId(order).setAmount(1).build(), token).status(), failedAttempts, lastFailure)) {
              usedOk.add(order);
            } else {
              failedCalls.incrementAndGet();
            }
          }
        } finally {
          done.countDown();
        }
      });
      worker.setDaemon(true);
      worker.start();
    }
    int messages = 1000;
    List<Future<Void>> sends = new ArrayList<>();
    for (int m = 0; m < messages; m++) {
      String customer = customers.get(m % clients);
      JsonObject envelope = new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", "pos.transaction.completed")
          .put("schema_version", 1).put("occurred_at", Instant.now().toString()).put("organization_id", org.toString())
          .put("source", "pos").put("correlation_id", "c-" + m)
          .put("data", new JsonObject().put("customer_id", customer).put("transaction_id", "ptx-" + m)
              .put("totals", new JsonObject().put("total_amount", 5.00)));
      sends.add(broker.publish("pos_events", "pos.transaction.completed", "pos-msg-" + m, envelope));
    }
    Future.all(sends).await(60, TimeUnit.SECONDS);
    Thread.sleep(Math.max(0, 5_000 - (System.currentTimeMillis() - startedAt)));
    long killedAt = System.currentTimeMillis();
    cluster.kill(victim);
    waitFor(() -> {
      String h = leaseHolder(job);
      return !h.isEmpty() && !h.equals(victim.name);
    }, "the lease moved", 3L * LEASE_SECONDS * 1000);
    long takeoverMillis = System.currentTimeMillis() - killedAt;
    assertTrue(done.await(loadMillis + 120_000, TimeUnit.MILLISECONDS), "clients finished");
    // One inbox row per engine that applied the sale (consumers hand over to the engines: docs/consumers.md).
    String perEngine = "SELECT count(*) FROM inbox WHERE message_id LIKE 'pos-msg-%' AND consumer = ";
    waitFor(() -> sql(perEngine + "'customer_pos_consumer:loyalty'") == messages
        && sql(perEngine + "'customer_pos_consumer:segmentation'") == messages, "every message consumed", 120_000);
    Thread.sleep(1000);

    assertEquals(survivor.name, leaseHolder(job), "the lease is on the live worker");
    assertEquals(messages, sql(perEngine + "'customer_pos_consumer:loyalty'"), "applied once by loyalty");
    assertEquals(messages, sql(perEngine + "'customer_pos_consumer:segmentation'"), "applied once by segmentation");
    assertEquals(2L * messages, sql("SELECT count(*) FROM inbox WHERE message_id LIKE 'pos-msg-%'"), "no other inbox rows");
    assertEquals(messages, sql("SELECT count(DISTINCT reference) FROM loyalty_ledger WHERE reference LIKE '%ptx-%'"),
        "every POS transaction earned");
    assertEquals(messages, sql("SELECT count(*) FROM loyalty_ledger WHERE reference LIKE '%ptx-%'"), "and only once");
    for (String tx : earnedOk) {
      // Checked in bulk below; a sample here names the first missing one.
      if (sql("SELECT count(*) FROM loyalty_ledger WHERE reference = '" + tx + "'") != 1) {
        throw new AssertionError("acknowledged " + tx + " is not in the ledger exactly once");
      }
      break;
    }
    assertEquals(earnedOk.size(), sql("SELECT count(*) FROM loyalty_ledger WHERE reference LIKE 'gtx-%' AND reference IN ("
        + quoted(earnedOk) + ")"), "every acknowledged AddLoyaltyPoints in the ledger once");
    assertEquals(0, sql("SELECT count(*) FROM (SELECT reference FROM loyalty_ledger WHERE reference LIKE 'gtx-%' "
        + "GROUP BY reference HAVING count(*) > 1) d"), "no earn twice");
    assertEquals(usedOk.size(), sql("SELECT count(*) FROM credit_ledger WHERE reference LIKE 'gord-%' AND reference IN ("
        + quoted(usedOk) + ")"), "every acknowledged UseCreditLimit in the ledger once");
    assertEquals(0, sql("SELECT count(*) FROM (SELECT reference FROM credit_ledger WHERE reference LIKE 'gord-%' "
        + "GROUP BY reference HAVING count(*) > 1) d"), "no charge twice");
    assertEquals(0, sql("SELECT count(*) FROM loyalty_accounts a WHERE a.balance <> (SELECT coalesce(sum(l.points), 0) "
        + "FROM loyalty_ledger l WHERE l.customer_id = a.customer_id)"), "loyalty balance = sum of its ledger");
    assertEquals(0, sql("SELECT count(*) FROM credit_lines c WHERE c.outstanding <> (SELECT coalesce(sum(l.amount), 0) "
        + "FROM credit_ledger l WHERE l.customer_id = c.customer_id)"), "credit outstanding = sum of its ledger");
    long recoverMillis = lastFailure.get() == 0 ? 0 : Math.max(0, lastFailure.get() - killedAt);
    System.out.printf("kill -9 %s under load: calls ok %d (earn %d, credit %d), calls failed after retries %d, failed attempts %d, "
            + "time to recover %d ms, lease %s moved %s -> %s in %d ms, %d POS messages applied once%n",
        victim.name, earnedOk.size() + usedOk.size(), earnedOk.size(), usedOk.size(), failedCalls.get(), failedAttempts.get(),
        recoverMillis, job, holderBefore, leaseHolder(job), takeoverMillis, messages);
    assertTrue(takeoverMillis <= (LEASE_SECONDS + LEASE_SECONDS / 3 + 2) * 1000L, "lease takeover " + takeoverMillis + " ms");
    assertNotEquals(0, earnedOk.size());
  }

  private static boolean retried(java.util.function.Supplier<GrpcStatus> call, AtomicInteger failedAttempts, AtomicLong lastFailure) {
    for (int attempt = 0; attempt < 5; attempt++) {
      GrpcStatus status;
      try {
        status = call.get();
      } catch (RuntimeException e) {
        status = GrpcStatus.UNKNOWN;
      }
      if (status == GrpcStatus.OK) {
        return true;
      }
      failedAttempts.incrementAndGet();
      lastFailure.set(System.currentTimeMillis());
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private static String quoted(Set<String> ids) {
    return ids.isEmpty() ? "''" : String.join(",", ids.stream().map(id -> "'" + id + "'").toList());
  }

  @Test
  @Order(3)
  void aCutBetweenTheApiAndTheWorkersFailsFastWithUnavailableAndHeals() throws Exception {
    Http rest = new Http(api.httpPort).as(token);
    String id = customerWithCredit(rest, "cut");
    for (TcpProxy p : new TcpProxy[] {bus1, bus2}) {
      p.cut();
    }
    long busTimeoutMillis = 10_000;
    try {
      long started = System.nanoTime();
      var reply = grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(id)
          .setTransactionId("cut-1").setAmount(10).setPointsRate(1).build(), token);
      long failedMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("api cut from the workers' event bus: %s after %d ms (bus timeout %d ms)%n", reply.status(), failedMillis,
          busTimeoutMillis);
      assertEquals(GrpcStatus.UNAVAILABLE, reply.status(), reply.toString());
      assertTrue(failedMillis < 2 * busTimeoutMillis, failedMillis + " ms");
    } finally {
      bus1.restore();
      bus2.restore();
    }
    long healed = System.nanoTime();
    GrpcTestClient.Reply<?> after = null;
    for (int i = 0; i < 100; i++) {
      after = grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(id)
          .setTransactionId("cut-1").setAmount(10).setPointsRate(1).build(), token);
      if (after.ok()) {
        break;
      }
      Thread.sleep(200);
    }
    System.out.printf("healed: first success after %d ms%n", (System.nanoTime() - healed) / 1_000_000);
    assertTrue(after.ok(), after.toString());
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE reference = 'cut-1'"));
  }

  @Test
  @Order(4)
  void threeAllNodesServeEverythingAndAWriteOnOneIsReadFreshOnAnother() throws Exception {
    cluster.close();
    ClusterNodes all = new ClusterNodes(db, broker.url(), LEASE_SECONDS);
    try {
      Node a = all.start("all-1", "all");
      all.awaitReady(a, Duration.ofSeconds(120));
      Node b = all.start("all-2", "all");
      Node c = all.start("all-3", "all");
      all.awaitReady(b, Duration.ofSeconds(120));
      all.awaitReady(c, Duration.ofSeconds(120));
      for (Node n : List.of(a, b, c)) {
        everyCapabilityWorksThrough(n);
      }
      Http restA = new Http(a.httpPort).as(token);
      GrpcTestClient grpcB = new GrpcTestClient(helper, b.grpcPort);
      GrpcTestClient grpcC = new GrpcTestClient(helper, c.grpcPort);
      try {
        String id = restA.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "v0")
            .put("last_name", "Fresh")).json().getString("id");
        GetCustomerRequest byId = GetCustomerRequest.newBuilder().setCustomerId(id).build();
        for (int round = 1; round <= 10; round++) {
          grpcB.call(CustomerServiceGrpcClient.GetCustomer, byId, token);
          grpcC.call(CustomerServiceGrpcClient.GetCustomer, byId, token);
          String name = "v" + round;
          assertEquals(200, restA.patch("/api/v1/customers/" + id, new JsonObject().put("first_name", name), null).status);
          assertEquals(name, grpcB.call(CustomerServiceGrpcClient.GetCustomer, byId, token).body().getFirstName(), "round " + round);
          assertEquals(name, grpcC.call(CustomerServiceGrpcClient.GetCustomer, byId, token).body().getFirstName(), "round " + round);
        }
      } finally {
        grpcB.close();
        grpcC.close();
      }
    } finally {
      all.close();
    }
  }
}
