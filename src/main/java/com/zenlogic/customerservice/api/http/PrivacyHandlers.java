package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.customer.AuditEntry;
import com.zenlogic.customerservice.customer.ConsentChange;
import com.zenlogic.customerservice.customer.CustomerAudit;
import com.zenlogic.customerservice.customer.CustomerJson;
import com.zenlogic.customerservice.customer.PrivacyRecord;
import com.zenlogic.customerservice.loyalty.LedgerEntry;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Periods;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A customer's audit and consent history (paged), and the data-protection access request: one JSON
 * document of everything held about the customer, put together from each capability's answers.
 * Every list in the document is capped at {@link #SECTION_CAP} rows, newest first; {@code truncated}
 * names the lists that had more.
 */
final class PrivacyHandlers {
  /** Audit and export show what changed and everything held: the organization's administrators only. */
  static final Permission ADMIN = Permission.CUSTOMERS_ADMIN;
  static final int SECTION_CAP = CustomerAudit.RECORD_HISTORY_CAP;
  private static final int PAGE = 200;

  private final Vertx vertx;
  private final CustomerAudit audit;

  PrivacyHandlers(Vertx vertx, CustomerAudit audit) {
    this.vertx = vertx;
    this.audit = audit;
  }

  void audit(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID customerId = Requests.pathId(ctx, "id");
    Long before = Cursors.audit(caller.organizationId(), customerId, Requests.query(ctx, "cursor"));
    Responses.reply(ctx, audit.audit(caller, customerId, before, Requests.integer(ctx, "limit", 50)).map(page -> {
      JsonArray items = new JsonArray();
      page.items().forEach(e -> items.add(auditJson(e)));
      return new JsonObject().put("items", items).put("next_cursor", Cursors.audit(caller.organizationId(), customerId, page.nextBeforeId()));
    }));
  }

  /** Whether a channel may be used is a day-to-day question: customers:read, like the preferences. */
  void consentHistory(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    UUID customerId = Requests.pathId(ctx, "id");
    Long before = Cursors.consents(caller.organizationId(), customerId, Requests.query(ctx, "cursor"));
    Responses.reply(ctx, audit.consents(caller, customerId, before, Requests.integer(ctx, "limit", 50)).map(page -> {
      JsonArray items = new JsonArray();
      page.items().forEach(c -> items.add(consentJson(c)));
      return new JsonObject().put("items", items).put("next_cursor", Cursors.consents(caller.organizationId(), customerId, page.nextBeforeId()));
    }));
  }

  void export(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID customerId = Requests.pathId(ctx, "id");
    String authorization = ctx.request().getHeader("Authorization");
    Instant now = Instant.now();
    Responses.reply(ctx, audit.record(caller, customerId).compose(record -> {
      JsonObject doc = customerPart(record, now);
      JsonObject truncated = doc.getJsonObject("truncated");
      if (record.customer().deleted()) {
        // The loyalty, credit and segmentation answers are for live customers only; what they keep
        // of a deleted customer is amounts under its id, without personal data.
        return Future.succeededFuture(doc.put("loyalty", null).put("credit", null).put("purchases", null).put("segment", null)
            .put("not_included", new JsonArray(List.of("loyalty", "credit", "purchases", "segment"))));
      }
      return Future.all(loyalty(caller, customerId, truncated), credit(caller, customerId, now, truncated),
              purchases(caller, customerId, authorization, truncated),
              SegmentationMessages.STATS.request(vertx, new SegmentationMessages.CustomerQuery(caller, customerId)).map(SegmentJson::stats))
          .map(all -> doc.put("loyalty", all.resultAt(0)).put("credit", all.resultAt(1)).put("purchases", all.resultAt(2))
              .put("segment", all.resultAt(3)).put("not_included", new JsonArray()));
    }));
  }

  private static JsonObject customerPart(PrivacyRecord r, Instant now) {
    JsonArray addresses = new JsonArray();
    r.addresses().forEach(a -> addresses.add(DetailHandlers.json(a)));
    JsonArray consents = new JsonArray();
    r.consents().forEach(c -> consents.add(consentJson(c)));
    JsonArray auditRows = new JsonArray();
    r.audit().forEach(e -> auditRows.add(auditJson(e)));
    return new JsonObject()
        .put("exported_at", now.toString())
        .put("section_cap", SECTION_CAP)
        .put("customer", CustomerJson.of(r.customer()))
        .put("addresses", addresses)
        .put("preferences", DetailHandlers.json(r.preferences()))
        .put("consent_history", consents)
        .put("audit", auditRows)
        .put("truncated", new JsonObject().put("consent_history", r.consentsTruncated()).put("audit", r.auditTruncated())
            .put("loyalty_ledger", false).put("credit_statement", false).put("purchases", false));
  }

  private Future<JsonObject> loyalty(Caller caller, UUID customerId, JsonObject truncated) {
    return LoyaltyMessages.ACCOUNT.request(vertx, new LoyaltyMessages.CustomerQuery(caller, customerId))
        .compose(account -> ledger(caller, customerId, null, new ArrayList<>()).map(entries -> {
          truncated.put("loyalty_ledger", entries.size() > SECTION_CAP);
          JsonArray ledger = new JsonArray();
          entries.stream().limit(SECTION_CAP).forEach(e -> ledger.add(LoyaltyHandlers.entryJson(e)));
          return new JsonObject().put("account", LoyaltyHandlers.accountJson(account)).put("ledger", ledger);
        }));
  }

  /** Pages of the ledger, newest first, until one entry past the cap (which says: truncated). */
  private Future<List<LedgerEntry>> ledger(Caller caller, UUID customerId, Long before, List<LedgerEntry> sofar) {
    return LoyaltyMessages.LEDGER.request(vertx, new LoyaltyMessages.LedgerQuery(caller, customerId, before, PAGE))
        .compose(page -> {
          sofar.addAll(page.entries());
          return page.nextBeforeId() == null || sofar.size() > SECTION_CAP ? Future.succeededFuture(sofar)
              : ledger(caller, customerId, page.nextBeforeId(), sofar);
        });
  }

  /** The line and the statement of the longest period a statement covers (ten years); null without a credit line. */
  private Future<JsonObject> credit(Caller caller, UUID customerId, Instant now, JsonObject truncated) {
    Instant from = now.minus(Periods.LONGEST).isBefore(Periods.EARLIEST) ? Periods.EARLIEST : now.minus(Periods.LONGEST);
    return CreditMessages.SUMMARY.request(vertx, new CreditMessages.CustomerQuery(caller, customerId))
        .compose(summary -> CreditMessages.STATEMENT.request(vertx, new CreditMessages.StatementQuery(caller, customerId, from, now))
            .map(st -> {
              // Oldest first, as a statement reads; the newest lines are the ones kept.
              List<CreditMessages.StatementLine> lines = st.lines();
              truncated.put("credit_statement", lines.size() > SECTION_CAP);
              List<CreditMessages.StatementLine> shown = lines.size() > SECTION_CAP ? lines.subList(lines.size() - SECTION_CAP, lines.size()) : lines;
              return new JsonObject().put("line", CreditHandlers.summaryJson(summary))
                  .put("statement", CreditHandlers.statementJson(st, from, now, shown));
            }))
        .recover(e -> e instanceof DomainException d && d.code() == ErrorCode.CREDIT_LINE_NOT_FOUND
            ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  private Future<JsonArray> purchases(Caller caller, UUID customerId, String authorization, JsonObject truncated) {
    return history(caller, customerId, authorization, null, null, new ArrayList<>()).compose(rows -> {
      truncated.put("purchases", rows.size() > SECTION_CAP);
      List<SegmentationMessages.PurchaseRow> shown = rows.size() > SECTION_CAP ? rows.subList(0, SECTION_CAP) : rows;
      if (shown.isEmpty()) {
        return Future.succeededFuture(new JsonArray());
      }
      List<Long> ids = shown.stream().map(SegmentationMessages.PurchaseRow::id).toList();
      return SegmentationMessages.PURCHASE_LINES.request(vertx, new SegmentationMessages.LinesQuery(caller, customerId, ids))
          .map(lines -> {
            Map<Long, JsonArray> items = new HashMap<>();
            lines.lines().forEach(l -> items.computeIfAbsent(l.purchaseId(), k -> new JsonArray()).add(itemJson(l)));
            JsonArray out = new JsonArray();
            shown.forEach(p -> out.add(SegmentJson.purchase(p).put("items", items.getOrDefault(p.id(), new JsonArray()))));
            return out;
          });
    });
  }

  private Future<List<SegmentationMessages.PurchaseRow>> history(Caller caller, UUID customerId, String authorization,
                                                                   Instant beforeAt, Long beforeId, List<SegmentationMessages.PurchaseRow> sofar) {
    return SegmentationMessages.HISTORY.request(vertx, new SegmentationMessages.HistoryQuery(caller, customerId, beforeAt, beforeId,
            PAGE, authorization))
        .compose(page -> {
          sofar.addAll(page.rows());
          if (page.rows().size() < PAGE || sofar.size() > SECTION_CAP) {
            return Future.succeededFuture(sofar);
          }
          SegmentationMessages.PurchaseRow last = page.rows().get(page.rows().size() - 1);
          return history(caller, customerId, authorization, last.occurredAt(), last.id(), sofar);
        });
  }

  private static JsonObject itemJson(SegmentationMessages.PurchaseLine l) {
    var i = l.item();
    return new JsonObject().put("line", l.line()).put("product_id", i.productId()).put("variant_id", i.variantId())
        .put("name", i.name()).put("category", i.category()).put("quantity", i.quantity().toPlainString())
        .put("unit_price", i.unitPrice() == null ? null : i.unitPrice().toPlainString());
  }

  static JsonObject auditJson(AuditEntry e) {
    return new JsonObject().put("id", e.id()).put("entity", e.entity()).put("entity_id", e.entityId().toString())
        .put("action", e.action()).put("before", e.before()).put("after", e.after()).put("actor", e.actor())
        .put("correlation_id", e.correlationId()).put("occurred_at", e.occurredAt().toString()).put("redacted", e.redacted());
  }

  static JsonObject consentJson(ConsentChange c) {
    return new JsonObject().put("id", c.id()).put("channel", c.channel()).put("granted", c.granted())
        .put("occurred_at", c.occurredAt().toString()).put("actor", c.actor()).put("correlation_id", c.correlationId());
  }
}
