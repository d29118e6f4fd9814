package com.zenlogic.customerservice.credit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.api.grpc.v1.CheckCreditRequest;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.RecordCreditPaymentRequest;
import com.zenlogic.customerservice.api.grpc.v1.ReleaseCreditRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditResponse;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
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

/** Commercial credit with exact cents: gRPC as the Order Service calls it, REST for managers, a moved clock for due dates. */
class CreditEngineTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;

  UUID org;
  String token;
  Http manager;
  Caller caller;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("credit");
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
    token = app.token(org, "customers:read", "customers:write", "credit:read", "credit:write", "credit:approve");
    manager = new Http(app.config.httpPort()).as(token);
    caller = new Caller(org, "tester", null, Set.of(), "test");
  }

  /** A company with an approved line. */
  String company(String limit, int terms) {
    String id = manager.post("/api/v1/customers", new JsonObject().put("customer_type", "company")
        .put("legal_name", "Constructora " + UUID.randomUUID())).json().getString("id");
    if (limit != null) {
      Http.Reply created = manager.post("/api/v1/customers/" + id + "/credit/line", new JsonObject().put("credit_limit", limit)
          .put("currency", "CLP").put("terms_days", terms));
      assertEquals(200, created.status, created.toString());
      assertEquals(200, manager.post("/api/v1/customers/" + id + "/credit/line/approve", null).status);
    }
    return id;
  }

  Reply<UseCreditResponse> use(String customer, String order, double amount) {
    return grpc.call(CustomerServiceGrpcClient.UseCreditLimit, UseCreditRequest.newBuilder().setCustomerId(customer)
        .setOrderId(order).setAmount(amount).build(), token);
  }

  String sql(String query) {
    return app.db.scalar(org, query);
  }

  void assertLedgerMatches(String customer) throws Exception {
    assertEquals(sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(amount), 0.00)::numeric(14,2) FROM credit_ledger WHERE customer_id = '" + customer + "'"));
    assertEquals(sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(amount - paid - released), 0.00)::numeric(14,2) FROM credit_charges WHERE customer_id = '" + customer + "'"));
    assertEquals(sql("SELECT credit_balance FROM credit_lines WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(credit_delta), 0.00)::numeric(14,2) FROM credit_ledger WHERE customer_id = '" + customer + "'"));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(30, TimeUnit.SECONDS);
  }

  @Test
  void aHundredConcurrentOrdersOf150OnATenThousandLineApproveExactly66() throws Exception {
    String c = company("10000.00", 30);
    List<Future<Reply<UseCreditResponse>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(grpc.callAsync(CustomerServiceGrpcClient.UseCreditLimit, UseCreditRequest.newBuilder().setCustomerId(c)
          .setOrderId("o-" + i).setAmount(150.00).build(), token));
    }
    await(Future.all(calls));
    long approved = calls.stream().filter(f -> f.result().body().getApproved()).count();
    assertEquals(66, approved);
    assertTrue(calls.stream().filter(f -> !f.result().body().getApproved())
        .allMatch(f -> f.result().body().getReason().startsWith("INSUFFICIENT_CREDIT")));
    assertEquals("9900.00", sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"));
    var check = grpc.call(CustomerServiceGrpcClient.CheckCreditAvailability, CheckCreditRequest.newBuilder().setCustomerId(c)
        .setAmount(100.00).build(), token).body();
    assertEquals(100.00, check.getAvailableAmount());
    assertTrue(check.getAvailable());
    assertFalse(grpc.call(CustomerServiceGrpcClient.CheckCreditAvailability, CheckCreditRequest.newBuilder().setCustomerId(c)
        .setAmount(100.01).build(), token).body().getAvailable());
    assertEquals("34", sql("SELECT count(*) FROM outbox WHERE event_type = 'credit.limit.exceeded'"));
    assertLedgerMatches(c);
  }

  @Test
  void theSameOrderTwentyTimesConcurrentlyChargesOnce() throws Exception {
    String c = company("1000.00", 30);
    List<Future<Reply<UseCreditResponse>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(grpc.callAsync(CustomerServiceGrpcClient.UseCreditLimit, UseCreditRequest.newBuilder().setCustomerId(c)
          .setOrderId("same").setAmount(250.00).build(), token));
    }
    await(Future.all(calls));
    assertTrue(calls.stream().allMatch(f -> f.result().body().getApproved()));
    assertEquals("1", sql("SELECT count(*) FROM credit_charges"));
    assertEquals("250.00", sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"));
    assertEquals(GrpcStatus.ALREADY_EXISTS, use(c, "same", 251.00).status());
    assertLedgerMatches(c);
  }

  @Test
  void aPaymentIsAppliedToTheOldestChargesFirst() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    CreditService credit = new CreditService(db, CustomerChangeListener.NONE, clock);
    UUID c = UUID.fromString(company("5000.00", 30));
    for (String[] order : new String[][] {{"a", "400.00"}, {"b", "300.00"}, {"c", "500.00"}}) {
      assertTrue(await(credit.use(new CreditMessages.Use(caller, c, order[0], new BigDecimal(order[1])))).approved());
      clock.advance(Duration.ofDays(1));
    }
    var balance = grpc.call(CustomerServiceGrpcClient.RecordCreditPayment, RecordCreditPaymentRequest.newBuilder()
        .setCustomerId(c.toString()).setPaymentReference("pay-1").setAmount(1000.00).build(), token).body();
    assertEquals(200.00, balance.getOutstanding());
    assertEquals("400.00", sql("SELECT paid FROM credit_charges WHERE order_id = 'a'"));
    assertEquals("300.00", sql("SELECT paid FROM credit_charges WHERE order_id = 'b'"));
    assertEquals("300.00", sql("SELECT paid FROM credit_charges WHERE order_id = 'c'"));
    assertEquals(balance, grpc.call(CustomerServiceGrpcClient.RecordCreditPayment, RecordCreditPaymentRequest.newBuilder()
        .setCustomerId(c.toString()).setPaymentReference("pay-1").setAmount(1000.00).build(), token).body(), "counted once");
    assertLedgerMatches(c.toString());
  }

  @Test
  void aChargePastItsTermsBlocksNewCreditUntilPaid() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    CreditService credit = new CreditService(db, CustomerChangeListener.NONE, clock);
    UUID c = UUID.fromString(company("5000.00", 30));
    assertTrue(await(credit.use(new CreditMessages.Use(caller, c, "old", new BigDecimal("100.00")))).approved());
    clock.advance(Duration.ofDays(30));
    assertTrue(await(credit.use(new CreditMessages.Use(caller, c, "due-today", new BigDecimal("10.00")))).approved(), "due today is not overdue");
    clock.advance(Duration.ofDays(1));
    CreditMessages.UseDecision blocked = await(credit.use(new CreditMessages.Use(caller, c, "new", new BigDecimal("10.00"))));
    assertFalse(blocked.approved());
    assertEquals(CreditMessages.OVERDUE, blocked.reasonCode());
    assertEquals("110.00", sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"), "nothing charged");
    await(credit.recordPayment(new CreditMessages.Payment(caller, c, "settle", new BigDecimal("100.00"))));
    assertTrue(await(credit.use(new CreditMessages.Use(caller, c, "new", new BigDecimal("10.00")))).approved());
    assertLedgerMatches(c.toString());
  }

  @Test
  void releasingAPartlyPaidOrderFreesOnlyWhatIsStillOwed() throws Exception {
    String c = company("2000.00", 30);
    use(c, "big", 1000.00);
    grpc.call(CustomerServiceGrpcClient.RecordCreditPayment, RecordCreditPaymentRequest.newBuilder().setCustomerId(c)
        .setPaymentReference("p").setAmount(400.00).build(), token);
    var released = grpc.call(CustomerServiceGrpcClient.ReleaseCredit, ReleaseCreditRequest.newBuilder().setCustomerId(c)
        .setOrderId("big").build(), token).body();
    assertEquals(0.00, released.getOutstanding());
    assertEquals(2000.00, released.getAvailableAmount());
    assertEquals("600.00", sql("SELECT released FROM credit_charges WHERE order_id = 'big'"));
    assertEquals(released, grpc.call(CustomerServiceGrpcClient.ReleaseCredit, ReleaseCreditRequest.newBuilder().setCustomerId(c)
        .setOrderId("big").build(), token).body(), "idempotent");
    assertEquals(GrpcStatus.NOT_FOUND, grpc.call(CustomerServiceGrpcClient.ReleaseCredit, ReleaseCreditRequest.newBuilder()
        .setCustomerId(c).setOrderId("nope").build(), token).status());
    use(c, "part", 500.00);
    assertEquals(200.00, grpc.call(CustomerServiceGrpcClient.ReleaseCredit, ReleaseCreditRequest.newBuilder().setCustomerId(c)
        .setOrderId("part").setAmount(300.00).build(), token).body().getOutstanding());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, grpc.call(CustomerServiceGrpcClient.ReleaseCredit, ReleaseCreditRequest.newBuilder()
        .setCustomerId(c).setOrderId("part").setAmount(300.00 + 0.01).build(), token).status(), "more than is owed");
    assertLedgerMatches(c);
  }

  @Test
  void aSuspendedLineRefusesWithAReasonAndChargesNothing() throws Exception {
    String c = company("1000.00", 30);
    assertEquals(200, manager.post("/api/v1/customers/" + c + "/credit/line/suspend", null).status);
    UseCreditResponse r = use(c, "o", 10).body();
    assertFalse(r.getApproved());
    assertTrue(r.getReason().startsWith("LINE_SUSPENDED: "), r.getReason());
    assertEquals("0", sql("SELECT count(*) FROM credit_charges"));
    String none = company(null, 0);
    UseCreditResponse noLine = use(none, "o2", 10).body();
    assertTrue(noLine.getReason().startsWith("NO_CREDIT_LINE"));
    var check = grpc.call(CustomerServiceGrpcClient.CheckCreditAvailability, CheckCreditRequest.newBuilder().setCustomerId(none)
        .setAmount(10).build(), token).body();
    assertFalse(check.getAvailable());
    assertEquals(0.0, check.getAvailableAmount());
    assertEquals(0.0, check.getCreditLimit());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, use(c, "neg", -5).status());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, use(c, "nan", Double.NaN).status());
  }

  @Test
  void anOverpaymentIsKeptAsCreditBalanceAndUsedFirst() throws Exception {
    String c = company("1000.00", 30);
    use(c, "a", 100.00);
    var paid = grpc.call(CustomerServiceGrpcClient.RecordCreditPayment, RecordCreditPaymentRequest.newBuilder().setCustomerId(c)
        .setPaymentReference("over").setAmount(150.00).build(), token).body();
    assertEquals(0.0, paid.getOutstanding());
    assertEquals(1050.00, paid.getAvailableAmount());
    use(c, "b", 80.00);
    assertEquals("30.00", sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"));
    assertEquals("0.00", sql("SELECT credit_balance FROM credit_lines WHERE customer_id = '" + c + "'"));
    JsonObject summary = manager.get("/api/v1/customers/" + c + "/credit").json();
    assertEquals("970.00", summary.getString("available"));
    assertEquals("3.00", summary.getString("utilisation_percent"));
    JsonObject statement = manager.get("/api/v1/customers/" + c + "/credit/statement").json();
    assertEquals("0.00", statement.getString("opening_outstanding"));
    assertEquals(3, statement.getJsonArray("lines").size());
    assertEquals("100.00", statement.getJsonArray("lines").getJsonObject(0).getString("running_outstanding"));
    assertEquals("0.00", statement.getJsonArray("lines").getJsonObject(1).getString("running_outstanding"));
    assertEquals("50.00", statement.getJsonArray("lines").getJsonObject(1).getString("credit_balance_after"));
    assertEquals("30.00", statement.getString("closing_outstanding"));
    assertEquals(970.00, grpc.call(CustomerServiceGrpcClient.GetCustomer, GetCustomerRequest.newBuilder().setCustomerId(c).build(),
        token).body().getCreditAvailable(), "checkout sees the credit at once");
    assertLedgerMatches(c);
  }

  @Test
  void agingBucketsMatchAFixtureComputedByHand() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
    CreditService credit = new CreditService(db, CustomerChangeListener.NONE, clock);
    UUID c = UUID.fromString(company("100000.00", 30));
    // Charged on day 0, 40, 70, 100, 125 on net 30: due on day 30, 70, 100, 130, 155. Aged on day 160.
    int[] days = {0, 40, 30, 30, 25};
    String[] amounts = {"1000.00", "200.00", "300.00", "400.00", "50.00"};
    await(credit.savePolicy(caller, new CreditMessages.Policy(365, 0)));   // let overdue customers keep buying for the fixture
    for (int i = 0; i < days.length; i++) {
      clock.advance(Duration.ofDays(days[i]));
      assertTrue(await(credit.use(new CreditMessages.Use(caller, c, "f" + i, new BigDecimal(amounts[i])))).approved());
    }
    clock.advance(Duration.ofDays(35));   // day 160
    CreditMessages.Aging aging = await(credit.aging(new CreditMessages.AgingQuery(caller, c)));
    assertEquals(new BigDecimal("0.00"), aging.current());        // day-155 due: 5 days past -> 1-30
    assertEquals(new BigDecimal("450.00"), aging.days1to30());    // due 130 (30 days) and 155 (5 days)
    assertEquals(new BigDecimal("300.00"), aging.days31to60());   // due 100 (60 days)
    assertEquals(new BigDecimal("200.00"), aging.days61to90());   // due 70 (90 days)
    assertEquals(new BigDecimal("1000.00"), aging.over90());      // due 30 (130 days)
    assertEquals(new BigDecimal("1950.00"), aging.total());
    assertEquals(aging.total(), await(credit.aging(new CreditMessages.AgingQuery(caller, null))).total(), "only customer in the org");
  }

  @Test
  void managingALineIsAuditedAndApprovalIsAnnounced() throws Exception {
    String c = company(null, 0);
    String base = "/api/v1/customers/" + c + "/credit/line";
    Http clerk = new Http(app.config.httpPort()).as(app.token(org, "credit:read", "credit:write"));
    assertEquals(403, clerk.post(base, new JsonObject().put("credit_limit", "5000").put("currency", "CLP")).status);
    JsonObject pending = manager.post(base, new JsonObject().put("credit_limit", "5000").put("currency", "clp").put("terms_days", 60)).json();
    assertEquals("pending", pending.getString("status"));
    assertEquals(409, manager.post(base, new JsonObject().put("credit_limit", "1").put("currency", "CLP")).status);
    assertEquals(400, manager.post("/api/v1/customers/" + company(null, 0) + "/credit/line",
        new JsonObject().put("credit_limit", "10").put("currency", "XXQ")).status);
    JsonObject approved = manager.post(base + "/approve", null).json();
    assertEquals("approved", approved.getString("status"));
    assertEquals("tester", approved.getString("approved_by"));
    assertEquals("6000.00", manager.patch(base, new JsonObject().put("credit_limit", "6000"), null).json().getString("credit_limit"));
    assertEquals(422, manager.post(base + "/approve", null).status, "already approved");
    assertEquals("1", sql("SELECT count(*) FROM outbox WHERE event_type = 'credit.approved'"));
    assertEquals("3", sql("SELECT count(*) FROM credit_line_audit WHERE customer_id = '" + c + "'"));
    use(c, "x", 100);
    assertEquals(422, manager.post(base + "/close", null).status, "cannot close while money is owed");
  }
}
