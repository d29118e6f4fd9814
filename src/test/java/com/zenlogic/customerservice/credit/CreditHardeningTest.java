package com.zenlogic.customerservice.credit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcClient;
import com.zenlogic.customerservice.api.grpc.v1.RecordCreditPaymentRequest;
import com.zenlogic.customerservice.api.grpc.v1.UseCreditRequest;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.math.BigDecimal;
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
 * Issue #12 defects 9, 10, 13 on the money side: payment references and order ids reused across
 * customers at the same moment, the statement's order under concurrent uses, unknown customers.
 */
class CreditHardeningTest {
  static TestApp app;
  static GrpcTestClient grpc;
  static Db db;

  UUID org;
  String token;
  Http manager;
  Caller caller;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("credit_hard");
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

  String company(String limit) {
    String id = manager.post("/api/v1/customers", new JsonObject().put("customer_type", "company")
        .put("legal_name", "Ferretería " + UUID.randomUUID())).json().getString("id");
    if (limit != null) {
      assertEquals(200, manager.post("/api/v1/customers/" + id + "/credit/line", new JsonObject().put("credit_limit", limit)
          .put("currency", "CLP").put("terms_days", 30)).status);
      assertEquals(200, manager.post("/api/v1/customers/" + id + "/credit/line/approve", null).status);
    }
    return id;
  }

  String sql(String query) {
    return app.db.scalar(org, query);
  }

  void assertLedgerMatches(String customer) {
    String outstanding = sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + customer + "'");
    assertEquals(outstanding,
        sql("SELECT coalesce(sum(amount), 0.00)::numeric(14,2) FROM credit_ledger WHERE customer_id = '" + customer + "'"),
        "outstanding = sum of the ledger");
    assertEquals(outstanding, sql("SELECT coalesce(sum(amount - paid - released), 0.00)::numeric(14,2) FROM credit_charges"
        + " WHERE customer_id = '" + customer + "'"));
    assertEquals(sql("SELECT credit_balance FROM credit_lines WHERE customer_id = '" + customer + "'"),
        sql("SELECT coalesce(sum(credit_delta), 0.00)::numeric(14,2) FROM credit_ledger WHERE customer_id = '" + customer + "'"));
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

  Future<Reply<?>> pay(String customer, String reference, double amount) {
    return grpc.callAsync(CustomerServiceGrpcClient.RecordCreditPayment, RecordCreditPaymentRequest.newBuilder()
        .setCustomerId(customer).setPaymentReference(reference).setAmount(amount).build(), token).map(r -> r);
  }

  Future<Reply<?>> use(String customer, String order, double amount) {
    return grpc.callAsync(CustomerServiceGrpcClient.UseCreditLimit, UseCreditRequest.newBuilder().setCustomerId(customer)
        .setOrderId(order).setAmount(amount).build(), token).map(r -> r);
  }

  static String statuses(Reply<?> a, Reply<?> b) {
    List<GrpcStatus> got = new ArrayList<>(List.of(a.status(), b.status()));
    got.sort(null);
    return got.toString();
  }

  @Test
  void onePaymentReferenceForTwoCustomersAtOnceIsRecordedForOneAndConflictsForTheOther() throws Exception {
    for (int round = 0; round < 6; round++) {
      String a = company("1000.00");
      String b = company("1000.00");
      await(use(a, "a-" + round, 300));
      await(use(b, "b-" + round, 300));
      List<Future<Reply<?>>> calls = List.of(pay(a, "wire-" + round, 100), pay(b, "wire-" + round, 100));
      await(Future.join(calls));
      assertEquals(List.of(GrpcStatus.OK, GrpcStatus.ALREADY_EXISTS).toString(), statuses(calls.get(0).result(), calls.get(1).result()),
          calls.get(0).result() + " / " + calls.get(1).result());
      assertLedgerMatches(a);
      assertLedgerMatches(b);
      assertEquals("500.00", sql("SELECT sum(outstanding) FROM credit_lines WHERE customer_id IN ('" + a + "', '" + b + "')"),
          "one payment of 100 on 600 owed");
      String winner = calls.get(0).result().ok() ? a : b;
      Reply<?> replay = await(pay(winner, "wire-" + round, 100));
      assertEquals(calls.get(0).result().ok() ? calls.get(0).result().body() : calls.get(1).result().body(), replay.body(),
          "a replay answers the stored result");
      assertEquals(GrpcStatus.ALREADY_EXISTS, await(pay(winner, "wire-" + round, 101)).status(), "same reference, other amount");
    }
  }

  @Test
  void oneOrderIdForTwoCustomersAtOnceChargesOneAndConflictsForTheOther() throws Exception {
    for (int round = 0; round < 6; round++) {
      String a = company("1000.00");
      String b = company("1000.00");
      List<Future<Reply<?>>> calls = List.of(use(a, "order-" + round, 250), use(b, "order-" + round, 250));
      await(Future.join(calls));
      assertEquals(List.of(GrpcStatus.OK, GrpcStatus.ALREADY_EXISTS).toString(), statuses(calls.get(0).result(), calls.get(1).result()),
          calls.get(0).result() + " / " + calls.get(1).result());
      assertEquals("250.00", sql("SELECT sum(outstanding) FROM credit_lines WHERE customer_id IN ('" + a + "', '" + b + "')"));
      assertLedgerMatches(a);
      assertLedgerMatches(b);
    }
  }

