package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.platform.auth.Caller;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Instant;

/** /api/v1/.../credit for credit managers: JSON to credit messages on the event bus and back. */
final class CreditHandlers {
  static final Permission READ = Permission.CREDIT_READ;
  static final Permission WRITE = Permission.CREDIT_WRITE;
  static final Permission APPROVE = Permission.CREDIT_APPROVE;

  private final Vertx vertx;

  CreditHandlers(Vertx vertx) {
    this.vertx = vertx;
  }

  void summary(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, CreditMessages.SUMMARY.request(vertx, new CreditMessages.CustomerQuery(caller, Requests.pathId(ctx, "id"))).map(CreditHandlers::summaryJson));
  }

  void createLine(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx);
    lineChange(ctx, "create", money(b, "credit_limit"), b.getString("currency"), b.getInteger("terms_days"), b.getString("notes"));
  }

  void changeLine(RoutingContext ctx) {
    JsonObject b = Requests.body(ctx);
    lineChange(ctx, "change", b.containsKey("credit_limit") ? money(b, "credit_limit") : null, b.getString("currency"),
        b.getInteger("terms_days"), b.getString("notes"));
  }

  void transition(RoutingContext ctx) {
    lineChange(ctx, ctx.pathParam("action"), null, null, null, null);
  }

  private void lineChange(RoutingContext ctx, String action, BigDecimal limit, String currency, Integer terms, String notes) {
    Caller caller = Requests.caller(ctx, APPROVE);
    Responses.reply(ctx, CreditMessages.LINE_CHANGE.request(vertx, new CreditMessages.LineChange(caller,
        Requests.pathId(ctx, "id"), action, limit, currency, terms, notes)).map(CreditHandlers::summaryJson));
  }

  void use(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, CreditMessages.USE.request(vertx, new CreditMessages.Use(caller,
        Requests.pathId(ctx, "id"), b.getString("order_id"), money(b, "amount"))).map(d -> new JsonObject()
        .put("approved", d.approved()).put("available_amount", d.availableAmount().toPlainString())
        .put("due_date", d.dueDate() == null ? null : d.dueDate().toString()).put("reason_code", d.reasonCode()).put("reason", d.reason())));
  }

  void release(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, CreditMessages.RELEASE.request(vertx, new CreditMessages.Release(caller,
        Requests.pathId(ctx, "id"), b.getString("order_id"), b.containsKey("amount") ? money(b, "amount") : null))
        .map(CreditHandlers::balanceJson));
  }

  void payment(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, CreditMessages.PAYMENT.request(vertx, new CreditMessages.Payment(caller,
        Requests.pathId(ctx, "id"), b.getString("payment_reference"), money(b, "amount"))).map(CreditHandlers::balanceJson));
  }

  void statement(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Instant[] period = Requests.period(ctx);
    Instant from = period[0];
    Instant to = period[1];
    Responses.reply(ctx, CreditMessages.STATEMENT.request(vertx, new CreditMessages.StatementQuery(caller,
        Requests.pathId(ctx, "id"), from, to)).map(st -> statementJson(st, from, to, st.lines())));
  }

  static JsonObject statementJson(CreditMessages.Statement st, Instant from, Instant to, java.util.List<CreditMessages.StatementLine> shown) {
    JsonArray lines = new JsonArray();
    shown.forEach(l -> lines.add(new JsonObject().put("at", l.at().toString()).put("type", l.type())
        .put("reference", l.reference()).put("amount", l.amount().toPlainString())
        .put("running_outstanding", l.runningOutstanding().toPlainString())
        .put("credit_balance_after", l.creditBalanceAfter().toPlainString())));
    return new JsonObject().put("customer_id", st.customerId().toString()).put("from", from.toString()).put("to", to.toString())
        .put("opening_outstanding", st.openingOutstanding().toPlainString()).put("lines", lines)
        .put("closing_outstanding", st.closingOutstanding().toPlainString());
  }

  void customerAging(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, CreditMessages.AGING.request(vertx, new CreditMessages.AgingQuery(caller,
        Requests.pathId(ctx, "id"))).map(CreditHandlers::agingJson));
  }

  void organizationAging(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, CreditMessages.AGING.request(vertx, new CreditMessages.AgingQuery(caller, null))
        .map(CreditHandlers::agingJson));
  }

  void policy(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Responses.reply(ctx, CreditMessages.POLICY_GET.request(vertx, new CreditMessages.PolicyQuery(caller))
        .map(CreditHandlers::policyJson));
  }

  void putPolicy(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, APPROVE);
    JsonObject b = Requests.body(ctx);
    Responses.reply(ctx, CreditMessages.POLICY_PUT.request(vertx, new CreditMessages.PolicyUpdate(caller,
        new CreditMessages.Policy(b.getInteger("overdue_tolerance_days"), b.getInteger("grace_days")))).map(CreditHandlers::policyJson));
  }

  private static BigDecimal money(JsonObject body, String field) {
    return Decimals.money(field, body.getValue(field));
  }



  static JsonObject summaryJson(CreditMessages.Summary s) {
    return new JsonObject().put("customer_id", s.customerId().toString()).put("status", s.status())
        .put("credit_limit", s.creditLimit().toPlainString()).put("currency", s.currency()).put("terms_days", s.termsDays())
        .put("outstanding", s.outstanding().toPlainString()).put("available", s.available().toPlainString())
        .put("credit_balance", s.creditBalance().toPlainString()).put("utilisation_percent", s.utilisationPercent().toPlainString())
        .put("overdue_amount", s.overdueAmount().toPlainString())
        .put("oldest_due_date", s.oldestDueDate() == null ? null : s.oldestDueDate().toString())
        .put("approved_by", s.approvedBy()).put("approved_at", s.approvedAt() == null ? null : s.approvedAt().toString())
        .put("notes", s.notes());
  }

  private static JsonObject balanceJson(CreditMessages.Balance b) {
    return new JsonObject().put("available_amount", b.availableAmount().toPlainString()).put("outstanding", b.outstanding().toPlainString())
        .put("credit_balance", b.creditBalance().toPlainString());
  }

  private static JsonObject agingJson(CreditMessages.Aging a) {
    return new JsonObject().put("as_of", a.asOf().toString()).put("current", a.current().toPlainString())
        .put("days_1_30", a.days1to30().toPlainString()).put("days_31_60", a.days31to60().toPlainString())
        .put("days_61_90", a.days61to90().toPlainString()).put("over_90", a.over90().toPlainString()).put("total", a.total().toPlainString());
  }

  private static JsonObject policyJson(CreditMessages.Policy p) {
    return new JsonObject().put("overdue_tolerance_days", p.overdueToleranceDays()).put("grace_days", p.graceDays());
  }
}
