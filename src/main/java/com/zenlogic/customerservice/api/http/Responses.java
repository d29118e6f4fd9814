package com.zenlogic.customerservice.api.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writing JSON answers; failures go through ctx.fail to the one error mapper. */
final class Responses {
  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer());
  }

  static void ok(RoutingContext ctx, JsonObject body) {
    json(ctx, 200, body);
  }

  /** 200 with the JSON the future yields, or the failure to the one error mapper. */
  static void reply(RoutingContext ctx, io.vertx.core.Future<JsonObject> result) {
    result.onSuccess(json -> ok(ctx, json)).onFailure(ctx::fail);
  }

  static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).end();
  }
}
