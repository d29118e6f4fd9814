package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsRequest;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 defects 9, 11, 12, 13 on the points side: idempotency keys reused across customers
 * (concurrently, through the real API), capture after expiry, reversal of expired points, and
 * unknown or other tenants' customers on every punch-card operation.
 */
class LoyaltyHardeningTest {
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;

  UUID org;
  String token;
  Caller caller;
  Http admin;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("loyalty_hard");
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 4);
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin");
    caller = new Caller(org, "tester", null, Set.of("loyalty:admin"), "test");
    admin = new Http(app.config.httpPort()).as(token);
  }

  String customer() {
    return admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas")).json().getString("id");
  }

  LoyaltyService service(MutableClock clock) {
    return new LoyaltyService(db, CustomerChangeListener.NONE, clock);
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  void assertLedgerMatches(String customer) {
    long balance = sql("SELECT coalesce(max(balance), 0) FROM loyalty_accounts WHERE customer_id = '" + customer + "'");
    assertEquals(balance, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(sql("SELECT coalesce(max(held), 0) FROM loyalty_accounts WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(held_delta), 0) FROM loyalty_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(balance, sql("SELECT coalesce(sum(remaining), 0) FROM loyalty_lots WHERE customer_id = '" + customer + "'"));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  static ErrorCode failure(Future<?> f) {
    try {
      f.await(30, TimeUnit.SECONDS);
    } catch (DomainException e) {
      return e.code();
    } catch (Exception e) {
      fail("expected a domain error, got " + e);
    }
    fail("expected a domain error, got success");
    return null;
  }

  record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonObject error() {
      return json().getJsonObject("error");
    }
  }

  CompletableFuture<Answer> post(String path, JsonObject body, String idempotencyKey) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.config.httpPort() + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> new Answer(r.statusCode(), r.body()));
  }

  @Test
  void oneIdempotencyKeyOnAdjustForTwoCustomersAtOnceAppliesOnceAndConflictsForTheOther() throws Exception {
    for (int round = 0; round < 6; round++) {
      String a = customer();
      String b = customer();
      String key = "adj-" + round;
      JsonObject body = new JsonObject().put("points", 500).put("reason", "goodwill");
      CompletableFuture<Answer> first = post("/api/v1/customers/" + a + "/loyalty/adjust", body, key);
      CompletableFuture<Answer> second = post("/api/v1/customers/" + b + "/loyalty/adjust", body, key);
      List<Integer> statuses = new ArrayList<>(List.of(first.get().status(), second.get().status()));
      statuses.sort(null);
      assertEquals(List.of(200, 409), statuses, first.get() + " / " + second.get());
      Answer conflict = first.get().status() == 409 ? first.get() : second.get();
      assertEquals("IDEMPOTENCY_CONFLICT", conflict.error().getString("code"), conflict.toString());
      assertEquals(500, sql("SELECT coalesce(sum(balance), 0) FROM loyalty_accounts WHERE customer_id IN ('" + a + "', '" + b + "')"),
          "one effect only");
      assertLedgerMatches(a);
      assertLedgerMatches(b);
      String winner = first.get().status() == 200 ? a : b;
      Answer replay = post("/api/v1/customers/" + winner + "/loyalty/adjust", body, key).get();
      assertEquals(200, replay.status(), replay.toString());
      assertTrue(replay.json().getBoolean("replayed"));
      assertEquals(409, post("/api/v1/customers/" + winner + "/loyalty/adjust", body.copy().put("points", 501), key).get().status(),
          "same key, other amount");
    }
  }

  @Test
  void oneReferenceForTwoCustomersAtOnceRedeemsOrHoldsForOneOnlyAndConflictsForTheOther() throws Exception {
    for (int round = 0; round < 6; round++) {
      String a = customer();
      String b = customer();
      await(service(new MutableClock(Instant.now())).adjust(new LoyaltyMessages.Adjust(caller, UUID.fromString(a), 1000, "seed", null)));
      await(service(new MutableClock(Instant.now())).adjust(new LoyaltyMessages.Adjust(caller, UUID.fromString(b), 1000, "seed", null)));
      List<Future<Reply<?>>> calls = List.of(
          grpc.callAsync(CustomerServiceGrpcClient.RedeemLoyaltyPoints, RedeemPointsRequest.newBuilder().setCustomerId(a)
              .setPoints(200).setReferenceId("r-" + round).build(), token).map(r -> r),
          grpc.callAsync(CustomerServiceGrpcClient.RedeemLoyaltyPoints, RedeemPointsRequest.newBuilder().setCustomerId(b)
              .setPoints(200).setReferenceId("r-" + round).build(), token).map(r -> r),
          grpc.callAsync(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(a)
              .setPoints(300).setReferenceId("h-" + round).build(), token).map(r -> r),
          grpc.callAsync(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(b)
              .setPoints(300).setReferenceId("h-" + round).build(), token).map(r -> r));
      await(Future.join(calls));
      for (int pair = 0; pair < 4; pair += 2) {
        assertEquals(List.of(GrpcStatus.OK, GrpcStatus.ALREADY_EXISTS).toString(),
            statuses(calls.get(pair).result(), calls.get(pair + 1).result()), calls.get(pair).result() + " / " + calls.get(pair + 1).result());
      }
      String both = " WHERE customer_id IN ('" + a + "', '" + b + "')";
      assertEquals(2000 - 200, sql("SELECT sum(balance) FROM loyalty_accounts" + both), "one redemption");
      assertEquals(300, sql("SELECT sum(held) FROM loyalty_accounts" + both), "one hold");
      assertLedgerMatches(a);
      assertLedgerMatches(b);
    }
  }

  static String statuses(Reply<?> a, Reply<?> b) {
    List<GrpcStatus> got = new ArrayList<>(List.of(a.status(), b.status()));
    got.sort(null);
    return got.toString();
  }

  @Test
  void aHoldCapturedAfterItsExpiryIsRefusedAsClosedAndItsPointsAreBack() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-02-01T10:00:00Z"));
    LoyaltyService loyalty = service(clock);
    UUID c = UUID.fromString(customer());
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "sale", new BigDecimal("500"), null, "pos", List.of())));
    LoyaltyMessages.HoldResult hold = await(loyalty.hold(new LoyaltyMessages.HoldPoints(caller, c, 300, "pos-1")));
    clock.advance(Duration.ofMinutes(15));   // exactly at expires_at: the sweep would take it now
    assertEquals(ErrorCode.HOLD_CLOSED, failure(loyalty.capture(new LoyaltyMessages.CloseHold(caller, hold.holdId()))));
    assertEquals(500, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"), "nothing redeemed");
    assertEquals(0, sql("SELECT held FROM loyalty_accounts WHERE customer_id = '" + c + "'"), "the points are back at once");
    assertEquals(1, sql("SELECT count(*) FROM loyalty_holds WHERE status = 'expired'"));
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'redeem'"));
    assertEquals(0, (int) await(loyalty.expireHolds(org)), "nothing left for the sweep");
    assertEquals("expired", await(loyalty.cancel(new LoyaltyMessages.CloseHold(caller, hold.holdId()))).status());
    assertEquals(ErrorCode.HOLD_CLOSED, failure(loyalty.capture(new LoyaltyMessages.CloseHold(caller, hold.holdId()))));
    assertLedgerMatches(c.toString());
  }

  @Test
  void reversingAnEarnWhosePointsExpiredTakesNothingFromTheOtherPointsAndRecordsTheShortfall() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-10T12:00:00Z"));
    LoyaltyService loyalty = service(clock);
    UUID c = UUID.fromString(customer());
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "old", new BigDecimal("500"), null, "pos", List.of())));
    clock.advance(Duration.ofDays(300));
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "new", new BigDecimal("300"), null, "pos", List.of())));
    clock.advance(Duration.ofDays(70));
    assertEquals(500L, await(loyalty.expirePoints(org)));
    LoyaltyMessages.ReverseResult r = await(loyalty.reverse(new LoyaltyMessages.Reverse(caller, "old", "void")));
    assertEquals(0, r.pointsReversed(), "the 500 already left by expiry");
    assertEquals(500, r.shortfall());
    assertEquals(300, r.pointsBalance());
    assertEquals(300, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"), "March's points untouched");
    LoyaltyMessages.ReverseResult partly = await(loyalty.reverse(new LoyaltyMessages.Reverse(caller, "new", "void")));
    assertEquals(300, partly.pointsReversed());
    assertEquals(0, partly.shortfall());
    assertLedgerMatches(c.toString());
  }

  @Test
  void reversingAnEarnWhoseLotWasSpentTakesOnlyWhatThatLotStillHolds() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-10T12:00:00Z"));
    LoyaltyService loyalty = service(clock);
    UUID c = UUID.fromString(customer());
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "first", new BigDecimal("200"), null, "pos", List.of())));
    clock.advance(Duration.ofDays(1));
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "second", new BigDecimal("200"), null, "pos", List.of())));
    await(loyalty.redeem(new LoyaltyMessages.Redeem(caller, c, 300, "spend", null)));   // all of "first", 100 of "second"
    LoyaltyMessages.ReverseResult r = await(loyalty.reverse(new LoyaltyMessages.Reverse(caller, "first", "void")));
    assertEquals(0, r.pointsReversed());
    assertEquals(200, r.shortfall());
    assertEquals(100, r.pointsBalance(), "what is left belongs to the second earn");
    assertLedgerMatches(c.toString());
  }

  @Test
  void punchCardOperationsOnAnUnknownOrAnotherTenantsCustomerAnswer404AndWriteNothing() throws Exception {
    String program = admin.post("/api/v1/loyalty/punch-card-programs", new JsonObject().put("name", "Café")
        .put("product_ids", new io.vertx.core.json.JsonArray().add("coffee")).put("stamps_required", 5).put("reward", "coffee"))
        .json().getString("id");
    UUID otherOrg = UUID.randomUUID();
    String stranger = new Http(app.config.httpPort()).as(app.token(otherOrg, "customers:write")).post("/api/v1/customers",
        new JsonObject().put("customer_type", "person").put("first_name", "Otro").put("last_name", "Tenant")).json().getString("id");
    for (String who : List.of(UUID.randomUUID().toString(), stranger)) {
      Http.Reply redeemed = admin.post("/api/v1/customers/" + who + "/punch-cards/" + program + "/redeem",
          new JsonObject().put("reference", "free-1"));
      assertEquals(404, redeemed.status, redeemed.toString());
      assertEquals("CUSTOMER_NOT_FOUND", redeemed.error().getString("code"));
      Http.Reply cards = admin.get("/api/v1/customers/" + who + "/punch-cards");
      assertEquals(404, cards.status, cards.toString());
    }
    assertEquals(0, sql("SELECT count(*) FROM punch_cards"));
    assertEquals(0, sql("SELECT count(*) FROM punch_card_ledger"));
  }

  @Test
  void aRewardReferenceAlreadyUsedByAnotherCustomerConflicts() throws Exception {
    LoyaltyService loyalty = service(new MutableClock(Instant.now()));
    LoyaltyMessages.PunchProgram program = await(db.withTenant(org, conn -> loyalty.punchCards().create(conn, org,
        new LoyaltyMessages.PunchProgram(null, "Café", List.of("coffee"), null, 2, "one free coffee", true))));
    UUID a = UUID.fromString(customer());
    UUID b = UUID.fromString(customer());
    for (UUID c : List.of(a, b)) {
      await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "cafe-" + c, new BigDecimal("5.00"), null, "pos",
          List.of(new LoyaltyMessages.Item("coffee", "drinks", 2)))));
    }
    await(db.withTenant(org, conn -> loyalty.punchCards().redeemReward(conn, org, a, program.id(), "free-1")));
    assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT,
        failure(db.withTenant(org, conn -> loyalty.punchCards().redeemReward(conn, org, b, program.id(), "free-1"))));
    assertEquals(1, sql("SELECT rewards_available FROM punch_cards WHERE customer_id = '" + b + "'"), "b keeps its reward");
    assertEquals(0, sql("SELECT rewards_available FROM punch_cards WHERE customer_id = '" + a + "'"));
    await(db.withTenant(org, conn -> loyalty.punchCards().redeemReward(conn, org, a, program.id(), "free-1")));
    assertEquals(1, sql("SELECT rewards_redeemed FROM punch_cards WHERE customer_id = '" + a + "'"), "a replay uses it once");
  }

  @Test
  void everyPointsOperationOnAnUnknownOrAnotherTenantsCustomerAnswersNotFound() throws Exception {
    LoyaltyService loyalty = service(new MutableClock(Instant.now()));
    UUID otherOrg = UUID.randomUUID();
    UUID stranger = UUID.fromString(new Http(app.config.httpPort()).as(app.token(otherOrg, "customers:write")).post("/api/v1/customers",
        new JsonObject().put("customer_type", "person").put("first_name", "Otro").put("last_name", "Tenant")).json().getString("id"));
    for (UUID who : List.of(UUID.randomUUID(), stranger)) {
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(loyalty.earn(new LoyaltyMessages.Earn(caller, who, "t", BigDecimal.TEN, null,
          "pos", List.of()))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(loyalty.redeem(new LoyaltyMessages.Redeem(caller, who, 100, "r", null))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(loyalty.hold(new LoyaltyMessages.HoldPoints(caller, who, 100, "h"))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(loyalty.adjust(new LoyaltyMessages.Adjust(caller, who, 5, "x", null))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(loyalty.account(caller, who)));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(loyalty.ledger(new LoyaltyMessages.LedgerQuery(caller, who, null, 10))));
    }
    assertEquals(ErrorCode.TRANSACTION_NOT_FOUND, failure(loyalty.reverse(new LoyaltyMessages.Reverse(caller, "nope", null))));
    assertEquals(ErrorCode.HOLD_NOT_FOUND, failure(loyalty.capture(new LoyaltyMessages.CloseHold(caller, UUID.randomUUID()))));
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger"));
  }
}
