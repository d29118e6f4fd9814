package com.zenlogic.customerservice.segmentation;

import static com.zenlogic.customerservice.support.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CategoryShare;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.FavouriteItem;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetFavouritesRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetFavouritesResponse;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentResponse;
import com.zenlogic.customerservice.support.GrpcTestClient;
import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import com.zenlogic.customerservice.support.TestBroker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seeds' use cases per type of shop (issue #16), end to end over REST, gRPC and the consumed
 * events: purchase items, cafeteria favourites, supermarket top categories, the B2B price group and
 * the distributor's route listing with credit standing. Figures computed by hand.
 */
class ShopUseCasesTest {
  static final String[] ALL = {"customers:read", "customers:write", "loyalty:read", "loyalty:write", "credit:read", "credit:write",
      "credit:approve", "segments:read", "segments:admin"};

  static Vertx helper;
  static TestBroker broker;
  static TestApp app;
  static GrpcTestClient grpc;

  UUID org;
  String token;
  Http admin;
  Instant now;

  @BeforeAll
  static void start() throws Exception {
    helper = Vertx.vertx();
    broker = TestBroker.create(helper, "shops");
    app = TestApp.start("shops", Map.of("AMQP_URL", broker.url()));
    grpc = new GrpcTestClient(app.vertx, app.config.grpcPort());
    waitFor(() -> queueExists("customer_pos_queue") && queueExists("customer_order_queue"), "consumers declared their queues");
  }

  @AfterAll
  static void stop() throws Exception {
    grpc.close();
    app.close();
    broker.close();
    helper.close();
  }

