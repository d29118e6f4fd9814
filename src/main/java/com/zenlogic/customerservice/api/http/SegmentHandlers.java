package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.infra.Bus;
import com.zenlogic.customerservice.infra.Caller;
import com.zenlogic.customerservice.infra.Ids;
import com.zenlogic.customerservice.infra.Decimals;
import com.zenlogic.customerservice.segmentation.Purchase;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;

/** Purchase history, statistics, segments and KPIs over REST. */
final class SegmentHandlers {
  static final String READ = "segments:read";
  static final String ADMIN = "segments:admin";
  static final String ANALYTICS = "analytics:read";

  private final Vertx vertx;

  SegmentHandlers(Vertx vertx) {
    this.vertx = vertx;
  }

  void history(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    String before = Requests.query(ctx, "before");
    int limit = Requests.integer(ctx, "limit", 50);
    Bus.<SegmentationMessages.History>request(vertx, SegmentationMessages.HISTORY, new SegmentationMessages.HistoryQuery(caller,
            Requests.pathId(ctx, "id"), before == null ? null : Long.valueOf(before), limit + 1,
            ctx.request().getHeader("Authorization")))
        .onSuccess(history -> {
          boolean more = history.rows().size() > limit;
          JsonArray items = new JsonArray(history.rows().subList(0, Math.min(limit, history.rows().size())));
          Responses.ok(ctx, new JsonObject().put("items", items).put("partial", history.partial())
              .put("next_before", more ? items.getJsonObject(items.size() - 1).getLong("id") : null));
        })
        .onFailure(ctx::fail);
  }

  void recordPurchase(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    JsonObject b = Requests.body(ctx);
    Instant at = Requests.instant("occurred_at", b.getString("occurred_at"), Instant.now());
    Purchase p = new Purchase(Requests.pathId(ctx, "id"), "api", "api:" + b.getString("reference"),
        Decimals.money("amount", b.getValue("amount")), at, b.getString("local_id"), b.getInteger("item_count"));
    Bus.<SegmentationMessages.Recorded>request(vertx, SegmentationMessages.RECORD_PURCHASE, new SegmentationMessages.RecordPurchase(caller, p))
        .onSuccess(r -> Responses.json(ctx, r.isNew() ? 201 : 200, new JsonObject().put("recorded", r.isNew())))
        .onFailure(ctx::fail);
  }

  void stats(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    view(ctx, SegmentationMessages.STATS, new SegmentationMessages.CustomerQuery(caller, Requests.pathId(ctx, "id")));
  }

  void segments(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    Bus.<SegmentationMessages.View>request(vertx, SegmentationMessages.SEGMENTS, new SegmentationMessages.OrganizationQuery(caller))
        .onSuccess(v -> Responses.ok(ctx, new JsonObject().put("counts", v.json())))
        .onFailure(ctx::fail);
  }

  void segmentCustomers(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    String cursor = Requests.query(ctx, "cursor");
    UUID after = cursor == null ? null : Ids.parse("cursor", cursor);
    int limit = Requests.integer(ctx, "limit", 50);
    Bus.<SegmentationMessages.Rows>request(vertx, SegmentationMessages.SEGMENT_CUSTOMERS,
            new SegmentationMessages.SegmentQuery(caller, ctx.pathParam("segment"), after, limit))
        .onSuccess(rows -> Responses.ok(ctx, new JsonObject().put("items", new JsonArray(rows.rows()))
            .put("next_cursor", rows.rows().size() < limit ? null : rows.rows().get(rows.rows().size() - 1).getString("customer_id"))))
        .onFailure(ctx::fail);
  }

  void recalculate(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    Bus.<SegmentationMessages.View>request(vertx, SegmentationMessages.RECALCULATE, new SegmentationMessages.OrganizationQuery(caller),
            300_000)
        .onSuccess(v -> Responses.ok(ctx, v.json()))
        .onFailure(ctx::fail);
  }

  void kpis(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ANALYTICS);
    Instant[] period = Requests.period(ctx);
    Instant from = period[0];
    Instant to = period[1];
    view(ctx, SegmentationMessages.KPIS, new SegmentationMessages.KpiQuery(caller, from, to));
  }

  private void view(RoutingContext ctx, String address, Bus.Local request) {
    Bus.<SegmentationMessages.View>request(vertx, address, request)
        .onSuccess(v -> Responses.ok(ctx, v.json()))
        .onFailure(ctx::fail);
  }
}
