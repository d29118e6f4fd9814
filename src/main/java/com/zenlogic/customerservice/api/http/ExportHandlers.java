package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.CustomerExports;
import com.zenlogic.customerservice.loyalty.LoyaltyExports;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.db.Db;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * /api/v1/exports: whole-organization files for re-import and for finance (docs/exports.md).
 * Customers need customers:admin (personal data in bulk is more than customers:read; the same
 * permission as a customer's own data-protection export); the points files need loyalty:admin, as
 * the program itself does.
 */
final class ExportHandlers {
  static final Permission CUSTOMERS = Permission.CUSTOMERS_ADMIN;
  static final Permission FINANCE = Permission.LOYALTY_ADMIN;

  private final Db exports;

  ExportHandlers(Db exports) {
    this.exports = exports;
  }

  void customers(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CUSTOMERS);
    ExportFormat format = ExportFormat.of(Requests.query(ctx, "format"));
    ExportStream.send(ctx, exports, caller.organizationId(),
        CustomerExports.customers(caller.organizationId(), Requests.flag(ctx, "include_deleted")), format);
  }

  void pointsBalances(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, FINANCE);
    ExportFormat format = ExportFormat.of(Requests.query(ctx, "format"));
    ExportStream.send(ctx, exports, caller.organizationId(), LoyaltyExports.balances(caller.organizationId()), format);
  }

  void loyaltyLedger(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, FINANCE);
    ExportFormat format = ExportFormat.of(Requests.query(ctx, "format"));
    Instant[] period = Requests.period(ctx);
    ExportStream.send(ctx, exports, caller.organizationId(), LoyaltyExports.ledger(caller.organizationId(), period[0], period[1]), format);
  }
}
