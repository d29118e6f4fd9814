package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.customer.CustomerJson;
import com.zenlogic.customerservice.customer.CustomerQuery;
import com.zenlogic.customerservice.customer.CustomerRules;
import com.zenlogic.customerservice.customer.CustomerService;
import com.zenlogic.customerservice.customer.CustomerStatus;
import com.zenlogic.customerservice.customer.Documents;
import com.zenlogic.customerservice.customer.Customer;
import com.zenlogic.customerservice.customer.LookupKey;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** /api/v1/customers: translates HTTP to CustomerService calls and back, nothing more. */
final class CustomerHandlers {
  static final Permission READ = Permission.CUSTOMERS_READ;
  static final Permission WRITE = Permission.CUSTOMERS_WRITE;
  /** Key matches a new customer's answer lists (possible_duplicates); the full check is GET .../duplicates. */
  static final int POSSIBLE_DUPLICATES = 5;

  private final CustomerService customers;

  CustomerHandlers(CustomerService customers) {
    this.customers = customers;
  }

  void create(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    customers.create(caller, CustomerInput.create(Requests.body(ctx)), POSSIBLE_DUPLICATES)
        .onSuccess(created -> {
          Customer c = created.customer();
          ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/customers/" + c.id());
          ctx.response().putHeader(HttpHeaders.ETAG, c.etag());
          Responses.json(ctx, 201, CustomerJson.of(c).put("possible_duplicates", MergeHandlers.json(created.possibleDuplicates())));
        })
        .onFailure(ctx::fail);
  }

  void get(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    customers.get(caller, Requests.pathId(ctx, "id"), Requests.flag(ctx, "include_deleted"))
        .onSuccess(c -> respond(ctx, 200, c))
        .onFailure(ctx::fail);
  }

  void update(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    UUID id = Requests.pathId(ctx, "id");
    Long expected = ifMatch(ctx.request().getHeader(HttpHeaders.IF_MATCH));
    JsonObject patch = Requests.body(ctx);
    customers.update(caller, id, expected, current -> CustomerInput.mergePatch(current, patch))
        .onSuccess(c -> respond(ctx, 200, c))
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    customers.delete(caller, Requests.pathId(ctx, "id"))
        .onSuccess(c -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  void erase(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, WRITE);
    customers.erase(caller, Requests.pathId(ctx, "id"))
        .onSuccess(c -> respond(ctx, 200, c))
        .onFailure(ctx::fail);
  }

  void search(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    String q = Requests.query(ctx, "q");
    String phone = Requests.query(ctx, "phone");
    String document = Requests.query(ctx, "document");
    String status = Requests.query(ctx, "status");
    String nameQuery = q == null ? null : q.strip().toLowerCase(java.util.Locale.ROOT);
    if (nameQuery != null && nameQuery.isEmpty()) {
      throw DomainException.invalid("q", "is blank");
    }
    // A name search is ordered by name, the others by id: a cursor is only valid for the order it came from.
    boolean byName = nameQuery != null;
    CustomerQuery.Position after = Cursors.search(caller.organizationId(), byName, Requests.query(ctx, "cursor"));
    CustomerQuery query = new CustomerQuery(
        nameQuery,
        phone == null ? null : customers.normalisePhone("phone", phone),
        CustomerRules.email(Requests.query(ctx, "email")),
        document == null ? null : Documents.searchForms(document),
        CustomerRules.card(Requests.query(ctx, "card")),
        status == null ? null : CustomerStatus.of("status", status),
        Requests.flag(ctx, "include_deleted") || "deleted".equals(status),
        after,
        Requests.integer(ctx, "limit", 20),
        CustomerRules.text("salesperson_id", Requests.query(ctx, "salesperson_id"), 100),
        CustomerRules.text("route", Requests.query(ctx, "route"), 100),
        externalId(Requests.query(ctx, "external_id")));
    customers.search(caller, query)
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(c -> items.add(CustomerJson.of(c)));
          Responses.ok(ctx, new JsonObject().put("items", items).put("next_cursor", Cursors.search(caller.organizationId(), byName, page.next())));
        })
        .onFailure(ctx::fail);
  }

  /** Normalised as the gRPC lookup normalises it, so both ways in find the same customers. */
  private static String externalId(String raw) {
    return raw == null ? null : LookupKey.externalId(raw).primary();
  }

  private static void respond(RoutingContext ctx, int status, Customer c) {
    ctx.response().putHeader(HttpHeaders.ETAG, c.etag());
    Responses.json(ctx, status, CustomerJson.of(c));
  }

  /** The version an If-Match names ("3", W/"3" or 3); "*" and no header mean "whatever is current". */
  static Long ifMatch(String header) {
    if (header == null || header.isBlank() || header.strip().equals("*")) {
      return null;
    }
    String v = header.strip();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    v = v.replace("\"", "");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw DomainException.invalid("If-Match", "must be an ETag this service issued");
    }
  }
}
