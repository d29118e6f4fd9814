package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.auth.Actor;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.UUID;

/** Reading a request that the OpenAPI router has already validated. */
final class Requests {
  static final String CORRELATION_ID = "correlationId";

  private Requests() {}

  /** The authenticated caller, holding the permission the operation needs. */
  static Caller caller(RoutingContext ctx, Permission permission) {
    if (ctx.user() == null) {
      throw ErrorCode.UNAUTHENTICATED.exception();
    }
    Caller caller = Auth.callerOf(ctx.user(), ctx.get(CORRELATION_ID));
    caller.require(permission);
    // Who the audit triggers record for what this request changes (Db.withTenant passes it on).
    Actor.set(Actor.of(caller));
    return caller;
  }

  static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  static JsonObject body(RoutingContext ctx) {
    RequestParameter body = validated(ctx).getBody();
    if (body == null || body.isNull() || !body.isJsonObject()) {
      throw DomainException.invalid("body", "must be a JSON object");
    }
    return body.getJsonObject();
  }

  static UUID pathId(RoutingContext ctx, String name) {
    return Ids.parse(name, ctx.pathParam(name));
  }

  static String query(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    return p == null || p.isNull() ? null : p.getString();
  }

  static boolean flag(RoutingContext ctx, String name) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    return p != null && !p.isNull() && Boolean.TRUE.equals(p.getBoolean());
  }

  /** An ISO-8601 instant from the query, or the fallback when absent. */
  static java.time.Instant instant(RoutingContext ctx, String name, java.time.Instant fallback) {
    return instant(name, query(ctx, name), fallback);
  }

  static java.time.Instant instant(String field, String value, java.time.Instant fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return java.time.Instant.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      throw DomainException.invalid(field, "must be an ISO-8601 instant like 2026-01-01T00:00:00Z");
    }
  }

  /** A [from, to) period from the query: to defaults to now, from to 30 days before to; bounded by Periods. */
  static java.time.Instant[] period(RoutingContext ctx) {
    java.time.Instant to = instant(ctx, "to", java.time.Instant.now());
    java.time.Instant from = instant(ctx, "from", to.minus(30, java.time.temporal.ChronoUnit.DAYS));
    com.zenlogic.customerservice.platform.values.Periods.check(from, to);
    return new java.time.Instant[] {from, to};
  }

  static int integer(RoutingContext ctx, String name, int fallback) {
    RequestParameter p = validated(ctx).getQuery().get(name);
    return p == null || p.isNull() ? fallback : p.getInteger(fallback);
  }
}
