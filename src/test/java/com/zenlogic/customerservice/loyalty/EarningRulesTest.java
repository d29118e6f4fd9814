package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.AddPointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.AddPointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.AppliedEarningRule;
import com.zenlogic.customerservice.api.grpc.v1.CalculatePointsRequest;
import com.zenlogic.customerservice.api.grpc.v1.CalculatePointsResponse;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.LoyaltyItem;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.AppliedRule;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.EarnResult;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Item;
import com.zenlogic.customerservice.platform.auth.Caller;
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
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
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

/** Earning rules and the points preview, with exact figures, over REST, gRPC and with a moved clock. */
class EarningRulesTest {
  static final ZoneId SANTIAGO = ZoneId.of("America/Santiago");
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;

  UUID org;
  String token;
  Http admin;
  Caller caller;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("earning_rules");
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    db = Db.create(app.vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()), 4);
  }

  @AfterAll
  static void stop() throws Exception {
    db.close().await(10, TimeUnit.SECONDS);
    grpc.close();
    app.close();
  }

  @BeforeEach
  void freshOrganization() {
    org = UUID.randomUUID();
    token = app.token(org, "customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin");
    admin = new Http(app.config.httpPort()).as(token);
    caller = new Caller(org, "tester", null, Set.of("loyalty:admin"), "test");
  }

  String customer() {
    return admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas")).json().getString("id");
  }

  String rule(JsonObject rule) {
    Http.Reply r = admin.post("/api/v1/loyalty/earning-rules", rule);
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  static JsonObject item(String product, String category, String quantity, String unitPrice) {
    return new JsonObject().put("product_id", product).put("category", category).put("quantity", quantity).put("unit_price", unitPrice);
  }

  Http.Reply earn(String customer, String txn, String amount, JsonArray items) {
    JsonObject body = new JsonObject().put("transaction_id", txn).put("amount", amount);
    if (items != null) {
      body.put("items", items);
    }
    return admin.post("/api/v1/customers/" + customer + "/loyalty/earn", body);
  }

  Http.Reply preview(String customer, String amount, JsonArray items) {
    JsonObject body = new JsonObject().put("amount", amount);
    if (items != null) {
      body.put("items", items);
    }
    return admin.post("/api/v1/customers/" + customer + "/loyalty/preview", body);
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  LoyaltyService service(MutableClock clock) {
    return new LoyaltyService(db, CustomerChangeListener.NONE, clock);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  static EarningRule bonusRule(String name, long bonus, Long cap, String period) {
    return new EarningRule(null, name, true, List.of(), List.of(), null, null, null, List.of(), null, null, List.of(), null, bonus,
        cap, period);
  }

  static JsonArray coffeeAndRest() {
    return new JsonArray().add(item("cafe-1", "coffee", "2", "15.00")).add(item("pan-1", "bakery", "1", "70.00"));
  }

  @Test
  void doublePointsOnACategoryEarn130For100WithTheCategoryItemAt30() {
    String ruleId = rule(new JsonObject().put("name", "Double coffee").put("condition", new JsonObject()
        .put("categories", new JsonArray().add("coffee"))).put("effect", new JsonObject().put("multiplier", "2.0")));
    String c = customer();
    Http.Reply r = earn(c, "t-1", "100.00", coffeeAndRest());
    assertEquals(200, r.status, r.toString());
    assertEquals(130, r.json().getLong("points_earned"), "100 base + 30 extra for the 30.00 of coffee");
    assertEquals(130, r.json().getLong("points_balance"));
    JsonArray applied = r.json().getJsonArray("applied_rules");
    assertEquals(1, applied.size());
    assertEquals(ruleId, applied.getJsonObject(0).getString("rule_id"));
    assertEquals("Double coffee", applied.getJsonObject(0).getString("name"));
    assertEquals(30, applied.getJsonObject(0).getLong("points"));
    assertFalse(applied.getJsonObject(0).containsKey("cap_remaining"), "no cap");
    assertEquals(30, sql("SELECT points FROM loyalty_rule_applications WHERE rule_id = '" + ruleId + "'"), "the ledger row's rule points are kept");
    assertEquals(130, sql("SELECT sum(points) FROM loyalty_ledger WHERE customer_id = '" + c + "'"));
    Http.Reply replay = earn(c, "t-1", "100.00", coffeeAndRest());
    assertEquals(130, replay.json().getLong("points_earned"));
    assertTrue(replay.json().getBoolean("replayed"));
    assertEquals(30, replay.json().getJsonArray("applied_rules").getJsonObject(0).getLong("points"), "a replay answers the rules again");
    assertEquals(130, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"), "counted once");
    // Rounded down per rule: 1.5x on 33.33 of coffee is 16.665 extra, 16 given; a purchase without coffee gets no rule.
    admin.put("/api/v1/loyalty/earning-rules/" + ruleId, new JsonObject().put("name", "1.5x coffee").put("condition", new JsonObject()
        .put("categories", new JsonArray().add("Coffee"))).put("effect", new JsonObject().put("multiplier", 1.5)));
    Http.Reply third = earn(c, "t-2", "50.00", new JsonArray().add(item("cafe-2", "coffee", "1", "33.33")));
    assertEquals(50 + 16, third.json().getLong("points_earned"));
    Http.Reply none = earn(c, "t-3", "50.00", new JsonArray().add(item("pan-1", "bakery", "1", "50.00")));
    assertEquals(50, none.json().getLong("points_earned"));
    assertEquals(0, none.json().getJsonArray("applied_rules").size());
  }

  @Test
  void aFixedBonusWithAMinimumPurchaseAppliesAt20ButNotAt1999() {
    rule(new JsonObject().put("name", "50 on 20+").put("condition", new JsonObject().put("min_amount", "20.00"))
        .put("effect", new JsonObject().put("bonus_points", 50)));
    String c = customer();
    Http.Reply at20 = earn(c, "t-20", "20.00", null);
    assertEquals(20 + 50, at20.json().getLong("points_earned"));
    assertEquals(50, at20.json().getJsonArray("applied_rules").getJsonObject(0).getLong("points"));
    Http.Reply below = earn(c, "t-1999", "19.99", null);
    assertEquals(19, below.json().getLong("points_earned"));
    assertEquals(0, below.json().getJsonArray("applied_rules").size());
  }

  @Test
  void aTierLimitedRuleAppliesToGoldNotToSilver() {
    rule(new JsonObject().put("name", "Gold bonus").put("condition", new JsonObject().put("tiers", new JsonArray().add("gold")))
        .put("effect", new JsonObject().put("bonus_points", 25)));
    String gold = customer();
    String silver = customer();
    assertEquals(5000, earn(gold, "g-1", "5000.00", null).json().getLong("points_earned"), "bronze when it earned: no bonus");
    assertEquals(1000, earn(silver, "s-1", "1000.00", null).json().getLong("points_earned"));
    Http.Reply g = earn(gold, "g-2", "100.00", null);
    assertEquals("gold", g.json().getString("tier"));
    assertEquals(125, g.json().getLong("points_earned"));
    Http.Reply s = earn(silver, "s-2", "100.00", null);
    assertEquals("silver", s.json().getString("tier"));
    assertEquals(100, s.json().getLong("points_earned"));
  }

  @Test
  void aTuesdayWindowIsReadInTheOrganizationsTimeZone() throws Exception {
    MutableClock clock = new MutableClock(ZonedDateTime.of(2026, 12, 1, 16, 30, 0, 0, SANTIAGO).toInstant());
    assertEquals(DayOfWeek.TUESDAY, ZonedDateTime.ofInstant(clock.instant(), SANTIAGO).getDayOfWeek());
    LoyaltyService loyalty = service(clock);
    await(loyalty.saveEarningRule(caller, null, new EarningRule(null, "Happy hour", true, List.of(), List.of(), null, null, null,
        List.of(DayOfWeek.TUESDAY), LocalTime.of(16, 0), LocalTime.of(18, 0), List.of(), new BigDecimal("2"), null, null, null)));
    UUID c = UUID.fromString(customer());
    assertEquals(20, earnDirect(loyalty, c, "in", "10.00").pointsEarned(), "Tuesday 16:30 Santiago: doubled");
    clock.advance(Duration.ofMinutes(91));
    assertEquals(10, earnDirect(loyalty, c, "after", "10.00").pointsEarned(), "18:01: not");
    // The same instant as 16:30 in Santiago is 19:30 UTC: an organization on UTC is outside its window.
    clock.advance(Duration.ofMinutes(-91));
    await(loyalty.saveProgram(caller, withZone("UTC")));
    assertEquals(10, earnDirect(loyalty, c, "utc", "10.00").pointsEarned());
    await(loyalty.saveProgram(caller, withZone("America/Santiago")));
    assertEquals(20, earnDirect(loyalty, c, "santiago-again", "10.00").pointsEarned());
  }

  static LoyaltyProgram withZone(String zone) {
    return LoyaltyProgram.DEFAULT.withTimeZone(zone);
  }

  EarnResult earnDirect(LoyaltyService loyalty, UUID customer, String txn, String amount) throws Exception {
    return await(loyalty.earn(new LoyaltyMessages.Earn(caller, customer, txn, new BigDecimal(amount), null, "api", List.of())));
  }

  @Test
  void aDailyCapGivesTheSecondEarnWhatIsLeftAndTheNextDayAgainInFull() throws Exception {
    // 10:00 in Santiago on a Wednesday; the next local day starts 14 hours later.
    MutableClock clock = new MutableClock(ZonedDateTime.of(2026, 12, 2, 10, 0, 0, 0, SANTIAGO).toInstant());
    LoyaltyService loyalty = service(clock);
    EarningRule saved = await(loyalty.saveEarningRule(caller, null, bonusRule("70 a visit, 100 a day", 70, 100L, "day")));
    UUID c = UUID.fromString(customer());
    EarnResult first = earnDirect(loyalty, c, "d1-a", "10.00");
    assertEquals(80, first.pointsEarned());
    assertEquals(List.of(new AppliedRule(saved.id(), "70 a visit, 100 a day", 70, 30L)), first.appliedRules());
    EarnResult second = earnDirect(loyalty, c, "d1-b", "10.00");
    assertEquals(10 + 30, second.pointsEarned(), "only the 30 left of today's cap");
    assertEquals(List.of(new AppliedRule(saved.id(), "70 a visit, 100 a day", 30, 0L)), second.appliedRules());
    assertEquals(10, earnDirect(loyalty, c, "d1-c", "10.00").pointsEarned(), "cap used up");
    clock.advance(Duration.ofHours(13).plusMinutes(59));
    assertEquals(10, earnDirect(loyalty, c, "d1-d", "10.00").pointsEarned(), "23:59 the same day");
    clock.advance(Duration.ofMinutes(2));
    assertEquals(80, earnDirect(loyalty, c, "d2-a", "10.00").pointsEarned(), "the next day in full");
    assertEquals(170, sql("SELECT sum(points) FROM loyalty_rule_applications WHERE customer_id = '" + c + "'"));
    assertEquals(sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"),
        sql("SELECT sum(points) FROM loyalty_ledger WHERE customer_id = '" + c + "'"));
  }

  @Test
  void concurrentEarnsNeverGiveMoreThanTheCap() throws Exception {
    rule(new JsonObject().put("name", "50 a visit, 100 a week").put("effect", new JsonObject().put("bonus_points", 50))
        .put("cap", new JsonObject().put("points", 100).put("period", "week")));
    String c = customer();
    List<CompletableFuture<Http.Reply>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(admin.sendAsync("POST", "/api/v1/customers/" + c + "/loyalty/earn",
          new JsonObject().put("transaction_id", "c-" + i).put("amount", "10.00").encode(), null));
    }
    long total = 0;
    for (CompletableFuture<Http.Reply> call : calls) {
      Http.Reply r = call.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.status, r.toString());
      total += r.json().getLong("points_earned");
    }
    assertEquals(6 * 10 + 100, total);
    assertEquals(100, sql("SELECT sum(points) FROM loyalty_rule_applications WHERE customer_id = '" + c + "'"));
    assertEquals(160, sql("SELECT balance FROM loyalty_accounts WHERE customer_id = '" + c + "'"));
  }

  @Test
  void thePreviewEqualsTheFollowingEarnAndWritesNothing() {
    rule(new JsonObject().put("name", "Double coffee").put("condition", new JsonObject()
        .put("categories", new JsonArray().add("coffee"))).put("effect", new JsonObject().put("multiplier", "2")));
    rule(new JsonObject().put("name", "20 a day").put("effect", new JsonObject().put("bonus_points", 20))
        .put("cap", new JsonObject().put("points", 30).put("period", "day")));
    String c = customer();
    long ledger = sql("SELECT count(*) FROM loyalty_ledger");
    long outbox = sql("SELECT count(*) FROM outbox");
    Http.Reply p = preview(c, "100.00", coffeeAndRest());
    assertEquals(200, p.status, p.toString());
    assertEquals(150, p.json().getLong("points"));
    assertEquals(100, p.json().getLong("base_points"));
    assertEquals("bronze", p.json().getString("tier"));
    JsonArray rules = p.json().getJsonArray("applied_rules");
    assertEquals(2, rules.size());
    assertEquals(30, rules.getJsonObject(0).getLong("points"));
    assertEquals(20, rules.getJsonObject(1).getLong("points"));
    assertEquals(10, rules.getJsonObject(1).getLong("cap_remaining"));
    assertEquals(ledger, sql("SELECT count(*) FROM loyalty_ledger"), "no ledger row");
    assertEquals(outbox, sql("SELECT count(*) FROM outbox"), "no event");
    assertEquals(0, sql("SELECT count(*) FROM loyalty_accounts"), "not even an account opened");
    assertEquals(0, sql("SELECT count(*) FROM loyalty_rule_applications"));

    Http.Reply e = earn(c, "t-1", "100.00", coffeeAndRest());
    assertEquals(150, e.json().getLong("points_earned"));
    assertEquals(rules, e.json().getJsonArray("applied_rules"));
    // After the earn, the preview sees what the cap has left.
    Http.Reply after = preview(c, "100.00", coffeeAndRest());
    assertEquals(140, after.json().getLong("points"));
    assertEquals(0, after.json().getJsonArray("applied_rules").getJsonObject(1).getLong("cap_remaining"));
    assertEquals(404, preview(UUID.randomUUID().toString(), "1.00", null).status);
    Http.Reply clerk = new Http(app.config.httpPort()).as(app.token(org, "loyalty:read"))
        .post("/api/v1/customers/" + c + "/loyalty/preview", new JsonObject().put("amount", "1.00"));
    assertEquals(200, clerk.status, "loyalty:read is enough");
  }

  @Test
  void withoutRulesTheStrategiesEarnExactlyAsBefore() throws Exception {
    String c = customer();
    Http.Reply p = preview(c, "99.99", coffeeAndRest());
    assertEquals(99, p.json().getLong("points"));
    Http.Reply e = earn(c, "t-1", "99.99", coffeeAndRest());
    assertEquals(99, e.json().getLong("points_earned"));
    assertEquals(0, e.json().getJsonArray("applied_rules").size());
    await(service(new MutableClock(Instant.now())).saveProgram(caller, new LoyaltyProgram(LoyaltyProgram.TIERED, BigDecimal.ONE,
        BigDecimal.ONE, 100, 100, 12, 30, 12, 15, LoyaltyProgram.DEFAULT.tiers())));
    String g = customer();
    assertEquals(5000, earn(g, "g-1", "5000.00", null).json().getLong("points_earned"));
    assertEquals(150, preview(g, "100.00", null).json().getLong("points"), "gold 1.5 under tiered");
    assertEquals(150, earn(g, "g-2", "100.00", null).json().getLong("points_earned"));
    // A rule that no longer is active changes nothing either.
    String off = rule(new JsonObject().put("name", "Off").put("active", false).put("effect", new JsonObject().put("bonus_points", 99)));
    assertEquals(150, earn(g, "g-3", "100.00", null).json().getLong("points_earned"));
    assertEquals(204, admin.delete("/api/v1/loyalty/earning-rules/" + off).status);
    assertEquals(404, admin.delete("/api/v1/loyalty/earning-rules/" + off).status);
  }

  @Test
  void underATieredProgramDoublePointsDoubleTheTiersPointsOnTheMatchingItems() throws Exception {
    await(service(new MutableClock(Instant.now())).saveProgram(caller, new LoyaltyProgram(LoyaltyProgram.TIERED, BigDecimal.ONE,
        BigDecimal.ONE, 100, 100, 12, 30, 12, 15, LoyaltyProgram.DEFAULT.tiers())));
    rule(new JsonObject().put("name", "Double coffee").put("condition", new JsonObject()
        .put("product_ids", new JsonArray().add("cafe-1"))).put("effect", new JsonObject().put("multiplier", "2")));
    String g = customer();
    earn(g, "g-1", "5000.00", null);
    // gold 1.5: 100 × 1.5 = 150 base, the 30.00 of coffee earns 45 more.
    assertEquals(195, earn(g, "g-2", "100.00", coffeeAndRest()).json().getLong("points_earned"));
  }

  @Test
  void invalidRulesAreRefusedNamingTheField() {
    assertInvalid(new JsonObject().put("name", "x").put("effect", new JsonObject().put("multiplier", 0)), "effect.multiplier");
    assertInvalid(new JsonObject().put("name", "x").put("effect", new JsonObject().put("multiplier", "-2")), "effect.multiplier");
    assertInvalid(new JsonObject().put("name", "x").put("condition", new JsonObject().put("tiers", new JsonArray().add("diamond")))
        .put("effect", new JsonObject().put("bonus_points", 5)), "condition.tiers");
    assertInvalid(new JsonObject().put("name", "x").put("condition", new JsonObject().put("time_from", "18:00").put("time_to", "16:00"))
        .put("effect", new JsonObject().put("bonus_points", 5)), "condition.time_to");
    assertInvalid(new JsonObject().put("name", "x").put("effect", new JsonObject().put("bonus_points", 5).put("multiplier", "2")), "effect");
    assertInvalid(new JsonObject().put("name", "x").put("condition", new JsonObject().put("valid_from", "2026-02-01")
        .put("valid_to", "2026-01-01")).put("effect", new JsonObject().put("bonus_points", 5)), "condition.valid_to");
    JsonObject program = admin.get("/api/v1/loyalty/program").json();
    assertEquals("America/Santiago", program.getString("time_zone"), "the default zone");
    Http.Reply badZone = admin.put("/api/v1/loyalty/program", program.copy().put("time_zone", "Mars/Olympus"));
    assertEquals(400, badZone.status, badZone.toString());
    assertEquals("time_zone", badZone.error().getString("field"));
    Http.Reply goodZone = admin.put("/api/v1/loyalty/program", program.copy().put("time_zone", "Europe/Madrid"));
    assertEquals("Europe/Madrid", goodZone.json().getString("time_zone"));
    assertEquals(0, admin.get("/api/v1/loyalty/earning-rules").json().getJsonArray("items").size(), "nothing refused was stored");
    Http.Reply clerk = new Http(app.config.httpPort()).as(app.token(org, "loyalty:read", "loyalty:write"))
        .post("/api/v1/loyalty/earning-rules", new JsonObject().put("name", "x").put("effect", new JsonObject().put("bonus_points", 5)));
    assertEquals(403, clerk.status, "rules need loyalty:admin");
  }

  void assertInvalid(JsonObject rule, String field) {
    Http.Reply r = admin.post("/api/v1/loyalty/earning-rules", rule);
    assertEquals(400, r.status, r.toString());
    assertEquals(field, r.error().getString("field"), r.toString());
  }

  @Test
  void theRulesReadBackAsSaved() {
    String id = rule(new JsonObject().put("name", "Tuesday coffee").put("condition", new JsonObject()
            .put("product_ids", new JsonArray().add("cafe-1")).put("categories", new JsonArray().add("coffee"))
            .put("min_amount", "5.00").put("valid_from", "2026-01-01").put("valid_to", "2026-12-31")
            .put("days", new JsonArray().add("tuesday")).put("time_from", "16:00").put("time_to", "18:00")
            .put("tiers", new JsonArray().add("gold").add("platinum")))
        .put("effect", new JsonObject().put("multiplier", "2.5")).put("cap", new JsonObject().put("points", 500).put("period", "month")));
    JsonObject r = admin.get("/api/v1/loyalty/earning-rules").json().getJsonArray("items").getJsonObject(0);
    assertEquals(id, r.getString("id"));
    assertTrue(r.getBoolean("active"));
    JsonObject cond = r.getJsonObject("condition");
    assertEquals("5.00", cond.getString("min_amount"));
    assertEquals("2026-12-31", cond.getString("valid_to"));
    assertEquals(new JsonArray().add("tuesday"), cond.getJsonArray("days"));
    assertEquals("16:00", cond.getString("time_from"));
    assertEquals(new JsonArray().add("gold").add("platinum"), cond.getJsonArray("tiers"));
    assertEquals("2.5", r.getJsonObject("effect").getString("multiplier"));
    assertEquals(new JsonObject().put("points", 500).put("period", "month"), r.getJsonObject("cap"));
    assertEquals(404, admin.put("/api/v1/loyalty/earning-rules/" + UUID.randomUUID(), new JsonObject().put("name", "x")
        .put("effect", new JsonObject().put("bonus_points", 5))).status);
  }

  static LoyaltyItem grpcItem(String product, String category, String quantity, String price) {
    return LoyaltyItem.newBuilder().setProductId(product).setCategory(category).setQuantity(quantity).setUnitPrice(price).build();
  }

  @Test
  void overGrpcCalculateLoyaltyPointsEqualsTheFollowingAddLoyaltyPoints() {
    String ruleId = rule(new JsonObject().put("name", "Double coffee").put("condition", new JsonObject()
        .put("categories", new JsonArray().add("coffee"))).put("effect", new JsonObject().put("multiplier", "2")));
    String c = customer();
    List<LoyaltyItem> items = List.of(grpcItem("cafe-1", "coffee", "2", "15.00"), grpcItem("pan-1", "bakery", "1", "70.00"));
    long ledger = sql("SELECT count(*) FROM loyalty_ledger");
    Reply<CalculatePointsResponse> calc = grpc.call(CustomerServiceGrpcClient.CalculateLoyaltyPoints, CalculatePointsRequest.newBuilder()
        .setCustomerId(c).setAmount(100.00).addAllItems(items).build(), token);
    assertTrue(calc.ok(), calc.toString());
    assertEquals(130, calc.body().getPoints());
    assertEquals(100, calc.body().getBasePoints());
    AppliedEarningRule rule = calc.body().getAppliedRules(0);
    assertEquals(ruleId, rule.getRuleId());
    assertEquals(30, rule.getPoints());
    assertFalse(rule.getCapped());
    assertEquals(ledger, sql("SELECT count(*) FROM loyalty_ledger"), "nothing written");
    Reply<AddPointsResponse> add = grpc.call(CustomerServiceGrpcClient.AddLoyaltyPoints, AddPointsRequest.newBuilder().setCustomerId(c)
        .setTransactionId("pos-1").setAmount(100.00).addAllItems(items).build(), token);
    assertTrue(add.ok(), add.toString());
    assertEquals(130, add.body().getPointsEarned());
    assertEquals(calc.body().getAppliedRulesList(), add.body().getAppliedRulesList());
    Reply<CalculatePointsResponse> bad = grpc.call(CustomerServiceGrpcClient.CalculateLoyaltyPoints, CalculatePointsRequest.newBuilder()
        .setCustomerId(c).setAmount(100.00).addItems(grpcItem("x", "coffee", "1", "1.999")).build(), token);
    assertEquals(GrpcStatus.INVALID_ARGUMENT, bad.status());
    assertTrue(bad.message().contains("items[0].unit_price"), bad.message());
    Reply<CalculatePointsResponse> readOnly = grpc.call(CustomerServiceGrpcClient.CalculateLoyaltyPoints, CalculatePointsRequest.newBuilder()
        .setCustomerId(c).setAmount(10).build(), app.token(org, "loyalty:read"));
    assertTrue(readOnly.ok(), "loyalty:read is enough: " + readOnly);
    assertEquals(10, readOnly.body().getPoints());
  }

  @Test
  void evaluationIsPureArithmeticOnTheMatchingLines() {
    EarningRule byProduct = new EarningRule(UUID.randomUUID(), "p", true, List.of("a"), List.of(), null, null, null, List.of(), null,
        null, List.of(), new BigDecimal("3"), null, null, null);
    ZonedDateTime now = ZonedDateTime.of(2026, 12, 1, 12, 0, 0, 0, SANTIAGO);
    List<Item> items = List.of(new Item("a", null, 1, new BigDecimal("10.01")), new Item("a", null, 1, null),
        new Item("b", null, 1, new BigDecimal("5.00")));
    assertEquals(20, EarningRules.pointsOf(byProduct, now, "bronze", new BigDecimal("15.01"), BigDecimal.ONE, items),
        "(3 - 1) × 10.01 = 20.02, rounded down; a line without price adds nothing");
    assertEquals(10, EarningRules.pointsOf(byProduct, now, "bronze", new BigDecimal("5.00"), BigDecimal.ONE, items),
        "never more than the purchase: matching 10.01 cut to 5.00");
  }
}