  @BeforeEach
  void fresh() {
    org = UUID.randomUUID();
    token = app.token(org, ALL);
    admin = new Http(app.config.httpPort()).as(token);
    now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  // --- purchases keep their items ---

  @Test
  void aRestPurchaseKeepsItsItemsAndIgnoresFieldsItDoesNotKnow() {
    String c = person("Ana");
    JsonArray items = new JsonArray()
        .add(new JsonObject().put("product_id", "latte").put("name", "Latte").put("category", "coffee").put("quantity", 2)
            .put("unit_price", "3.50").put("barista", "Rosa").put("modifiers", new JsonArray().add("oat milk")))
        .add(new JsonObject().put("variant_id", "apples-kg").put("name", "Apples").put("category", "fruit").put("quantity", "1.5")
            .put("unit_price", 2.00).put("tax", new JsonObject().put("rate", "0.19")));
    var r = admin.post("/api/v1/customers/" + c + "/purchases", new JsonObject().put("reference", "r-1").put("amount", "10.00")
        .put("items", items));
    assertEquals(201, r.status, r.toString());
    assertEquals(2, sql("SELECT count(*) FROM purchase_items"));
    assertEquals("latte|Latte|coffee|2.000|3.50|7.00", sqlText("SELECT concat_ws('|', product_id, name, category, quantity, unit_price, "
        + "line_amount) FROM purchase_items WHERE line = 0"));
    assertEquals("apples-kg|Apples|fruit|1.500|2.00|3.00", sqlText("SELECT concat_ws('|', variant_id, name, category, quantity, "
        + "unit_price, line_amount) FROM purchase_items WHERE line = 1"));
    assertEquals(3, sql("SELECT item_count FROM purchases WHERE reference = 'api:r-1'"), "whole units: 2 lattes + 1 (of 1.5 kg)");
  }

  @Test
  void aBadItemFieldIsRefusedNamingItAndNothingIsStored() {
    String c = person("Ana");
    JsonObject good = new JsonObject().put("product_id", "latte").put("quantity", 1).put("unit_price", "3.50");
    Object[][] cases = {
        {"quantity", 0, "items[2].quantity"},
        {"quantity", "-1", "items[2].quantity"},
        {"quantity", "1.2345", "items[2].quantity"},
        {"unit_price", "3.999", "items[2].unit_price"},
        {"category", 7, "items[2].category"},
        {"name", "x".repeat(201), "items[2].name"},
        {"product_id", "bad\u0000id", "items[2].product_id"}};
    for (Object[] bad : cases) {
      JsonArray items = new JsonArray().add(good).add(good).add(good.copy().put((String) bad[0], bad[1]));
      var r = admin.post("/api/v1/customers/" + c + "/purchases", new JsonObject().put("reference", "bad").put("amount", "1.00")
          .put("items", items));
      assertEquals(400, r.status, bad[0] + "=" + bad[1] + ": " + r);
      assertEquals(bad[2], r.error().getString("field"), r.toString());
      var earn = admin.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "bad").put("amount", "1.00")
          .put("items", items));
      assertEquals(400, earn.status, earn.toString());
      assertEquals(bad[2], earn.error().getString("field"), earn.toString());
    }
    JsonArray tooMany = new JsonArray();
    for (int i = 0; i < 501; i++) {
      tooMany.add(good);
    }
    var r = admin.post("/api/v1/customers/" + c + "/purchases", new JsonObject().put("reference", "bad").put("amount", "1.00")
        .put("items", tooMany));
    assertEquals(400, r.status);
    assertEquals("items", r.error().getString("field"));
    assertEquals(0, sql("SELECT count(*) FROM purchases"));
    assertEquals(0, sql("SELECT count(*) FROM purchase_items"));
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger"), "the earn wrote nothing either");
  }

  @Test
  void orderAndPosEventsKeepTheirItems() throws Exception {
    String c = person("Ana");
    broker.publish("order_events", "order.completed", "o-msg-" + UUID.randomUUID(), envelope("order.completed", new JsonObject()
        .put("customer_id", c).put("order_id", "o-1").put("total_amount", "25.00")
        .put("items", new JsonArray()
            .add(new JsonObject().put("product_id", "drill").put("name", "Drill").put("category", "tools").put("quantity", 1)
                .put("unit_price", "20.00").put("sku", "DR-1"))
            .add(new JsonObject().put("product_id", "screws").put("name", "Screws").put("category", "fasteners").put("quantity", 10)
                .put("unit_price", "0.50"))))).await();
    broker.publish("pos_events", "pos.transaction.completed", "p-msg-" + UUID.randomUUID(), envelope("pos.transaction.completed",
        new JsonObject().put("customer_id", c).put("transaction_id", "t-1").put("totals", new JsonObject().put("total_amount", 4.5))
            .put("items", new JsonArray().add(new JsonObject().put("variant_id", "cappuccino-l").put("name", "Cappuccino L")
                .put("category", "coffee").put("quantity", 1).put("unit_price", 4.5).put("discounts", new JsonArray()))))).await();
    waitFor(() -> sql("SELECT count(*) FROM purchase_items") == 3, "the order's 2 lines and the sale's 1");
    assertEquals("drill,screws", sqlText("SELECT string_agg(i.product_id, ',' ORDER BY i.line) FROM purchase_items i "
        + "JOIN purchases p ON p.id = i.purchase_id WHERE p.reference = 'order:o-1'"));
    assertEquals("25.00", sqlText("SELECT sum(line_amount) FROM purchase_items i JOIN purchases p ON p.id = i.purchase_id "
        + "WHERE p.reference = 'order:o-1'"), "20.00 + 10 × 0.50");
    assertEquals("cappuccino-l|coffee|1.000|4.50", sqlText("SELECT concat_ws('|', variant_id, category, quantity, line_amount) "
        + "FROM purchase_items i JOIN purchases p ON p.id = i.purchase_id WHERE p.reference = 'pos:t-1'"));

    broker.publish("order_events", "order.cancelled", "c-msg-" + UUID.randomUUID(), envelope("order.cancelled", new JsonObject()
        .put("customer_id", c).put("order_id", "o-1"))).await();
    waitFor(() -> sql("SELECT count(*) FROM purchase_items") == 1, "the cancelled order's lines leave with it");
  }

  @Test
  void aSalesEventWithItemsEarnsTheEarningRulesPointsOnItsLines() throws Exception {
    String c = person("Ana");
    Http loyaltyAdmin = new Http(app.config.httpPort()).as(app.token(org, "loyalty:read", "loyalty:admin"));
    assertEquals(201, loyaltyAdmin.post("/api/v1/loyalty/earning-rules", new JsonObject().put("name", "Double coffee")
        .put("condition", new JsonObject().put("categories", new JsonArray().add("coffee")))
        .put("effect", new JsonObject().put("multiplier", "2"))).status);
    broker.publish("pos_events", "pos.transaction.completed", "rule-msg-" + UUID.randomUUID(), envelope("pos.transaction.completed",
        new JsonObject().put("customer_id", c).put("transaction_id", "t-rule").put("totals", new JsonObject().put("total_amount", "100.00"))
            .put("items", new JsonArray()
                .add(new JsonObject().put("product_id", "latte").put("category", "coffee").put("quantity", 2).put("unit_price", "15.00"))
                .add(new JsonObject().put("product_id", "cake").put("category", "bakery").put("quantity", 1).put("unit_price", "70.00")))))
        .await();
    waitFor(() -> sql("SELECT count(*) FROM loyalty_ledger") == 1, "the sale earned");
    assertEquals(130, sql("SELECT balance FROM loyalty_accounts"), "100 base + 30 for the 30.00 of coffee");
    assertEquals(30, sql("SELECT points FROM loyalty_rule_applications"));
  }

  @Test
  void aSaleWithABadLineIsDeadLetteredNamingTheLineAndAppliesNothing() throws Exception {
    String c = person("Ana");
    // quantity 0 breaks the contract too (exclusiveMinimum 0): the consumer must dead-letter it.
    broker.publishNonConforming("pos_events", "pos.transaction.completed", "bad-line-" + UUID.randomUUID(), envelope("pos.transaction.completed",
        new JsonObject().put("customer_id", c).put("transaction_id", "t-bad").put("totals", new JsonObject().put("total_amount", "5.00"))
            .put("items", new JsonArray().add(new JsonObject().put("product_id", "latte").put("quantity", 1))
                .add(new JsonObject().put("product_id", "latte").put("quantity", 0))))).await();
    JsonObject dead = null;
    long deadline = System.currentTimeMillis() + 15_000;
    while (dead == null && System.currentTimeMillis() < deadline) {
      dead = broker.take(com.zenlogic.customerservice.consumers.EventConsumerVerticle.deadLetterQueue("customer_pos_queue"));
      if (dead == null) {
        Thread.sleep(100);
      }
    }
    assertTrue(dead != null && dead.getString("reason").startsWith("data.items[1].quantity: must be a quantity greater than 0"),
        String.valueOf(dead));
    assertEquals(0, sql("SELECT count(*) FROM purchases"));
    assertEquals(0, sql("SELECT count(*) FROM loyalty_ledger"));
  }

  @Test
  void anEarnWithItemsEntersTheHistoryOnceAndTheSalesEventAddsNothing() throws Exception {
    String c = person("Ana");
    var earn = admin.post("/api/v1/customers/" + c + "/loyalty/earn", new JsonObject().put("transaction_id", "t-9").put("amount", "7.00")
        .put("channel", "pos").put("items", new JsonArray().add(new JsonObject().put("product_id", "latte").put("category", "coffee")
            .put("quantity", 2).put("unit_price", "3.50"))));
    assertEquals(200, earn.status, earn.toString());
    assertEquals(7, earn.json().getLong("points_earned"));
    String message = "p-msg-" + UUID.randomUUID();
    broker.publish("pos_events", "pos.transaction.completed", message, envelope("pos.transaction.completed", new JsonObject()
        .put("customer_id", c).put("transaction_id", "t-9").put("totals", new JsonObject().put("total_amount", "7.00"))
        .put("items", new JsonArray().add(new JsonObject().put("product_id", "latte").put("category", "coffee").put("quantity", 2)
            .put("unit_price", "3.50"))))).await();
    waitFor(() -> sql("SELECT count(*) FROM inbox WHERE message_id = '" + message + "'") == 2, "loyalty and segmentation saw the sale");
    assertEquals(1, sql("SELECT count(*) FROM purchases WHERE reference = 'pos:t-9'"));
    assertEquals(1, sql("SELECT count(*) FROM purchase_items"));
    assertEquals(7, sql("SELECT balance FROM loyalty_accounts"));
  }

  // --- cafeteria: favourites ---

  @Test
  void favouritesRankByFrequencyWithRecencyDecay() {
    String c = person("Ana");
    // 0.5^(days/30): latte 10, 5 and 1 days ago; croissant 10 and 60; juice 1; tea three times, 200 days ago.
    buy(c, "p1", 10, item("latte", "Latte", "coffee", 1), item("croissant", "Croissant", "bakery", 1));
    buy(c, "p2", 5, item("latte", "Latte", "coffee", 2));
    buy(c, "p3", 1, item("latte", "Latte", "coffee", 2), item("juice", "Orange juice", "drinks", 1));
    buy(c, "p4", 60, item("croissant", "Croissant", "bakery", 1));
    buy(c, "p5", 200, item("tea", "Tea", "drinks", 1));
    buy(c, "p6", 200, item("tea", "Tea", "drinks", 1));
    buy(c, "p7", 200, item("tea", "Tea", "drinks", 3), item("tea", "Tea", "drinks", 1));

    var r = admin.get("/api/v1/customers/" + c + "/favourites");
    assertEquals(200, r.status, r.toString());
    JsonArray items = r.json().getJsonArray("items");
    assertEquals(List.of("latte", "croissant", "juice", "tea"), items.stream().map(o -> ((JsonObject) o).getString("product_id")).toList());
    JsonObject latte = items.getJsonObject(0);
    assertEquals(3, latte.getInteger("times_bought"));
    assertEquals("2", latte.getString("usual_quantity"), "1, 2, 2");
    assertEquals("2.6618", latte.getString("score"), "0.7937 + 0.8909 + 0.9772");
    assertEquals(at(1).toString(), latte.getString("last_bought_at"));
    assertEquals("Latte", latte.getString("name"));
    assertEquals("coffee", latte.getString("category"));
    assertEquals("1.0437", items.getJsonObject(1).getString("score"), "0.7937 + 0.25");
    assertEquals(2, items.getJsonObject(1).getInteger("times_bought"));
    assertEquals("0.9772", items.getJsonObject(2).getString("score"));
    JsonObject tea = items.getJsonObject(3);
    assertEquals(3, tea.getInteger("times_bought"), "p7 counts once though it has two tea lines");
    assertEquals("1", tea.getString("usual_quantity"), "1, 1, 4 (p7's lines summed)");
    assertEquals("0.0295", tea.getString("score"), "3 × 0.5^(200/30): three old purchases rank below one recent");

    assertEquals(2, admin.get("/api/v1/customers/" + c + "/favourites?limit=2").json().getJsonArray("items").size());
    assertEquals(400, admin.get("/api/v1/customers/" + c + "/favourites?limit=51").status);

    GetFavouritesResponse g = grpc.call(CustomerServiceGrpcClient.GetCustomerFavourites,
        GetFavouritesRequest.newBuilder().setCustomerId(c).build(), token).body();
    assertEquals(List.of("latte", "croissant", "juice", "tea"), g.getItemsList().stream().map(FavouriteItem::getProductId).toList());
    assertEquals("2.6618", g.getItems(0).getScore());
    assertEquals(3, g.getItems(0).getTimesBought());
    assertEquals("2", g.getItems(0).getUsualQuantity());
    assertEquals(2, grpc.call(CustomerServiceGrpcClient.GetCustomerFavourites,
        GetFavouritesRequest.newBuilder().setCustomerId(c).setLimit(2).build(), token).body().getItemsCount());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, grpc.call(CustomerServiceGrpcClient.GetCustomerFavourites,
        GetFavouritesRequest.newBuilder().setCustomerId(c).setLimit(51).build(), token).status());
  }

  // --- supermarket: top categories ---

  @Test
  void topCategoriesAreTheShareOfItemSpendOverRestAndGrpc() {
    String c = person("Ana");
    buy(c, "s1", 5, priced("coffee-beans", "coffee", "2", "15.00"), priced("bread", "bakery", "1", "30.00"),
        item("bag", "Bag", "other", 1));
    buy(c, "s2", 2, priced("espresso", "coffee", "1", "30.00"), priced("juice", "drinks", "4", "2.50"));

    GetSegmentResponse segment = grpc.call(CustomerServiceGrpcClient.GetCustomerSegment,
        GetSegmentRequest.newBuilder().setCustomerId(c).build(), token).body();
    List<CategoryShare> top = segment.getTopCategoriesList();
    assertEquals(List.of("coffee", "bakery", "drinks", "other"), top.stream().map(CategoryShare::getCategory).toList());
    assertEquals("0.6000", top.get(0).getShare(), "60 of 100");
    assertEquals("60.00", top.get(0).getSpend());
    assertEquals(2, top.get(0).getPurchaseCount());
    assertEquals(at(2).toString(), top.get(0).getLastPurchaseAt());
    assertEquals("0.3000", top.get(1).getShare());
    assertEquals("0.1000", top.get(2).getShare());
    assertEquals("0.0000", top.get(3).getShare(), "no price, no spend");

    JsonArray rest = admin.get("/api/v1/customers/" + c + "/stats").json().getJsonArray("top_categories");
    assertEquals("coffee", rest.getJsonObject(0).getString("category"));
    assertEquals("0.6000", rest.getJsonObject(0).getString("share"));
    assertEquals("60.00", rest.getJsonObject(0).getString("spend"));
    assertEquals(at(2).toString(), rest.getJsonObject(0).getString("last_purchase_at"));
    assertEquals(4, rest.size());
  }

  // --- B2B hardware store: price group ---

  @Test
  void thePriceGroupIsManagedOverRestAndReturnedByGetCustomerAndGetCustomerSegment() {
    var created = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", "Constructora Sur")
        .put("price_group", " wholesale-a "));
    assertEquals(201, created.status, created.toString());
    String c = created.json().getString("id");
    assertEquals("WHOLESALE-A", created.json().getString("price_group"));
    assertEquals("WHOLESALE-A", grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(c).build(),
        token).body().getPriceGroup());

    assertEquals(200, admin.patch("/api/v1/customers/" + c, new JsonObject().put("price_group", "B2"), null).status);
    assertEquals("B2", admin.get("/api/v1/customers/" + c).json().getString("price_group"));
    assertEquals("B2", grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(c).build(), token)
        .body().getPriceGroup(), "the cached checkout view follows the change");
    assertEquals("B2", grpc.call(CustomerServiceGrpcClient.GetCustomerSegment, GetSegmentRequest.newBuilder().setCustomerId(c).build(),
        token).body().getPriceGroup());

    var bad = admin.patch("/api/v1/customers/" + c, new JsonObject().put("price_group", "two words"), null);
    assertEquals(400, bad.status);
    assertEquals("price_group", bad.error().getString("field"));
    assertEquals(400, admin.patch("/api/v1/customers/" + c, new JsonObject().put("price_group", "X".repeat(21)), null).status);

    assertEquals(200, admin.patch("/api/v1/customers/" + c, new JsonObject().putNull("price_group"), null).status);
    assertNull(admin.get("/api/v1/customers/" + c).json().getString("price_group"));
    assertEquals("", grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(c).build(), token)
        .body().getPriceGroup());
  }

  // --- distributor: routes ---

  @Test
  void aRouteListsItsCustomersWithTheirCreditStandingPagedBySalesperson() {
    String a = company("Almacén A", "sp-7", "R-NORTE");
    String b = company("Almacén B", "sp-7", "R-NORTE");
    String c = company("Almacén C", "sp-9", "R-NORTE");
    company("Almacén D", "sp-7", "R-SUR");
    credit(a, "1000.00");
    assertEquals(200, admin.post("/api/v1/customers/" + a + "/credit/use", new JsonObject().put("order_id", "o-old").put("amount", "400.00")).status);
    assertEquals(200, admin.post("/api/v1/customers/" + a + "/credit/use", new JsonObject().put("order_id", "o-new").put("amount", "150.25")).status);
    // The first charge's due date passed ten days ago.
    sqlText("UPDATE credit_charges SET due_date = current_date - 10 WHERE order_id = 'o-old' RETURNING 1");
    credit(c, "300.00");

    var r = admin.get("/api/v1/routes/R-NORTE/customers");
    assertEquals(200, r.status, r.toString());
    JsonArray items = r.json().getJsonArray("items");
    assertEquals(3, items.size());
    JsonObject first = byId(items, a);
    assertEquals("sp-7", first.getString("salesperson_id"));
    JsonObject credit = first.getJsonObject("credit");
    assertEquals("approved", credit.getString("status"));
    assertEquals("1000.00", credit.getString("credit_limit"));
    assertEquals("550.25", credit.getString("outstanding"));
    assertEquals("449.75", credit.getString("available"));
    assertEquals("400.00", credit.getString("overdue_amount"));
    assertEquals(java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(10).toString(), credit.getString("oldest_overdue_due_date"));
    assertNull(byId(items, b).getJsonObject("credit"), "no credit line");
    assertEquals("300.00", byId(items, c).getJsonObject("credit").getString("available"));
    assertEquals("0.00", byId(items, c).getJsonObject("credit").getString("overdue_amount"));

    var page1 = admin.get("/api/v1/routes/R-NORTE/customers?salesperson_id=sp-7&limit=1").json();
    assertEquals(1, page1.getJsonArray("items").size());
    var page2 = admin.get("/api/v1/routes/R-NORTE/customers?salesperson_id=sp-7&limit=1&cursor=" + page1.getString("next_cursor")).json();
    assertEquals(1, page2.getJsonArray("items").size());
    assertNull(page2.getValue("next_cursor"));
    assertEquals(List.of(a, b).stream().sorted().toList(), List.of(page1.getJsonArray("items").getJsonObject(0).getString("id"),
        page2.getJsonArray("items").getJsonObject(0).getString("id")).stream().sorted().toList());
    assertEquals(400, admin.get("/api/v1/routes/R-SUR/customers?cursor=" + page1.getString("next_cursor")).status,
        "a cursor belongs to its route");

    JsonArray search = admin.get("/api/v1/customers/search?salesperson_id=sp-7").json().getJsonArray("items");
    assertEquals(3, search.size(), "A, B and D");
    assertEquals(1, admin.get("/api/v1/customers/search?salesperson_id=sp-7&route=R-SUR").json().getJsonArray("items").size());
    assertEquals(2, admin.get("/api/v1/customers/search?route=R-NORTE&salesperson_id=sp-7").json().getJsonArray("items").size());

    Http noCredit = new Http(app.config.httpPort()).as(app.token(org, "customers:read"));
    assertEquals(403, noCredit.get("/api/v1/routes/R-NORTE/customers").status, "credit standing needs credit:read");
  }

  // --- tenancy ---

  @Test
  void anotherOrganizationsCustomerIsNotFound() {
    String c = person("Ana");
    buy(c, "p1", 1, item("latte", "Latte", "coffee", 1));
    UUID other = UUID.randomUUID();
    String intruderToken = app.token(other, ALL);
    Http intruder = new Http(app.config.httpPort()).as(intruderToken);
    assertEquals(404, intruder.get("/api/v1/customers/" + c + "/favourites").status);
    assertEquals(404, intruder.post("/api/v1/customers/" + c + "/purchases", new JsonObject().put("reference", "x").put("amount", "1.00")
        .put("items", new JsonArray().add(item("latte", "Latte", "coffee", 1)))).status);
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.GetCustomerFavourites,
        GetFavouritesRequest.newBuilder().setCustomerId(c).build(), intruderToken).status());
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.GetCustomerSegment,
        GetSegmentRequest.newBuilder().setCustomerId(c).build(), intruderToken).status());
    assertEquals(0, intruder.get("/api/v1/routes/R-NORTE/customers").json().getJsonArray("items").size());
    assertEquals(1, sql("SELECT count(*) FROM purchase_items"), "only the owner's line");
  }

  // --- helpers ---

  String person(String first) {
    return admin.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", first).put("last_name", "Pérez"))
        .json().getString("id");
  }

  String company(String name, String salesperson, String route) {
    var r = admin.post("/api/v1/customers", new JsonObject().put("customer_type", "company").put("legal_name", name)
        .put("salesperson_id", salesperson).put("route", route));
    assertEquals(201, r.status, r.toString());
    return r.json().getString("id");
  }

  void credit(String customer, String limit) {
    assertEquals(200, admin.post("/api/v1/customers/" + customer + "/credit/line", new JsonObject().put("credit_limit", limit)
        .put("currency", "CLP").put("terms_days", 30)).status);
    assertEquals(200, admin.post("/api/v1/customers/" + customer + "/credit/line/approve", null).status);
  }

  /** The purchase's time: whole days ago and one hour, so the whole days of its age are exactly {@code days}. */
  Instant at(int days) {
    return now.minus(Duration.ofDays(days)).minus(Duration.ofHours(1));
  }

  void buy(String customer, String reference, int daysAgo, JsonObject... lines) {
    var r = admin.post("/api/v1/customers/" + customer + "/purchases", new JsonObject().put("reference", reference).put("amount", "10.00")
        .put("occurred_at", at(daysAgo).toString()).put("items", new JsonArray(List.of((Object[]) lines))));
    assertEquals(201, r.status, r.toString());
  }

  static JsonObject item(String product, String name, String category, int quantity) {
    return new JsonObject().put("product_id", product).put("name", name).put("category", category).put("quantity", quantity);
  }

  static JsonObject priced(String product, String category, String quantity, String unitPrice) {
    return new JsonObject().put("product_id", product).put("category", category).put("quantity", quantity).put("unit_price", unitPrice);
  }

  static JsonObject byId(JsonArray items, String id) {
    return items.stream().map(JsonObject.class::cast).filter(o -> id.equals(o.getString("id"))).findFirst().orElseThrow();
  }

  JsonObject envelope(String type, JsonObject data) {
    return new JsonObject().put("event_id", UUID.randomUUID().toString()).put("event_type", type).put("schema_version", 1)
        .put("occurred_at", now.minusSeconds(3600).toString()).put("organization_id", org.toString()).put("source", "test")
        .put("data", data);
  }

  long sql(String query) {
    return app.db.count(org, query);
  }

  String sqlText(String query) {
    return app.db.scalar(org, query);
  }

  static boolean queueExists(String queue) {
    try {
      broker.client.messageCount(queue).await(5, java.util.concurrent.TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

}
