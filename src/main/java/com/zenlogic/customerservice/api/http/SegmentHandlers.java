package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.segmentation.Purchase;
import com.zenlogic.customerservice.segmentation.PurchaseDates;
import com.zenlogic.customerservice.segmentation.PurchaseItem;
import com.zenlogic.customerservice.segmentation.PurchaseItems;
import com.zenlogic.customerservice.segmentation.SegmentationService;
import java.util.List;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;

/** Purchase history, statistics, segments and KPIs over REST. */
final class SegmentHandlers {
  static final Permission READ = Permission.SEGMENTS_READ;
  static final Permission ADMIN = Permission.SEGMENTS_ADMIN;
  static final Permission ANALYTICS = Permission.ANALYTICS_READ;

  private final Vertx vertx;

  SegmentHandlers(Vertx vertx) {
    this.vertx = vertx;
  }

  void history(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    UUID customerId = Requests.pathId(ctx, "id");
    Cursors.HistoryPosition before = Cursors.history(caller.organizationId(), customerId, Requests.query(ctx, "cursor"));
    int limit = Requests.integer(ctx, "limit", 50);
    SegmentationMessages.HISTORY.request(vertx, new SegmentationMessages.HistoryQuery(caller,
            customerId, before == null ? null : before.occurredAt(), before == null ? null : before.id(), limit + 1,
            ctx.request().getHeader("Authorization")))
        .onSuccess(history -> {
          boolean more = history.rows().size() > limit;
          var page = history.rows().subList(0, Math.min(limit, history.rows().size()));
          JsonArray items = new JsonArray(page.stream().map(SegmentJson::purchase).toList());
          var last = more ? page.get(page.size() - 1) : null;
          Responses.ok(ctx, new JsonObject().put("items", items).put("partial", history.partial())
              .put("next_cursor", last == null ? null : Cursors.history(caller.organizationId(), customerId,
                  new Cursors.HistoryPosition(last.occurredAt(), last.id()))));
        })
        .onFailure(ctx::fail);
  }

  void recordPurchase(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    JsonObject b = Requests.body(ctx);
    Instant now = Instant.now();
    Instant at = PurchaseDates.checked("occurred_at", Requests.instant("occurred_at", b.getString("occurred_at"), now), now);
    List<PurchaseItem> items = PurchaseItems.read("items", b.getValue("items"));
    Integer itemCount = b.getInteger("item_count");
    Purchase p = new Purchase(Requests.pathId(ctx, "id"), "api", "api:" + b.getString("reference"),
        Decimals.money("amount", b.getValue("amount")), at, b.getString("local_id"),
        itemCount != null || items.isEmpty() ? itemCount : Integer.valueOf(items.stream().mapToInt(PurchaseItem::wholeUnits).sum()), items);
    SegmentationMessages.RECORD_PURCHASE.request(vertx, new SegmentationMessages.RecordPurchase(caller, p))
        .onSuccess(r -> Responses.json(ctx, r.isNew() ? 201 : 200, new JsonObject().put("recorded", r.isNew())))
        .onFailure(ctx::fail);
  }

  /** The usual items for a one-tap re-order at the till (customers:read, as the POS reads the customer). */
  void favourites(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    SegmentationMessages.FAVOURITES.request(vertx, new SegmentationMessages.FavouritesQuery(caller, Requests.pathId(ctx, "id"),
            Requests.integer(ctx, "limit", SegmentationService.FAVOURITES_DEFAULT_LIMIT)))
        .onSuccess(f -> Responses.ok(ctx, SegmentJson.favourites(f)))
        .onFailure(ctx::fail);
  }

  void stats(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    SegmentationMessages.STATS.request(vertx, new SegmentationMessages.CustomerQuery(caller, Requests.pathId(ctx, "id")))
        .onSuccess(v -> Responses.ok(ctx, SegmentJson.stats(v)))
        .onFailure(ctx::fail);
  }

  void segments(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    SegmentationMessages.SEGMENTS.request(vertx, new SegmentationMessages.OrganizationQuery(caller))
        .onSuccess(v -> Responses.ok(ctx, new JsonObject().put("counts", SegmentJson.counts(v.counts()))))
        .onFailure(ctx::fail);
  }

  void segmentCustomers(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    String segment = ctx.pathParam("segment");
    UUID after = Cursors.segment(caller.organizationId(), segment, Requests.query(ctx, "cursor"));
    int limit = Requests.integer(ctx, "limit", 50);
    // One row more than the page tells whether there is a next page, so the last page has no cursor.
    SegmentationMessages.SEGMENT_CUSTOMERS.request(vertx, new SegmentationMessages.SegmentQuery(caller, segment, after, limit + 1))
        .onSuccess(rows -> {
          boolean more = rows.rows().size() > limit;
          var page = rows.rows().subList(0, Math.min(limit, rows.rows().size()));
          Responses.ok(ctx, new JsonObject().put("items", new JsonArray(page.stream().map(SegmentJson::member).toList()))
              .put("next_cursor", more ? Cursors.segment(caller.organizationId(), segment, page.get(page.size() - 1).customerId()) : null));
        })
        .onFailure(ctx::fail);
  }

  void recalculate(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    SegmentationMessages.RECALCULATE.request(vertx, new SegmentationMessages.OrganizationQuery(caller))
        .onSuccess(v -> Responses.ok(ctx, SegmentJson.rescored(v)))
        .onFailure(ctx::fail);
  }

  void kpis(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ANALYTICS);
    Instant[] period = Requests.period(ctx);
    Instant from = period[0];
    Instant to = period[1];
    SegmentationMessages.KPIS.request(vertx, new SegmentationMessages.KpiQuery(caller, from, to))
        .onSuccess(v -> Responses.ok(ctx, SegmentJson.kpis(v)))
        .onFailure(ctx::fail);
  }
}
