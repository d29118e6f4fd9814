package com.zenlogic.customerservice.loyalty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loyalty REST API for admins and finance. */
class LoyaltyApiTest {
  static TestApp app;
  UUID org;
  Http admin;
  Http clerk;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("loyalty_api");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    admin = new Http(app.config.httpPort()).as(app.token(org, "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin"));
    clerk = new Http(app.config.httpPort()).as(app.token(org, "loyalty:read", "loyalty:write"));
  }

  String customer() {
    return admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Eva")
        .put("last_name", "Soto")).json().getString("id");
  }

  @Test
  void earnRedeemAndTheAccountViewAgreeToThePoint() {
    String c = customer();
    String base = "/api/v1/customers/" + c + "/loyalty";
    Http.Reply earned = clerk.post(base + "/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "99.99"));
    assertEquals(200, earned.status, earned.toString());
    assertEquals(99, earned.json().getLong("points_earned"));
    clerk.post(base + "/earn", new JsonObject().put("transaction_id", "t-2").put("amount", 250.50));
    Http.Reply redeemed = clerk.post(base + "/redeem", new JsonObject().put("points", 250).put("reference_id", "r-1"));
    assertEquals("2.50", redeemed.json().getString("discount_amount"));
    JsonObject account = clerk.get(base).json();
    assertEquals(99 + 250 - 250, account.getLong("balance"));
    assertEquals(99, account.getLong("available"));
    assertEquals("0.99", account.getString("redeemable_amount"));
    assertEquals("bronze", account.getJsonObject("tier").getString("code"));
    assertEquals("silver", account.getJsonObject("tier").getString("next_tier"));
    assertEquals(1000 - 349, account.getJsonObject("tier").getLong("points_to_next_tier"));
    assertEquals(0, account.getLong("expiring_in_30_days"), "points expire after 12 months");
    JsonArray ledger = clerk.get(base + "/ledger?limit=2").json().getJsonArray("items");
    assertEquals(2, ledger.size());
    assertEquals("redeem", ledger.getJsonObject(0).getString("type"));
    Http.Reply refused = clerk.post(base + "/redeem", new JsonObject().put("points", 500).put("reference_id", "r-2"));
    assertEquals(422, refused.status);
    assertEquals("POINTS_INSUFFICIENT", refused.error().getString("code"));
    assertTrue(refused.error().getString("message").contains("99 available"));
    assertEquals(400, clerk.post(base + "/redeem", new JsonObject().put("points", 50).put("reference_id", "r-3")).status);
    assertEquals(400, clerk.post(base + "/earn", new JsonObject().put("transaction_id", "t-3").put("amount", "1.999")).status);
    assertEquals(409, clerk.post(base + "/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "5")).status);
  }

  @Test
  void outOfRangeNumbersAreRefusedNotWrappedAndErrorsSayWhy() {
    String c = customer();
    String base = "/api/v1/customers/" + c + "/loyalty";
    assertEquals(200, clerk.post(base + "/earn", new JsonObject().put("transaction_id", "t-1").put("amount", "500")).status);
    // 2^64 + 100: read as a Java long it would wrap around to 100 and redeem 100 points.
    Http.Reply huge = clerk.send("POST", base + "/redeem", "{\"points\": 18446744073709551716, \"reference_id\": \"r-1\"}", null);
    assertEquals(400, huge.status, huge.toString());
    assertEquals("points", huge.error().getString("field"));
    assertEquals(500, clerk.get(base).json().getLong("balance"), "nothing was redeemed");
    Http.Reply blank = clerk.post(base + "/earn", new JsonObject().put("transaction_id", "").put("amount", "5"));
    assertEquals(400, blank.status);
    assertEquals("transaction_id", blank.error().getString("field"));
    assertTrue(blank.error().getString("message").contains("too short"), blank.toString());
  }

  @Test
  void adjustmentsNeedTheAdminPermissionAndNeverGoNegative() {
    String c = customer();
    String path = "/api/v1/customers/" + c + "/loyalty/adjust";
    assertEquals(403, clerk.post(path, new JsonObject().put("points", 100).put("reason", "goodwill")).status);
    Http.Reply added = admin.post(path, new JsonObject().put("points", 100).put("reason", "goodwill"));
    assertEquals(100, added.json().getLong("points_balance"));
    assertEquals(422, admin.post(path, new JsonObject().put("points", -101).put("reason", "fix")).status);
    assertEquals(0, admin.post(path, new JsonObject().put("points", -100).put("reason", "fix")).json().getLong("points_balance"));
    assertEquals(400, admin.post(path, new JsonObject().put("points", 5)).status, "a reason is required");
  }

  @Test
  void theProgramIsConfigurableAndValidated() {
    JsonObject program = clerk.get("/api/v1/loyalty/program").json();
    assertEquals("standard", program.getString("strategy"));
    assertEquals(4, program.getJsonArray("tiers").size());
    program.put("strategy", "tiered").put("points_per_money_unit", 50);
    assertEquals(403, clerk.send("PUT", "/api/v1/loyalty/program", program.encode(), null).status);
    Http.Reply saved = admin.put("/api/v1/loyalty/program", program);
    assertEquals(200, saved.status, saved.toString());
    assertEquals("tiered", clerk.get("/api/v1/loyalty/program").json().getString("strategy"));
    JsonObject broken = program.copy().put("tiers", new JsonArray().add(new JsonObject().put("code", "x").put("threshold", 10)
        .put("multiplier", 1)));
    Http.Reply refused = admin.put("/api/v1/loyalty/program", broken);
    assertEquals(400, refused.status);
    assertEquals("tiers", refused.error().getString("field"));
    String c = customer();
    clerk.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "x").put("amount", "100"));
    assertEquals("2.00", clerk.post("/api/v1/customers/" + c + "/loyalty/redeem",
        new JsonObject().put("points", 100).put("reference_id", "x")).json().getString("discount_amount"), "50 points per $1 now");
  }

  @Test
  void theLiabilityReportAddsUpIssuedRedeemedAndOutstanding() {
    String a = customer();
    String b = customer();
    clerk.post("/api/v1/customers/" + a + "/loyalty/earn", new JsonObject().put("transaction_id", "a1").put("amount", "1200"));
    clerk.post("/api/v1/customers/" + b + "/loyalty/earn", new JsonObject().put("transaction_id", "b1").put("amount", "300"));
    clerk.post("/api/v1/customers/" + b + "/loyalty/redeem", new JsonObject().put("points", 100).put("reference_id", "b-r"));
    JsonObject report = clerk.get("/api/v1/loyalty/liability").json();
    assertEquals(1400, report.getLong("points_outstanding"));
    assertEquals("14.00", report.getString("value"));
    assertEquals(1500, report.getJsonObject("period").getLong("issued"));
    assertEquals(100, report.getJsonObject("period").getLong("redeemed"));
    JsonArray byTier = report.getJsonArray("by_tier");
    assertEquals(2, byTier.size());
    assertEquals(1200, byTier.stream().map(JsonObject.class::cast).filter(x -> x.getString("key").equals("silver")).findFirst()
        .get().getLong("points"));
    assertEquals(1400, report.getJsonArray("by_expiry_month").stream().map(JsonObject.class::cast).mapToLong(x -> x.getLong("points")).sum());
  }

  @Test
  void punchCardsAndReversalsOverRest() {
    Http.Reply program = admin.post("/api/v1/loyalty/punch-card-programs", new JsonObject().put("name", "Café")
        .put("category", "coffee").put("stamps_required", 10).put("reward", "free coffee"));
    assertEquals(201, program.status, program.toString());
    String c = customer();
    clerk.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "cafe").put("amount", "30")
        .put("items", new JsonArray().add(new JsonObject().put("category", "coffee").put("quantity", 10))));
    JsonObject card = clerk.get("/api/v1/customers/" + c + "/punch-cards").json().getJsonArray("items").getJsonObject(0);
    assertEquals(1, card.getInteger("rewards_available"));
    String redeem = "/api/v1/customers/" + c + "/punch-cards/" + program.json().getString("id") + "/redeem";
    assertEquals(0, clerk.post(redeem, new JsonObject().put("reference", "use-1")).json().getInteger("rewards_available"));
    assertEquals(422, clerk.post(redeem, new JsonObject().put("reference", "use-2")).status);
    Http.Reply reversed = clerk.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "cafe").put("reason", "void"));
    assertEquals(30, reversed.json().getLong("points_reversed"));
    assertEquals(404, clerk.post("/api/v1/loyalty/reversals", new JsonObject().put("reference", "nope")).status);
  }
}
