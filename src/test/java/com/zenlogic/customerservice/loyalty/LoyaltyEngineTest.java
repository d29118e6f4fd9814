package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetLoyaltyTierRequest;
import com.zenlogic.customerservice.api.grpc.v1.HoldPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.LoyaltyHoldRequest;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.RedeemPointsResponse;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Item;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.GrpcTestClient.Reply;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loyalty engine with exact figures, through gRPC where the POS uses it, and directly with a moved clock. */
class LoyaltyEngineTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;

  UUID org;
  String token;
  Caller caller;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("loyalty");
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 4);
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin");
    caller = new Caller(org, "tester", null, Set.of("loyalty:admin"), "test");
  }

  String customer() {
    return new Http(app.config.httpPort()).as(token).post("/api/v1/customers", new JsonObject().put("customer_type", "person")
        .put("first_name", "Ana").put("last_name", "Rojas")).json().getString("id");
  }

  Reply<AddPointsResponse> earn(String customer, String txn, double amount) {
    return grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(customer)
        .setTransactionId(txn).setAmount(amount).setPointsRate(1).build(), token);
  }

  Reply<RedeemPointsResponse> redeem(String customer, long points, String ref) {
    return grpc.call(CustomerServiceGrpcClient.RedeemLoyaltyPoints, RedeemPointsRequest.newBuilder().setCustomerId(customer)
        .setPoints(points).setReferenceId(ref).setReason("discount").build(), token);
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  /** balance == sum of ledger, held == sum of held deltas, and the lots hold exactly the balance. */
  void assertLedgerMatches(String customer) throws Exception {
    long balance = sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + customer + "'");
    assertEquals(balance, sql("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(sql("SELECT held FROM loyalty_accounts WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(held_delta), 0) FROM loyalty_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(balance, sql("SELECT coalesce(sum(remaining), 0) FROM loyalty_lots WHERE customer_id = '" + customer + "'"));
  }

  LoyaltyService service(MutableClock clock) {
    return new LoyaltyService(db, CustomerChangeListener.NONE, clock);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  @Test
  void standardEarningRoundsDown() throws Exception {
    String c = customer();
    Reply<AddPointsResponse> r = earn(c, "txn-1", 99.99);
    assertTrue(r.ok(), r.toString());
    assertEquals(99, r.body().getPointsEarned());
    assertEquals(99, r.body().getPointsBalance());
    assertEquals("bronze", r.body().getTier());
    assertEquals(99, grpc.call(CustomerServiceGrpcClient.GetCustomer,
        GetCustomerRequest.newBuilder().setCustomerId(c).build(), token).body().getLoyaltyPoints(), "checkout sees the points at once");
    assertEquals(1.0, grpc.call(CustomerServiceGrpcClient.GetLoyaltyTier,
        GetLoyaltyTierRequest.newBuilder().setCustomerId(c).build(), token).body().getMultiplier());
    assertLedgerMatches(c);
  }

  @Test
  void aGoldCustomerOfATieredProgramEarns150For100() throws Exception {
    await(service(new MutableClock(Instant.now())).saveProgram(caller, new LoyaltyProgram(LoyaltyProgram.TIERED, BigDecimal.ONE,
        BigDecimal.ONE, 100, 100, 12, 30, 12, 15, LoyaltyProgram.DEFAULT.tiers())));
    String c = customer();
    AddPointsResponse first = earn(c, "big", 5000.00).body();
    assertEquals(5000, first.getPointsEarned(), "bronze multiplier 1.0");
    assertEquals("gold", first.getTier());
    assertTrue(first.getTierUpgraded());
    assertEquals(150, earn(c, "coffee-run", 100.00).body().getPointsEarned());
    assertEquals(1.5, grpc.call(CustomerServiceGrpcClient.GetLoyaltyTier,
        GetLoyaltyTierRequest.newBuilder().setCustomerId(c).build(), token).body().getMultiplier());
  }

  @Test
  void redeeming250PointsGivesTwoFifty() throws Exception {
    String c = customer();
    earn(c, "t", 300);
    Reply<RedeemPointsResponse> r = redeem(c, 250, "ref-1");
    assertTrue(r.ok(), r.toString());
    assertEquals(250, r.body().getPointsRedeemed());
    assertEquals(2.50, r.body().getDiscountAmount());
    assertEquals(50, r.body().getPointsBalance());
    assertEquals(r.body(), redeem(c, 250, "ref-1").body(), "a retry answers the first result");
    assertEquals(GrpcStatus.ALREADY_EXISTS, redeem(c, 120, "ref-1").status(), "same reference, other request");
    Reply<RedeemPointsResponse> tooMuch = redeem(c, 100, "ref-2");
    assertEquals(GrpcStatus.FAILED_PRECONDITION, tooMuch.status());
    assertTrue(tooMuch.message().contains("50 available"), tooMuch.message());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, redeem(c, 99, "ref-3").status(), "below the minimum");
    assertEquals(GrpcStatus.INVALID_ARGUMENT, redeem(c, 100, "").status(), "no reference");
    assertEquals(50, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertLedgerMatches(c);
  }

  @Test
  void theSameTransactionSentFiftyTimesConcurrentlyCountsOnce() throws Exception {
    String c = customer();
    List<Future<Reply<AddPointsResponse>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(grpc.callAsync(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(c)
          .setTransactionId("same-sale").setAmount(120.00).build(), token));
    }
    await(Future.all(calls));
    for (Future<Reply<AddPointsResponse>> f : calls) {
      assertTrue(f.result().ok(), f.result().toString());
      assertEquals(120, f.result().body().getPointsEarned());
      assertEquals(120, f.result().body().getPointsBalance());
    }
    assertEquals(1, sql("SELECT count(*) FROM loyalty_ledger WHERE reference = 'same-sale'"));
    assertEquals(120, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    Reply<AddPointsResponse> other = earn(c, "same-sale", 121.00);
    assertEquals(GrpcStatus.ALREADY_EXISTS, other.status(), "same transaction, different amount");
    assertEquals(GrpcStatus.ALREADY_EXISTS, earn(customer(), "same-sale", 120.00).status(), "same transaction, other customer");
    assertEquals(120, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertLedgerMatches(c);
  }

  @Test
  void twoHundredConcurrentRedemptionsOfAHundredOnThirtySevenHundredLetExactly37Through() throws Exception {
    String c = customer();
    earn(c, "stock", 3700);
    List<Future<Reply<RedeemPointsResponse>>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(grpc.callAsync(CustomerServiceGrpcClient.RedeemLoyaltyPoints, RedeemPointsRequest.newBuilder().setCustomerId(c)
          .setPoints(100).setReferenceId("r-" + i).build(), token));
    }
    await(Future.join(calls));
    long ok = calls.stream().filter(f -> f.result().ok()).count();
    long refused = calls.stream().filter(f -> f.result().status() == GrpcStatus.FAILED_PRECONDITION).count();
    assertEquals(37, ok);
    assertEquals(163, refused);
    assertEquals(0, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(37, sql("SELECT count(*) FROM loyalty_ledger WHERE entry_type = 'redeem'"));
    assertLedgerMatches(c);
  }

  @Test
  void crossingAThousandQualifyingPointsUpgradesToSilverOnceWithOneEvent() throws Exception {
    String c = customer();
    assertFalse(earn(c, "a", 600).body().getTierUpgraded());
    AddPointsResponse crossing = earn(c, "b", 500).body();
    assertTrue(crossing.getTierUpgraded());
    assertEquals("silver", crossing.getTier());
    assertFalse(earn(c, "c", 100).body().getTierUpgraded());
    assertEquals(crossing, earn(c, "b", 500).body(), "a retried crossing does not upgrade again");
    assertEquals(1, sql("SELECT count(*) FROM outbox WHERE event_type = 'loyalty.tier.upgraded' AND aggregate_id = '" + c + "'"));
    assertEquals(3, sql("SELECT count(*) FROM outbox WHERE event_type = 'loyalty.points.earned' AND aggregate_id = '" + c + "'"));
  }

  @Test
  void pointsExpireAfterTwelveMonthsOldestFirst() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-10T12:00:00Z"));
    LoyaltyService loyalty = service(clock);
    UUID c = UUID.fromString(customer());
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "jan", new BigDecimal("500"), null, "pos", List.of())));
    clock.advance(Duration.ofDays(60));
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "mar", new BigDecimal("300"), null, "pos", List.of())));
    await(loyalty.redeem(new LoyaltyMessages.Redeem(caller, c, 200, "spend", null)));   // from January's 500
    clock.advance(Duration.ofDays(320));   // January's points are now older than 12 months, March's not
    assertEquals(300L, await(loyalty.expirePoints(org)));
    assertEquals(300, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(0L, await(loyalty.expirePoints(org)), "expiry is written once");
    clock.advance(Duration.ofDays(60));
    assertEquals(300L, await(loyalty.expirePoints(org)));
    assertEquals(0, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertLedgerMatches(c.toString());
  }

  @Test
  void aLapsedTierGoesDownOneLevelPerGracePeriod() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-01-10T12:00:00Z"));
    LoyaltyService loyalty = service(clock);
    UUID c = UUID.fromString(customer());
    assertEquals("gold", await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "big", new BigDecimal("6000"), null, "pos",
        List.of()))).tier());
    clock.advance(Duration.ofDays(400));   // the purchase left the 12-month window
    assertEquals(0, (int) await(loyalty.reviewTiers(org)), "first review only starts the grace period");
    clock.advance(Duration.ofDays(29));
    assertEquals(0, (int) await(loyalty.reviewTiers(org)));
    clock.advance(Duration.ofDays(2));
    assertEquals(1, (int) await(loyalty.reviewTiers(org)));
    assertEquals("silver", await(loyalty.tier(caller, c)).tier(), "one tier at a time");
    assertEquals(0, (int) await(loyalty.reviewTiers(org)));
    clock.advance(Duration.ofDays(31));
    assertEquals(1, (int) await(loyalty.reviewTiers(org)));
    assertEquals("bronze", await(loyalty.tier(caller, c)).tier());
    assertEquals(2, sql("SELECT count(*) FROM outbox WHERE event_type = 'loyalty.tier.downgraded'"));
    assertEquals(2, sql("SELECT count(*) FROM outbox WHERE event_type = 'loyalty.tier.downgrade_warning'"),
        "the grace of gold, then of silver, each announced once when it started");
  }

  @Test
  void anUncapturedHoldExpiresAndGivesItsPointsBack() throws Exception {
    String c = customer();
    earn(c, "t", 500);
    var hold = grpc.call(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(c).setPoints(300)
        .setReferenceId("pos-77").build(), token);
    assertTrue(hold.ok(), hold.toString());
    assertEquals(3.00, hold.body().getDiscountAmount());
    assertEquals(GrpcStatus.FAILED_PRECONDITION, redeem(c, 300, "other").status(), "held points cannot be redeemed twice");
    MutableClock later = new MutableClock(Instant.now().plus(Duration.ofMinutes(16)));
    assertEquals(1, (int) await(service(later).expireHolds(org)));
    assertEquals(0, sql("SELECT held FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(500, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    LoyaltyHoldRequest closeIt = LoyaltyHoldRequest.newBuilder().setHoldId(hold.body().getHoldId()).build();
    assertEquals(GrpcStatus.FAILED_PRECONDITION, grpc.call(CustomerServiceGrpcClient.CaptureLoyaltyHold, closeIt, token).status());
    assertEquals("expired", grpc.call(CustomerServiceGrpcClient.CancelLoyaltyHold, closeIt, token).body().getStatus());
    assertLedgerMatches(c);
  }

  @Test
  void aCapturedHoldRedeemsOnceAndCancelGivesBack() throws Exception {
    String c = customer();
    earn(c, "t", 500);
    String h1 = grpc.call(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(c).setPoints(200)
        .setReferenceId("a").build(), token).body().getHoldId();
    String h2 = grpc.call(CustomerServiceGrpcClient.HoldLoyaltyPoints, HoldPointsRequest.newBuilder().setCustomerId(c).setPoints(100)
        .setReferenceId("b").build(), token).body().getHoldId();
    LoyaltyHoldRequest capture = LoyaltyHoldRequest.newBuilder().setHoldId(h1).build();
    assertEquals(300, grpc.call(CustomerServiceGrpcClient.CaptureLoyaltyHold, capture, token).body().getPointsBalance());
    assertEquals("captured", grpc.call(CustomerServiceGrpcClient.CaptureLoyaltyHold, capture, token).body().getStatus());
    LoyaltyHoldRequest cancel = LoyaltyHoldRequest.newBuilder().setHoldId(h2).build();
    assertEquals("cancelled", grpc.call(CustomerServiceGrpcClient.CancelLoyaltyHold, cancel, token).body().getStatus());
    assertEquals("cancelled", grpc.call(CustomerServiceGrpcClient.CancelLoyaltyHold, cancel, token).body().getStatus());
    assertEquals(300, sql("SELECT balance - held FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.CaptureLoyaltyHold,
        LoyaltyHoldRequest.newBuilder().setHoldId(UUID.randomUUID().toString()).build(), token).status());
    assertLedgerMatches(c);
  }

  @Test
  void reversingASpentTransactionTakesWhatIsLeftAndRecordsTheShortfall() throws Exception {
    LoyaltyService loyalty = service(new MutableClock(Instant.now()));
    String c = customer();
    earn(c, "sale", 300);
    redeem(c, 200, "spent");
    LoyaltyMessages.ReverseResult r = await(loyalty.reverse(new LoyaltyMessages.Reverse(caller, "sale", "void")));
    assertEquals(100, r.pointsReversed());
    assertEquals(200, r.shortfall());
    assertEquals(0, r.pointsBalance());
    assertEquals(r, await(loyalty.reverse(new LoyaltyMessages.Reverse(caller, "sale", "void"))), "idempotent");
    assertLedgerMatches(c);
  }

  @Test
  void aPunchCardOfTenIssuesExactlyOneRewardOnTheTenthCoffee() throws Exception {
    LoyaltyService loyalty = service(new MutableClock(Instant.now()));
    LoyaltyMessages.PunchProgram program = await(db.withTenant(org, conn -> loyalty.punchCards().create(conn, org,
        new LoyaltyMessages.PunchProgram(null, "Café", List.of("coffee"), null, 10, "one free coffee", true))));
    UUID c = UUID.fromString(customer());
    int[] cups = {3, 4, 2};
    for (int i = 0; i < cups.length; i++) {
      await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "cafe-" + i, new BigDecimal("5.00"), null, "pos",
          List.of(new Item("coffee", "drinks", cups[i]), new Item("croissant", "bakery", 1)))));
    }
    assertEquals(9, cards(c).get(0).stamps());
    assertEquals(0, cards(c).get(0).rewardsAvailable());
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "cafe-3", new BigDecimal("2.50"), null, "pos",
        List.of(new Item("coffee", "drinks", 1)))));
    await(loyalty.earn(new LoyaltyMessages.Earn(caller, c, "cafe-3", new BigDecimal("2.50"), null, "pos",
        List.of(new Item("coffee", "drinks", 1)))));
    LoyaltyMessages.PunchCard card = cards(c).get(0);
    assertEquals(0, card.stamps());
    assertEquals(1, card.rewardsIssued());
    assertEquals(1, card.rewardsAvailable());
    await(db.withTenant(org, conn -> loyalty.punchCards().redeemReward(conn, org, c, program.id(), "free-1")));
    await(db.withTenant(org, conn -> loyalty.punchCards().redeemReward(conn, org, c, program.id(), "free-1")));
    assertEquals(0, cards(c).get(0).rewardsAvailable());
    assertEquals(1, cards(c).get(0).rewardsRedeemed());
  }

  List<LoyaltyMessages.PunchCard> cards(UUID c) throws Exception {
    LoyaltyService loyalty = service(new MutableClock(Instant.now()));
    return await(db.withTenant(org, conn -> loyalty.punchCards().cards(conn, org, c)));
  }
}
