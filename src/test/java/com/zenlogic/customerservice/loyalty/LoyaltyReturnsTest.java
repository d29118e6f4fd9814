package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.ReturnedItem;
import com.zenlogic.customerservice.api.grpc.v1.ReverseLoyaltyPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.ReverseLoyaltyPointsResponse;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.cache.RedisCustomerCache;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Partial returns, pending points, refunds of spent points and tiers after returns, with exact figures over REST and gRPC. */
class LoyaltyReturnsTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;
  static RedisCustomerCache cache;

  UUID org;
  String token;
  Http http;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("loyalty_returns", java.util.Map.of("REDIS_URL", "redis://127.0.0.1:6379", "CACHE_KEY_PREFIX", "test-" + UUID.randomUUID()));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 4);
    // The service's own Redis cache and key prefix: an invalidation here also drops every process's near copy.
    cache = new RedisCustomerCache(app.vertx, app.config.redisUrl(), app.config.cacheKeyPrefix(), 60, ConcurrentHashMap.newKeySet());
  }

  @AfterAll
  static void stop() throws Exception {
    cache.close().await(5, TimeUnit.SECONDS);
    grpc.close();
    app.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin");
    http = new Http(app.config.httpPort()).as(token);
  }

  String customer() {
    return http.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Luz")
        .put("last_name", "Mora")).json().getString("id");
  }

  long earn(String c, String txn, String amount) {
    Http.Reply r = http.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", txn).put("amount", amount));
    assertEquals(200, r.status, r.toString());
    return r.json().getLong("points_earned");
  }

  Http.Reply giveBack(String reference, String returnId, String amount) {
    JsonObject body = new JsonObject().put("reference", reference);
    if (returnId != null) {
      body.put("return_id", returnId);
    }
    if (amount != null) {
      body.put("amount", amount);
    }
    return http.post("/api/v1/loyalty/reversals", body);
  }

  JsonObject account(String c) {
    return http.get("/api/v1/customers/" + c + "/loyalty").json();
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  long events(String type, String c) {
    return sql("SELECT count(*) FROM outbox WHERE event_type = '" + type + "' AND aggregate_id = '" + c + "'");
  }

  JsonObject lastEvent(String type, String c) {
    return new JsonObject(app.db.scalar(org, "SELECT coalesce(payload->'data', payload)::text FROM outbox WHERE event_type = '" + type
        + "' AND aggregate_id = '" + c + "' ORDER BY id DESC LIMIT 1"));
  }

  void setPendingDays(int days) {
    JsonObject program = http.get("/api/v1/loyalty/program").json().put("pending_days", days);
    Http.Reply saved = http.put("/api/v1/loyalty/program", program);
    assertEquals(200, saved.status, saved.toString());
    assertEquals(days, saved.json().getInteger("pending_days"));
  }

  /** balance = sum of ledger points, held and pending = sums of their deltas, lots hold the balance, held + pending <= balance. */
  void assertLedgerMatches(String c) {
    String who = " WHERE customer_id = '" + c + "'";
    long balance = sql("SELECT balance FROM loyalty_accounts" + who);
    assertEquals(balance, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger" + who));
    assertEquals(sql("SELECT held FROM loyalty_accounts" + who), sql("SELECT coalesce(sum(held_delta), 0) FROM loyalty_ledger" + who));
    assertEquals(sql("SELECT pending FROM loyalty_accounts" + who), sql("SELECT coalesce(sum(pending_delta), 0) FROM loyalty_ledger" + who));
    assertEquals(sql("SELECT pending FROM loyalty_accounts" + who),
        sql("SELECT coalesce(sum(remaining), 0) FROM loyalty_lots" + who + " AND pending_until IS NOT NULL"));
    assertEquals(balance, sql("SELECT coalesce(sum(remaining), 0) FROM loyalty_lots" + who));
  }

  LoyaltyService service(Instant at) {
    return new LoyaltyService(db, cache::invalidate, new MutableClock(at));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  @Test
  void aReturnOf30Of100TakesBack30PointsUnderItsReturnIdKey() {
    String c = customer();
    assertEquals(100, earn(c, "t-1", "100.00"));
    Http.Reply r = giveBack("t-1", "ret-1", "30.00");
    assertEquals(200, r.status, r.toString());
    assertEquals(30, r.json().getLong("points_reversed"));
    assertEquals(0, r.json().getLong("shortfall"));
    assertEquals(70, r.json().getLong("points_balance"));
    assertEquals(100, r.json().getLong("points_earned"));
    assertEquals(70, account(c).getLong("available"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE idempotency_key = 'reverse:t-1:ret-1' AND points = -30"
        + " AND amount = 30.00"));
    JsonObject event = lastEvent("loyalty.points.reversed", c);
    assertEquals(30, event.getLong("points"));
    assertEquals("ret-1", event.getString("return_id"));
    assertEquals("30.00", event.getString("amount"));
    assertLedgerMatches(c);
  }

  @Test
  void repeatedReturnsNeverTakeBackMoreThanWasEarnedAndTheLastTakesExactlyTheRest() {
    String c = customer();
    assertEquals(100, earn(c, "t-1", "100.00"));
    assertEquals(30, giveBack("t-1", "ret-1", "30.00").json().getLong("points_reversed"));
    assertEquals(33, giveBack("t-1", "ret-2", "33.33").json().getLong("points_reversed"), "100 x 33.33 / 100 rounded down");
    Http.Reply over = giveBack("t-1", "ret-3", "50.00");
    assertEquals(37, over.json().getLong("points_reversed"), "50.00 is more than the 36.67 left: the rest, 100 - 30 - 33");
    assertEquals(0, over.json().getLong("points_balance"));
    assertEquals(0, giveBack("t-1", "ret-4", "10.00").json().getLong("points_reversed"), "nothing left to take");
    assertEquals(0, giveBack("t-1", null, null).json().getLong("points_reversed"), "a void after the returns: nothing left");
    assertEquals(-100, sql("SELECT sum(points) FROM loyalty_ledger WHERE entry_type = 'reverse' AND customer_id = '" + c + "'"));
    assertEquals(0, sql("SELECT sum(shortfall) FROM loyalty_ledger WHERE entry_type = 'reverse' AND customer_id = '" + c + "'"));
    assertEquals(3, events("loyalty.points.reversed", c), "returns that took nothing publish nothing");
    assertLedgerMatches(c);
  }

  @Test
  void tenConcurrentReturnsOfOnePurchaseTakeBackExactlyWhatItEarned() throws Exception {
    String c = customer();
    assertEquals(100, earn(c, "t-1", "100.00"));
    java.util.List<java.util.concurrent.CompletableFuture<Http.Reply>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(http.sendAsync("POST", "/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1")
          .put("return_id", "ret-" + i).put("amount", "20.00").encode(), null));
    }
    long taken = 0;
    int tookSome = 0;
    for (var call : calls) {
      Http.Reply r = call.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.status, r.toString());
      taken += r.json().getLong("points_reversed");
      tookSome += r.json().getLong("points_reversed") > 0 ? 1 : 0;
    }
    assertEquals(100, taken, "serialised on the account lock: never more than the 100 earned");
    assertEquals(5, tookSome, "five returns of 20.00 complete the 100.00");
    assertEquals(0, account(c).getLong("balance"));
    assertEquals(10, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'reverse'"));
    assertLedgerMatches(c);
  }

  @Test
  void theSameReturnIdAnswersTheFirstResultAndAnotherAmountIsAConflictThatChangesNothing() {
    String c = customer();
    earn(c, "t-1", "100.00");
    JsonObject first = giveBack("t-1", "ret-1", "30.00").json();
    earn(c, "t-2", "50.00");
    JsonObject replay = giveBack("t-1", "ret-1", "30.00").json();
    assertEquals(first, replay, "a retry answers the first result, balance of then included");
    assertEquals(70, replay.getLong("points_balance"));
    Http.Reply conflict = giveBack("t-1", "ret-1", "40.00");
    assertEquals(409, conflict.status, conflict.toString());
    assertEquals("IDEMPOTENCY_CONFLICT", conflict.error().getString("code"));
    assertEquals(120, account(c).getLong("balance"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'reverse'"));
    assertEquals(1, events("loyalty.points.reversed", c));
    earn(c, "t-1:ret-1", "10.00");
    Http.Reply lookalike = giveBack("t-1:ret-1", null, null);
    assertEquals(409, lookalike.status, "a void of t-1:ret-1 is not the return ret-1 of t-1: " + lookalike);
    assertEquals(130, account(c).getLong("balance"));
    Http.Reply noId = giveBack("t-1", null, "10.00");
    assertEquals(400, noId.status, "a return names itself: " + noId);
    assertLedgerMatches(c);
  }

  @Test
  void aReturnByItemTakesTheShareOfTheItemsAmountsAndRefusesItemsThatDisagreeWithTheAmount() {
    String c = customer();
    assertEquals(250, earn(c, "t-1", "250.00"));
    JsonArray items = new JsonArray()
        .add(new JsonObject().put("product_id", "p-1").put("quantity", 1).put("amount", "19.99"))
        .add(new JsonObject().put("variant_id", "v-7").put("quantity", 2).put("amount", "15.00").put("name", "ignored"));
    Http.Reply r = http.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("return_id", "ret-1")
        .put("items", items));
    assertEquals(200, r.status, r.toString());
    assertEquals(34, r.json().getLong("points_reversed"), "250 x 34.99 / 250 rounded down");
    Http.Reply disagree = http.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("return_id", "ret-2")
        .put("amount", "10.00").put("items", items));
    assertEquals(400, disagree.status, disagree.toString());
    assertEquals(216, account(c).getLong("balance"));
    assertLedgerMatches(c);
  }

  @Test
  void aReturnByItemIsCheckedAgainstTheLinesBoughtAndWhatEarlierReturnsGaveBack() {
    String c = customer();
    Http.Reply earned = http.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "t-1")
        .put("amount", "100.00").put("items", new JsonArray()
            .add(new JsonObject().put("product_id", "p-1").put("quantity", 2))
            .add(new JsonObject().put("product_id", "p-2").put("quantity", 1))));
    assertEquals(100, earned.json().getLong("points_earned"));
    assertEquals(2, sql("SELECT count(*) FROM loyalty_earn_items"));
    JsonObject one = new JsonObject().put("product_id", "p-1").put("quantity", 1).put("amount", "30.00");
    assertEquals(30, http.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("return_id", "ret-1")
        .put("items", new JsonArray().add(one))).json().getLong("points_reversed"));
    Http.Reply tooMany = http.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("return_id", "ret-2")
        .put("items", new JsonArray().add(one.copy().put("quantity", 2))));
    assertEquals(400, tooMany.status, tooMany.toString());
    assertTrue(tooMany.error().getString("message").contains("p-1: 2 returned, 1 of 2 left to return"), tooMany.toString());
    Http.Reply notBought = http.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("return_id", "ret-3")
        .put("items", new JsonArray().add(new JsonObject().put("product_id", "p-9").put("quantity", 1).put("amount", "1.00"))));
    assertEquals(400, notBought.status, notBought.toString());
    assertEquals(70, account(c).getLong("balance"), "refused returns changed nothing");
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'reverse'"));
    Http.Reply rest = http.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "t-1").put("return_id", "ret-4")
        .put("items", new JsonArray().add(one.copy().put("amount", "20.00"))
            .add(new JsonObject().put("product_id", "p-2").put("quantity", 1).put("amount", "50.00"))));
    assertEquals(70, rest.json().getLong("points_reversed"), "30.00 + 20.00 + 50.00 complete the purchase: the rest");
    assertEquals(3, sql("SELECT sum(quantity) FROM loyalty_returned_items"));
    assertLedgerMatches(c);
  }

  @Test
  void reverseLoyaltyPointsOverGrpcReturnsAPartReplaysAndRefusesAnotherAmount() {
    String c = customer();
    assertTrue(grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(c)
        .setTransactionId("pos-1").setAmount(100.00).build(), token).ok());
    ReverseLoyaltyPointsRequest ret = ReverseLoyaltyPointsRequest.newBuilder().setReference("pos-1").setReturnId("ret-1")
        .setAmount(30.00).build();
    Reply<ReverseLoyaltyPointsResponse> r = grpc.call(CustomerServiceGrpcClient.ReverseLoyaltyPoints, ret, token);
    assertTrue(r.ok(), r.toString());
    assertEquals(30, r.body().getPointsReversed());
    assertEquals(70, r.body().getPointsBalance());
    assertEquals(c, r.body().getCustomerId());
    assertEquals(r.body(), grpc.call(CustomerServiceGrpcClient.ReverseLoyaltyPoints, ret, token).body());
    Reply<ReverseLoyaltyPointsResponse> other = grpc.call(CustomerServiceGrpcClient.ReverseLoyaltyPoints,
        ret.toBuilder().setAmount(31.00).build(), token);
    assertEquals(GrpcStatus.ALREADY_EXISTS, other.status(), other.toString());
    Reply<ReverseLoyaltyPointsResponse> byItem = grpc.call(CustomerServiceGrpcClient.ReverseLoyaltyPoints,
        ReverseLoyaltyPointsRequest.newBuilder().setReference("pos-1").setReturnId("ret-2")
            .addItems(ReturnedItem.newBuilder().setProductId("p-1").setQuantity(1).setAmount(10.00)).build(), token);
    assertEquals(10, byItem.body().getPointsReversed());
    Reply<ReverseLoyaltyPointsResponse> rest = grpc.call(CustomerServiceGrpcClient.ReverseLoyaltyPoints,
        ReverseLoyaltyPointsRequest.newBuilder().setReference("pos-1").build(), token);
    assertEquals(60, rest.body().getPointsReversed(), "a void takes what the returns left");
    assertEquals(0, rest.body().getPointsBalance());
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.ReverseLoyaltyPoints,
        ReverseLoyaltyPointsRequest.newBuilder().setReference("nope").setReturnId("x").setAmount(1).build(), token).status());
    assertLedgerMatches(c);
  }

  @Test
  void pendingPointsAreShownNotSpendableAndBecomeAvailableAfterTheWindowOnce() throws Exception {
    setPendingDays(14);
    String c = customer();
    assertEquals(100, earn(c, "t-1", "100.00"));
    JsonObject a = account(c);
    assertEquals(100, a.getLong("balance"));
    assertEquals(100, a.getLong("pending_points"));
    assertEquals(0, a.getLong("available"));
    assertEquals(0, a.getLong("qualifying_points"), "the tier counts them when they become available");
    assertEquals("100.00", lastEvent("loyalty.points.earned", c).getString("amount"));
    assertEquals(100, lastEvent("loyalty.points.earned", c).getLong("pending_points"));
    Http.Reply refused = http.post("/api/v1/customers/" + c + "/loyalty/redeem", new JsonObject().put("points", 100)
        .put("reference_id", "r-1"));
    assertEquals(422, refused.status, refused.toString());
    assertEquals("POINTS_INSUFFICIENT", refused.error().getString("code"));
    assertEquals(GrpcStatus.FAILED_PRECONDITION, grpc.call(CustomerServiceGrpcClient.RedeemLoyaltyPoints, RedeemPointsRequest.newBuilder()
        .setCustomerId(c).setPoints(100).setReferenceId("r-2").build(), token).status());
    GetCustomerResponse before = grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(c).build(),
        token).body();
    assertEquals(100, before.getLoyalty().getPendingPoints());
    assertEquals(100, before.getLoyaltyPoints());

    assertEquals(0L, await(service(Instant.now().plus(Duration.ofDays(13))).releasePendingPoints(org)), "inside the window");
    assertEquals(100L, await(service(Instant.now().plus(Duration.ofDays(15))).releasePendingPoints(org)));
    assertEquals(0L, await(service(Instant.now().plus(Duration.ofDays(16))).releasePendingPoints(org)), "released once");
    a = account(c);
    assertEquals(100, a.getLong("available"));
    assertEquals(0, a.getLong("pending_points"));
    assertEquals(100, a.getLong("qualifying_points"));
    assertEquals(1, events("loyalty.points.available", c));
    assertEquals(100, lastEvent("loyalty.points.available", c).getLong("points"));
    assertEquals(100, lastEvent("loyalty.points.available", c).getLong("points_available"));
    GetCustomerResponse after = grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(c).build(),
        token).body();
    assertEquals(0, after.getLoyalty().getPendingPoints(), "the release dropped the cached checkout view");
    assertEquals(200, http.post("/api/v1/customers/" + c + "/loyalty/redeem", new JsonObject().put("points", 100)
        .put("reference_id", "r-3")).status);
    assertLedgerMatches(c);
  }

  @Test
  void aReturnInsideTheWindowTakesFromPendingWithoutShortfall() throws Exception {
    setPendingDays(14);
    String c = customer();
    earn(c, "t-1", "100.00");
    JsonObject r = giveBack("t-1", "ret-1", "30.00").json();
    assertEquals(30, r.getLong("points_reversed"));
    assertEquals(0, r.getLong("shortfall"));
    JsonObject a = account(c);
    assertEquals(70, a.getLong("balance"));
    assertEquals(70, a.getLong("pending_points"));
    assertEquals(0, a.getLong("available"));
    assertEquals(30, lastEvent("loyalty.points.reversed", c).getLong("pending_points"));
    assertLedgerMatches(c);
    assertEquals(70L, await(service(Instant.now().plus(Duration.ofDays(15))).releasePendingPoints(org)));
    a = account(c);
    assertEquals(70, a.getLong("available"));
    assertEquals(70, a.getLong("qualifying_points"));
    JsonObject rest = giveBack("t-1", null, null).json();
    assertEquals(70, rest.getLong("points_reversed"), "after the window a void takes the available rest");
    assertEquals(0, account(c).getLong("balance"));
    assertLedgerMatches(c);
  }

  @Test
  void pendingPointsUpgradeTheTierWhenTheyBecomeAvailable() throws Exception {
    setPendingDays(7);
    String c = customer();
    earn(c, "t-1", "1200.00");
    assertEquals("bronze", account(c).getJsonObject("tier").getString("code"));
    assertEquals(0, events("loyalty.tier.upgraded", c));
    assertEquals(1200L, await(service(Instant.now().plus(Duration.ofDays(8))).releasePendingPoints(org)));
    assertEquals("silver", account(c).getJsonObject("tier").getString("code"));
    assertEquals(1, events("loyalty.tier.upgraded", c));
    assertEquals(1200, lastEvent("loyalty.tier.upgraded", c).getLong("qualifying_points"));
    assertLedgerMatches(c);
  }

  @Test
  void aReturnBelowTheTierThresholdWarnsAndKeepsTheTierUntilTheGraceEnds() throws Exception {
    String c = customer();
    earn(c, "t-1", "1200.00");
    assertEquals("silver", account(c).getJsonObject("tier").getString("code"));
    JsonObject r = giveBack("t-1", "ret-1", "300.00").json();
    assertEquals(300, r.getLong("points_reversed"));
    assertEquals("silver", account(c).getJsonObject("tier").getString("code"), "no downgrade at once");
    assertEquals(1, events("loyalty.tier.downgrade_warning", c));
    JsonObject warning = lastEvent("loyalty.tier.downgrade_warning", c);
    assertEquals("silver", warning.getString("tier"));
    assertEquals("bronze", warning.getString("to_tier"));
    assertEquals(900, warning.getLong("qualifying_points"));
    assertEquals(1000, warning.getLong("threshold"));
    assertNotNull(warning.getString("downgrade_at"));
    giveBack("t-1", "ret-2", "100.00");
    assertEquals(1, events("loyalty.tier.downgrade_warning", c), "the grace started once");
    assertEquals(0L, (long) await(service(Instant.now().plus(Duration.ofDays(29))).reviewTiers(org)));
    assertEquals("silver", account(c).getJsonObject("tier").getString("code"), "inside the 30 days of grace");
    assertEquals(1L, (long) await(service(Instant.now().plus(Duration.ofDays(31))).reviewTiers(org)));
    assertEquals("bronze", account(c).getJsonObject("tier").getString("code"));
    assertEquals(1, events("loyalty.tier.downgraded", c));
    assertEquals(1, events("loyalty.tier.downgrade_warning", c), "the review did not warn again");
    assertLedgerMatches(c);
  }

  @Test
  void aVoidedSaleGivesBackThePointsSpentOnItOnce() {
    String c = customer();
    earn(c, "old", "1000.00");
    assertEquals(200, http.post("/api/v1/customers/" + c + "/loyalty/redeem", new JsonObject().put("points", 200)
        .put("reference_id", "sale-1")).status);
    assertEquals(500, earn(c, "sale-1", "500.00"));
    assertEquals(1300, account(c).getLong("balance"));
    JsonObject voided = giveBack("sale-1", null, null).json();
    assertEquals(500, voided.getLong("points_reversed"));
    assertEquals(1000, account(c).getLong("balance"), "1000 - 200 spent + 500 earned - 500 reversed + 200 refunded");
    assertEquals(voided, giveBack("sale-1", null, null).json(), "a replayed void");
    assertEquals(1000, account(c).getLong("balance"));
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'refund' AND idempotency_key = 'unredeem:sale-1'"
        + " AND points = 200"));
    assertEquals(1, events("loyalty.points.refunded", c));
    JsonObject refunded = lastEvent("loyalty.points.refunded", c);
    assertEquals(200, refunded.getLong("points"));
    assertEquals("sale-1", refunded.getString("reference"));
    assertLedgerMatches(c);
  }

  @Test
  void theProgramRefusesAReturnWindowOverAYear() {
    JsonObject program = http.get("/api/v1/loyalty/program").json();
    assertEquals(0, program.getInteger("pending_days"), "off by default");
    assertEquals(400, http.put("/api/v1/loyalty/program", program.put("pending_days", 366)).status);
  }
}
