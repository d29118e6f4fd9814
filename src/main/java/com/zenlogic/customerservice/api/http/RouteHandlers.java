package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.customer.Customer;
import com.zenlogic.customerservice.customer.CustomerJson;
import com.zenlogic.customerservice.customer.CustomerQuery;
import com.zenlogic.customerservice.customer.CustomerRules;
import com.zenlogic.customerservice.customer.CustomerService;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * GET /api/v1/routes/{route}/customers: a distributor salesperson's day, the route's customers (by
 * id, paged like the search) each with where their credit stands. Customers come from the customer
 * capability, the standings from credit in one request per page: this class only joins the two.
 */
final class RouteHandlers {
  private final Vertx vertx;
  private final CustomerService customers;

  RouteHandlers(Vertx vertx, CustomerService customers) {
    this.vertx = vertx;
    this.customers = customers;
  }

  void routeCustomers(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    caller.require(Permission.CREDIT_READ);
    String route = CustomerRules.text("route", ctx.pathParam("route"), 100);
    if (route == null) {
      throw DomainException.invalid("route", "is blank");
    }
    CustomerQuery query = new CustomerQuery(null, null, null, null, null, null, false,
        Cursors.route(caller.organizationId(), route, Requests.query(ctx, "cursor")), Requests.integer(ctx, "limit", 50),
        CustomerRules.text("salesperson_id", Requests.query(ctx, "salesperson_id"), 100), route, null);
    customers.search(caller, query)
        .compose(page -> CreditMessages.STANDINGS.request(vertx,
                new CreditMessages.StandingsQuery(caller, page.items().stream().map(Customer::id).toList()))
            .map(standings -> {
              Map<UUID, CreditMessages.Standing> byCustomer = new HashMap<>();
              standings.standings().forEach(s -> byCustomer.put(s.customerId(), s));
              JsonArray items = new JsonArray();
              page.items().forEach(c -> items.add(CustomerJson.of(c).put("credit", credit(byCustomer.get(c.id())))));
              return new JsonObject().put("route", route).put("items", items)
                  .put("next_cursor", Cursors.route(caller.organizationId(), route, page.next()));
            }))
        .onSuccess(json -> Responses.ok(ctx, json))
        .onFailure(ctx::fail);
  }

  /** null without a credit line; amounts as decimal strings. */
  private static JsonObject credit(CreditMessages.Standing s) {
    if (s == null) {
      return null;
    }
    return new JsonObject().put("status", s.status()).put("currency", s.currency())
        .put("credit_limit", s.creditLimit().toPlainString()).put("outstanding", s.outstanding().toPlainString())
        .put("available", s.available().toPlainString()).put("overdue_amount", s.overdueAmount().toPlainString())
        .put("oldest_overdue_due_date", s.oldestOverdueDueDate() == null ? null : s.oldestOverdueDueDate().toString());
  }
}
