package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.TransferPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.TransferPointsResponse;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Points transfers between customers of one organization (REST, gRPC, and the engine with a moved
 * clock), and the once-per-lot loyalty.points.expiring notice of the loyalty job.
 */
class LoyaltyTransfersTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;
  static DbUrl runtime;

  UUID org;
  String token;
  Http admin;
  Http clerk;
  Caller caller;

  @BeforeAll
  static void start() throws Exception {
    // The process's own scheduled run stays out of the way; the notice tests drive runs themselves.
    app = TestApp.start("transfers", Map.of("LOYALTY_JOBS_FIRST_RUN_SECONDS", 1_000_000));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    runtime = DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword());
    db = Db.create(app.vertx, runtime, 8, "transfers-test");
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    db.close().await(10, TimeUnit.SECONDS);
    app.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin");
    admin = new Http(app.config.httpPort()).as(token);
    clerk = new Http(app.config.httpPort()).as(app.token(org, "loyalty:read", "loyalty:write"));
    caller = new Caller(org, "tester", null, Set.of("loyalty:admin"), "test-correlation");
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(60, TimeUnit.SECONDS);
  }

  String customer(Http as) {
    Http.Reply r = as.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas"));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  String customer() {
    return customer(admin);
  }

  void enableTransfers(Http as, Long max) {
    JsonObject program = as.get("/api/v1/loyalty/program").json();
    assertEquals(false, program.getBoolean("transfers_enabled"), "transfers are off by default");
    assertEquals(30, program.getInteger("expiring_notice_days"));
    program.put("transfers_enabled", true).put("max_transfer_points", max);
    Http.Reply saved = as.put("/api/v1/loyalty/program", program);
    assertEquals(200, saved.status, saved.toString());
    assertEquals(true, saved.json().getBoolean("transfers_enabled"));
  }

  void earn(String customer, String txn, String amount) {
    Http.Reply r = clerk.post("/api/v1/customers/" + customer + "/loyalty/earn",
        new JsonObject().put("transaction_id", txn).put("amount", amount));
    assertEquals(200, r.status, r.toString());
  }

  Http.Reply transfer(Http as, String id, String from, String to, long points) {
    return as.post("/api/v1/loyalty/transfers", new JsonObject().put("transfer_id", id).put("from_customer_id", from)
        .put("to_customer_id", to).put("points", points).put("reason", "household"));
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  String text(String query) {
    return app.db.scalar(org, query);
  }

  long balance(String customer) {
    return sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + customer + "'");
  }

  long rows() {
    return sql("SELECT count(*) FROM loyalty_ledger");
  }

  /** balance == Σ ledger, held == Σ held deltas, and the lots hold exactly the balance. */
  void assertLedgerMatches(String customer) {
    long balance = balance(customer);
    assertEquals(balance, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(sql("SELECT held FROM loyalty_accounts WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(held_delta), 0) FROM loyalty_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(balance, sql("SELECT coalesce(sum(remaining), 0) FROM loyalty_lots WHERE customer_id = '" + customer + "'"));
  }

  JsonObject eventData(String type, String customer) {
    assertEquals(1, sql("SELECT count(*) FROM outbox WHERE event_type = '" + type + "' AND aggregate_id = '" + customer + "'"));
    return new JsonObject(text("SELECT payload->'data' FROM outbox WHERE event_type = '" + type + "' AND aggregate_id = '"
        + customer + "'"));
  }

  @Test
  void transferringThreeHundredOfAThousandLeavesSevenHundredAndGivesThreeHundredWithAnEventOnEachSide() {
    enableTransfers(admin, null);
    String a = customer();
    String b = customer();
    earn(a, "t-1", "1000");
    Http.Reply moved = transfer(clerk, "tr-1", a, b, 300);
    assertEquals(200, moved.status, moved.toString());
    assertEquals(new JsonObject().put("transfer_id", "tr-1").put("from_customer_id", a).put("to_customer_id", b).put("points", 300)
        .put("from_points_balance", 700).put("to_points_balance", 300).put("replayed", false), moved.json());
    assertEquals(700, balance(a));
    assertEquals(300, balance(b));
    assertLedgerMatches(a);
    assertLedgerMatches(b);

    assertEquals(new JsonObject().put("transfer_id", "tr-1").put("customer_id", a).put("to_customer_id", b).put("points", 300)
        .put("points_balance", 700).put("reason", "household"), eventData("loyalty.points.transferred_out", a));
    assertEquals(new JsonObject().put("transfer_id", "tr-1").put("customer_id", b).put("from_customer_id", a).put("points", 300)
        .put("points_balance", 300).put("reason", "household"), eventData("loyalty.points.transferred_in", b));

    // Audited: the two rows name the transfer, the reason and the user; the transfer row the request.
    assertEquals("transfer_out|-300|tr-1|household|tester", text("SELECT concat_ws('|', entry_type, points, reference, reason, actor)"
        + " FROM loyalty_ledger WHERE customer_id = '" + a + "' AND entry_type = 'transfer_out'"));
    assertEquals("transfer_in|300|tr-1|household|tester", text("SELECT concat_ws('|', entry_type, points, reference, reason, actor)"
        + " FROM loyalty_ledger WHERE customer_id = '" + b + "'"));
    assertEquals(a + "|" + b + "|300|household|tester|" + moved.header("X-Correlation-Id"), text(
        "SELECT concat_ws('|', from_customer_id, to_customer_id, points, reason, actor, correlation_id) FROM loyalty_transfers"));
    JsonArray ledgerOfB = clerk.get("/api/v1/customers/" + b + "/loyalty/ledger").json().getJsonArray("items");
    assertEquals("transfer_in", ledgerOfB.getJsonObject(0).getString("type"));

    // Transferred points are not qualifying points: the receiver's tier progress does not move.
    JsonObject accountOfB = clerk.get("/api/v1/customers/" + b + "/loyalty").json();
    assertEquals(0, accountOfB.getLong("qualifying_points"));
    assertEquals(0, accountOfB.getLong("lifetime_earned"));
    assertEquals(300, accountOfB.getLong("available"));
    assertEquals(1000, clerk.get("/api/v1/customers/" + a + "/loyalty").json().getLong("qualifying_points"));

    // A retry answers the first result and writes nothing.
    long before = rows();
    Http.Reply again = transfer(clerk, "tr-1", a, b, 300);
    assertEquals(200, again.status);
    assertEquals(moved.json().copy().put("replayed", true), again.json());
    assertEquals(before, rows());
    assertEquals(2, sql("SELECT count(*) FROM loyalty_ledger WHERE reference = 'tr-1'"));
    assertEquals(1, sql("SELECT count(*) FROM outbox WHERE event_type = 'loyalty.points.transferred_out'"));

    // The same id for another request: 409, nothing changes.
    for (Http.Reply conflict : List.of(transfer(clerk, "tr-1", a, b, 301), transfer(clerk, "tr-1", b, a, 300))) {
      assertEquals(409, conflict.status, conflict.toString());
      assertEquals("IDEMPOTENCY_CONFLICT", conflict.error().getString("code"));
    }
    assertEquals(before, rows());
    assertEquals(700, balance(a));
    assertEquals(300, balance(b));
  }

  @Test
  void refusedTransfersChangeNothingAndSayWhy() {
    String a = customer();
    String b = customer();
    earn(a, "t-1", "1000");
    long before = rows();
    Http.Reply disabled = transfer(clerk, "tr-off", a, b, 100);
    assertEquals(422, disabled.status, disabled.toString());
    assertEquals("TRANSFERS_DISABLED", disabled.error().getString("code"));

    enableTransfers(admin, 500L);
    // Held points are not available: 1,000 - 800 held = 200.
    assertTrue(grpc.call(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(a).setPoints(800)
        .setReferenceId("pos-1").build(), token).ok());
    long afterHold = rows();
    Http.Reply insufficient = transfer(clerk, "tr-2", a, b, 300);
    assertEquals(422, insufficient.status);
    assertEquals("POINTS_INSUFFICIENT", insufficient.error().getString("code"));
    assertTrue(insufficient.error().getString("message").contains("200 available"), insufficient.toString());

    Http.Reply tooMany = transfer(clerk, "tr-3", a, b, 501);
    assertEquals(400, tooMany.status);
    assertEquals("points", tooMany.error().getString("field"));
    Http.Reply self = transfer(clerk, "tr-4", a, a, 10);
    assertEquals(400, self.status);
    assertEquals("to_customer_id", self.error().getString("field"));
    assertEquals(400, transfer(clerk, "tr-5", a, b, 0).status);

    Http otherAdmin = new Http(app.config.httpPort()).as(app.token(UUID.randomUUID(), "customers:write"));
    String stranger = customer(otherAdmin);
    Http.Reply foreign = transfer(clerk, "tr-6", a, stranger, 10);
    assertEquals(404, foreign.status, foreign.toString());
    assertEquals("CUSTOMER_NOT_FOUND", foreign.error().getString("code"));

    Http reader = new Http(app.config.httpPort()).as(app.token(org, "loyalty:read"));
    assertEquals(403, transfer(reader, "tr-7", a, b, 10).status);

    assertEquals(200, admin.patch("/api/v1/customers/" + b, new JsonObject().put("status", "blocked"), null).status);
    Http.Reply blockedReceiver = transfer(clerk, "tr-8", a, b, 10);
    assertEquals(422, blockedReceiver.status);
    assertEquals("CUSTOMER_BLOCKED", blockedReceiver.error().getString("code"));
    assertTrue(blockedReceiver.error().getString("message").contains(b));

    assertEquals(afterHold, rows());
    assertEquals(before + 1, afterHold, "only the hold wrote a row");
    assertEquals(1000, balance(a));
    assertEquals(0, sql("SELECT count(*) FROM loyalty_transfers"));
    assertEquals(0, sql("SELECT count(*) FROM outbox WHERE event_type LIKE 'loyalty.points.transferred%'"));
  }

  long checkoutPoints(String customer) {
    return grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(customer).build(), token)
        .body().getLoyaltyPoints();
  }

  @Test
  void overGrpcATransferReplaysAndRefusesWithTheRightStatuses() {
    enableTransfers(admin, null);
    String a = customer();
    String b = customer();
    earn(a, "t-1", "250");
    // Both checkout views are read (and cached) before the transfer.
    assertEquals(250, checkoutPoints(a));
    assertEquals(0, checkoutPoints(b));
    TransferPointsRequest request = TransferPointsRequest.newBuilder().setTransferId("g-1").setFromCustomerId(a).setToCustomerId(b)
        .setPoints(200).build();
    GrpcTestClient.Reply<TransferPointsResponse> first = grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints, request, token);
    assertTrue(first.ok(), first.toString());
    assertEquals(TransferPointsResponse.newBuilder().setTransferId("g-1").setFromCustomerId(a).setToCustomerId(b).setPoints(200)
        .setFromPointsBalance(50).setToPointsBalance(200).setReplayed(false).build(), first.body());
    GrpcTestClient.Reply<TransferPointsResponse> again = grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints, request, token);
    assertEquals(first.body().toBuilder().setReplayed(true).build(), again.body());
    assertEquals(50, checkoutPoints(a), "the sender's cached checkout view was dropped");
    assertEquals(200, checkoutPoints(b), "the receiver's cached checkout view was dropped");
    assertEquals(GrpcStatus.ALREADY_EXISTS, grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints,
        request.toBuilder().setPoints(10).build(), token).status());
    assertEquals(GrpcStatus.FAILED_PRECONDITION, grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints,
        request.toBuilder().setTransferId("g-2").setPoints(51).build(), token).status());
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints,
        request.toBuilder().setTransferId("g-3").setToCustomerId(UUID.randomUUID().toString()).setPoints(1).build(), token).status());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints,
        request.toBuilder().setTransferId("g-4").setToCustomerId(a).build(), token).status());
    assertEquals(GrpcStatus.PERMISSION_DENIED, grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints,
        request.toBuilder().setTransferId("g-5").build(), app.token(org, "loyalty:read")).status());
    assertEquals(50, balance(a));
    assertEquals(200, balance(b));
    assertLedgerMatches(a);
    assertLedgerMatches(b);

    UUID otherOrg = UUID.randomUUID();
    Http otherAdmin = new Http(app.config.httpPort()).as(app.token(otherOrg, "customers:write", "loyalty:write"));
    String c = customer(otherAdmin);
    String d = customer(otherAdmin);
    otherAdmin.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "x").put("amount", "100"));
    GrpcTestClient.Reply<TransferPointsResponse> off = grpc.call(CustomerServiceGrpcClient.TransferLoyaltyPoints,
        TransferPointsRequest.newBuilder().setTransferId("g-1").setFromCustomerId(c).setToCustomerId(d).setPoints(10).build(),
        app.token(otherOrg, "loyalty:write"));
    assertEquals(GrpcStatus.FAILED_PRECONDITION, off.status(), "the other organization never enabled transfers");
    assertTrue(off.message().contains("not enabled"), off.toString());
  }

  @Test
  void manyOppositeTransfersAtOnceAllSettleWithoutDeadlockAndTheSumUnchanged() throws Exception {
    enableTransfers(admin, null);
    String a = customer();
    String b = customer();
    earn(a, "t-a", "1000");
    earn(b, "t-b", "1000");
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      replies.add(clerk.sendAsync("POST", "/api/v1/loyalty/transfers", new JsonObject().put("transfer_id", "ab-" + i)
          .put("from_customer_id", a).put("to_customer_id", b).put("points", 7).encode(), null));
      replies.add(clerk.sendAsync("POST", "/api/v1/loyalty/transfers", new JsonObject().put("transfer_id", "ba-" + i)
          .put("from_customer_id", b).put("to_customer_id", a).put("points", 11).encode(), null));
    }
    for (CompletableFuture<Http.Reply> f : replies) {
      Http.Reply r = f.get(60, TimeUnit.SECONDS);
      assertEquals(200, r.status, r.toString());
    }
    assertEquals(1000 - 40 * 7 + 40 * 11, balance(a));
    assertEquals(1000 + 40 * 7 - 40 * 11, balance(b));
    assertEquals(2000, balance(a) + balance(b));
    assertLedgerMatches(a);
    assertLedgerMatches(b);
    assertEquals(80, sql("SELECT count(*) FROM loyalty_transfers"));
    assertEquals(160, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type IN ('transfer_out', 'transfer_in')"));
  }

  @Test
  void accountsAreLockedInPostgresUuidOrder() {
    Random random = new Random(16);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // Both signs of both halves, where signed and unsigned order differ.
      ids.add(new UUID(random.nextLong(), random.nextLong()));
    }
    String sorted = text("SELECT string_agg(u::text, ',' ORDER BY u) FROM unnest(ARRAY[" + ids.stream()
        .map(u -> "'" + u + "'::uuid").collect(Collectors.joining(",")) + "]) AS u");
    ids.sort(PointsTransfers::pgOrder);
    assertEquals(sorted, ids.stream().map(UUID::toString).collect(Collectors.joining(",")));
  }

  LoyaltyProgram program(boolean transfers, int noticeDays) {
    return LoyaltyProgram.DEFAULT.withTransfers(transfers, null).withExpiringNoticeDays(noticeDays);
  }

  LoyaltyMessages.Earn earnOf(String customer, String txn, long amount) {
    return new LoyaltyMessages.Earn(caller, UUID.fromString(customer), txn, new BigDecimal(amount), null, "pos", List.of());
  }

  @Test
  void theReceiverKeepsTheSendersExpiryDatesOldestFirstAndThosePointsExpireOnTime() throws Exception {
    Instant t0 = Instant.now().minus(Duration.ofDays(400)).truncatedTo(ChronoUnit.SECONDS);
    MutableClock clock = new MutableClock(t0);
    LoyaltyService loyalty = new LoyaltyService(db, CustomerChangeListener.NONE, clock);
    await(loyalty.saveProgram(caller, program(true, 30)));
    String a = customer();
    String b = customer();
    await(loyalty.earn(earnOf(a, "old", 100)));
    clock.advance(Duration.ofDays(60));
    await(loyalty.earn(earnOf(a, "new", 500)));
    Instant firstExpiry = t0.atOffset(ZoneOffset.UTC).plusMonths(12).toInstant();
    Instant secondExpiry = t0.plus(Duration.ofDays(60)).atOffset(ZoneOffset.UTC).plusMonths(12).toInstant();
    clock.advance(Duration.ofDays(1));
    LoyaltyMessages.TransferResult moved = await(loyalty.transfer(new LoyaltyMessages.Transfer(caller, "tr-lots",
        UUID.fromString(a), UUID.fromString(b), 300, null)));
    assertEquals(300, moved.fromPointsBalance());

    // 100 from the older lot, 200 from the newer; each keeps its earn and expiry date.
    assertEquals("100|" + firstExpiry.getEpochSecond() + "|" + t0.getEpochSecond() + ";200|" + secondExpiry.getEpochSecond() + "|"
        + t0.plus(Duration.ofDays(60)).getEpochSecond(), text("SELECT string_agg(concat_ws('|', remaining,"
        + " extract(epoch FROM expires_at)::bigint, extract(epoch FROM earned_at)::bigint), ';' ORDER BY expires_at)"
        + " FROM loyalty_lots WHERE customer_id = '" + b + "' AND transferred_from IS NOT NULL"));
    assertEquals("0;300", text("SELECT string_agg(remaining::text, ';' ORDER BY expires_at) FROM loyalty_lots WHERE customer_id = '"
        + a + "'"));

    // Past the first date the receiver's 100 expire; the sender has nothing left of that lot.
    clock.advance(Duration.between(clock.instant(), firstExpiry.plus(Duration.ofDays(1))));
    assertEquals(100L, (long) await(loyalty.expirePoints(org)));
    assertEquals(200, balance(b));
    assertEquals(300, balance(a));
    assertEquals(-100, sql("SELECT points FROM loyalty_ledger WHERE customer_id = '" + b + "' AND entry_type = 'expire'"));
    // Past the second date: the sender's 300 and the receiver's 200 expire.
    clock.advance(Duration.between(clock.instant(), secondExpiry.plus(Duration.ofDays(1))));
    assertEquals(500L, (long) await(loyalty.expirePoints(org)));
    assertEquals(0, balance(a) + balance(b));
    assertEquals(0L, (long) await(loyalty.expirePoints(org)), "a rerun expires nothing twice");
    assertLedgerMatches(a);
    assertLedgerMatches(b);
  }

  LoyaltyJobs jobs(LoyaltyService loyalty) {
    return new LoyaltyJobs(app.vertx, loyalty, runtime, new LoyaltyJobs.Schedule(60_000, 3_600_000, 3_600_000, 2));
  }

  long notices() {
    return sql("SELECT count(*) FROM outbox WHERE event_type = 'loyalty.points.expiring'");
  }

  @Test
  void theExpiringNoticeIsPublishedOncePerLotThirtyDaysBeforeForItsUnspentPoints() throws Exception {
    Instant t0 = Instant.now().minus(Duration.ofDays(400)).truncatedTo(ChronoUnit.SECONDS);
    MutableClock clock = new MutableClock(t0);
    LoyaltyService loyalty = new LoyaltyService(db, CustomerChangeListener.NONE, clock);
    String a = customer();
    String spent = customer();
    String never = customer();
    await(loyalty.earn(earnOf(a, "a-1", 1000)));
    await(loyalty.redeem(new LoyaltyMessages.Redeem(caller, UUID.fromString(a), 400, "r-a", null)));
    await(loyalty.earn(earnOf(spent, "s-1", 500)));
    await(loyalty.redeem(new LoyaltyMessages.Redeem(caller, UUID.fromString(spent), 500, "r-s", null)));
    // Another organization with the notice off: its lots are never notified.
    UUID quietOrg = UUID.randomUUID();
    Caller quiet = new Caller(quietOrg, "tester", null, Set.of("loyalty:admin"), "test");
    await(loyalty.saveProgram(quiet, program(false, 0)));
    String quietCustomer = customer(new Http(app.config.httpPort()).as(app.token(quietOrg, "customers:write")));
    await(loyalty.earn(new LoyaltyMessages.Earn(quiet, UUID.fromString(quietCustomer), "q-1", new BigDecimal(300), null, "pos",
        List.of())));
    // A lot that never expires is never notified.
    clock.advance(Duration.ofDays(1));
    await(loyalty.saveProgram(caller, new LoyaltyProgram(LoyaltyProgram.STANDARD, BigDecimal.ONE, BigDecimal.ONE, 100, 100, 12, 30,
        null, 15, LoyaltyProgram.DEFAULT.tiers())));
    await(loyalty.earn(earnOf(never, "n-1", 50)));
    await(loyalty.saveProgram(caller, program(false, 30)));

    Instant expiry = t0.atOffset(ZoneOffset.UTC).plusMonths(12).toInstant();
    LoyaltyJobs jobs = jobs(loyalty);
    clock.advance(Duration.between(clock.instant(), expiry.minus(Duration.ofDays(31))));
    assertTrue(await(jobs.runOnce()).ran());
    assertEquals(0, notices(), "31 days before: not yet");

    clock.advance(Duration.ofDays(2));
    assertTrue(await(jobs.runOnce()).ran());
    assertEquals(1, notices(), "29 days before: one notice, for the lot with points left");
    long lot = sql("SELECT id FROM loyalty_lots WHERE customer_id = '" + a + "'");
    assertEquals(new JsonObject().put("customer_id", a).put("lot_id", lot).put("points", 600).put("expires_at", expiry.toString()),
        eventData("loyalty.points.expiring", a));
    assertEquals(0, app.db.count(quietOrg, "SELECT count(*) FROM outbox WHERE event_type = 'loyalty.points.expiring'"));

    // A rerun, another node's job, and two runs at the same moment past the advisory lock: still one.
    assertTrue(await(jobs.runOnce()).ran());
    LoyaltyService otherNode = new LoyaltyService(db, CustomerChangeListener.NONE, clock);
    assertTrue(await(jobs(otherNode).runOnce()).ran());
    await(Future.all(loyalty.notifyExpiringPoints(org, 1), otherNode.notifyExpiringPoints(org, 1)));
    clock.advance(Duration.ofDays(10));
    assertTrue(await(jobs.runOnce()).ran());
    assertEquals(1, notices());
    assertEquals(1, sql("SELECT count(*) FROM loyalty_lots WHERE expiring_notified_at IS NOT NULL"));
  }
}