  @Test
  void creatingOneLineTwiceAtOnceAnswersOneCreatedAndOneConflict() throws Exception {
    for (int round = 0; round < 6; round++) {
      String c = company(null);
      String path = "/api/v1/customers/" + c + "/credit/line";
      String body = new JsonObject().put("credit_limit", "100.00").put("currency", "CLP").encode();
      CompletableFuture<Http.Reply> first = manager.sendAsync("POST", path, body, null);
      CompletableFuture<Http.Reply> second = manager.sendAsync("POST", path, body, null);
      List<Integer> statuses = new ArrayList<>(List.of(first.get().status, second.get().status));
      statuses.sort(null);
      assertEquals(List.of(200, 409), statuses, first.get() + " / " + second.get());
    }
  }

  @Test
  void theStatementFollowsTheOrderTheLineLockGrantedEvenWhenTheClocksDisagree() throws Exception {
    // Two service instances whose clocks disagree by five seconds: the later charge carries the earlier time.
    MutableClock ahead = new MutableClock(Instant.parse("2026-04-01T10:00:05Z"));
    MutableClock behind = new MutableClock(Instant.parse("2026-04-01T10:00:00Z"));
    CreditService first = new CreditService(db, CustomerChangeListener.NONE, ahead);
    CreditService second = new CreditService(db, CustomerChangeListener.NONE, behind);
    UUID c = UUID.fromString(company("5000.00"));
    assertTrue(await(first.use(new CreditMessages.Use(caller, c, "one", new BigDecimal("100.00")))).approved());
    assertTrue(await(second.use(new CreditMessages.Use(caller, c, "two", new BigDecimal("250.00")))).approved());
    await(second.recordPayment(new CreditMessages.Payment(caller, c, "p", new BigDecimal("50.00"))));
    CreditMessages.Statement st = await(first.statement(new CreditMessages.StatementQuery(caller, c,
        Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-05-01T00:00:00Z"))));
    assertEquals(List.of("one", "two", "p"), st.lines().stream().map(CreditMessages.StatementLine::reference).toList());
    assertEquals(List.of(new BigDecimal("100.00"), new BigDecimal("350.00"), new BigDecimal("300.00")),
        st.lines().stream().map(CreditMessages.StatementLine::runningOutstanding).toList());
    assertEquals(new BigDecimal("300.00"), st.closingOutstanding());
    assertLedgerMatches(c.toString());
  }

  @Test
  void underFortyConcurrentUsesAndPaymentsTheStatementRunsAndClosesAtOutstanding() throws Exception {
    String c = company("100000.00");
    List<Future<Reply<?>>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(i % 4 == 3 ? pay(c, "p-" + i, 7.25) : use(c, "o-" + i, 10 + i));
    }
    await(Future.join(calls));
    assertTrue(calls.stream().allMatch(f -> f.result().ok()), calls.toString());
    JsonObject st = manager.get("/api/v1/customers/" + c + "/credit/statement").json();
    BigDecimal running = new BigDecimal(st.getString("opening_outstanding"));
    JsonArray lines = st.getJsonArray("lines");
    assertEquals(40, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      JsonObject line = lines.getJsonObject(i);
      running = running.add(new BigDecimal(line.getString("amount")));
      assertEquals(running, new BigDecimal(line.getString("running_outstanding")), "line " + i + " of " + st.encodePrettily());
    }
    assertEquals(sql("SELECT outstanding FROM credit_lines WHERE customer_id = '" + c + "'"), st.getString("closing_outstanding"));
    assertLedgerMatches(c);
  }

  @Test
  void everyCreditOperationOnAnUnknownOrAnotherTenantsCustomerAnswersCustomerNotFound() throws Exception {
    CreditService credit = new CreditService(db, CustomerChangeListener.NONE, new MutableClock(Instant.now()));
    UUID otherOrg = UUID.randomUUID();
    Http otherManager = new Http(app.config.httpPort()).as(app.token(otherOrg, "customers:write", "credit:write", "credit:approve"));
    UUID stranger = UUID.fromString(otherManager.post("/api/v1/customers", new JsonObject().put("customer_type", "company")
        .put("legal_name", "Ajena SA")).json().getString("id"));
    for (UUID who : List.of(UUID.randomUUID(), stranger)) {
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(credit.use(new CreditMessages.Use(caller, who, "o", BigDecimal.TEN))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(credit.release(new CreditMessages.Release(caller, who, "o", null))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(credit.recordPayment(new CreditMessages.Payment(caller, who, "p", BigDecimal.TEN))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(credit.check(new CreditMessages.Check(caller, who, BigDecimal.TEN))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(credit.changeLine(new CreditMessages.LineChange(caller, who, "create",
          BigDecimal.TEN, "CLP", 30, null))));
      assertEquals(ErrorCode.CUSTOMER_NOT_FOUND, failure(credit.summary(caller, who)));
    }
    assertEquals("0", sql("SELECT count(*) FROM credit_ledger"));
  }
}
