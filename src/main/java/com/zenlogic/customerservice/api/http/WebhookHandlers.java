package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.webhooks.Delivery;
import com.zenlogic.customerservice.webhooks.Subscription;
import com.zenlogic.customerservice.webhooks.WebhookSpec;
import com.zenlogic.customerservice.webhooks.Webhooks;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** /api/v1/webhooks: JSON to Webhooks calls and back. Every operation needs webhooks:admin (a subscription sees every event). */
final class WebhookHandlers {
  static final Permission ADMIN = Permission.WEBHOOKS_ADMIN;

  private final Webhooks webhooks;

  WebhookHandlers(Webhooks webhooks) {
    this.webhooks = webhooks;
  }

  void create(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    JsonObject body = Requests.body(ctx);
    WebhookSpec spec = new WebhookSpec(string(body, "url"), types(body), string(body, "description"), bool(body, "enabled"),
        string(body, "secret"), false);
    webhooks.create(caller, spec)
        .onSuccess(created -> {
          ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/webhooks/" + created.subscription().id());
          // The only answer that carries the secret.
          Responses.json(ctx, 201, json(created.subscription()).put("secret", created.secret()));
        })
        .onFailure(ctx::fail);
  }

  void list(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    Responses.reply(ctx, webhooks.list(caller).map(all -> {
      JsonArray items = new JsonArray();
      all.forEach(s -> items.add(json(s)));
      return new JsonObject().put("items", items);
    }));
  }

  void get(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    Responses.reply(ctx, webhooks.get(caller, Requests.pathId(ctx, "id")).map(WebhookHandlers::json));
  }

  /** JSON merge patch: only the fields given change; description null clears it; url and event_types cannot be null. */
  void update(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID id = Requests.pathId(ctx, "id");
    JsonObject body = Requests.body(ctx);
    for (String required : List.of("url", "event_types", "enabled", "secret")) {
      if (body.containsKey(required) && body.getValue(required) == null) {
        throw DomainException.invalid(required, "cannot be null");
      }
    }
    WebhookSpec change = new WebhookSpec(string(body, "url"), body.containsKey("event_types") ? types(body) : null,
        string(body, "description"), bool(body, "enabled"), string(body, "secret"),
        body.containsKey("description") && body.getValue("description") == null);
    Responses.reply(ctx, webhooks.update(caller, id, change).map(WebhookHandlers::json));
  }

  void delete(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    webhooks.delete(caller, Requests.pathId(ctx, "id")).onSuccess(v -> Responses.noContent(ctx)).onFailure(ctx::fail);
  }

  void deliveries(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID id = Requests.pathId(ctx, "id");
    Long before = Cursors.webhookDeliveries(caller.organizationId(), id, Requests.query(ctx, "cursor"));
    Responses.reply(ctx, webhooks.deliveries(caller, id, Requests.query(ctx, "status"), before, Requests.integer(ctx, "limit", 50))
        .map(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(d -> items.add(json(d)));
          return new JsonObject().put("items", items).put("next_cursor", Cursors.webhookDeliveries(caller.organizationId(), id, page.next()));
        }));
  }

  void redeliver(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID id = Requests.pathId(ctx, "id");
    long deliveryId = deliveryId(ctx.pathParam("delivery_id"));
    webhooks.redeliver(caller, id, deliveryId).onSuccess(d -> Responses.json(ctx, 202, json(d))).onFailure(ctx::fail);
  }

  void discard(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID id = Requests.pathId(ctx, "id");
    long deliveryId = deliveryId(ctx.pathParam("delivery_id"));
    Responses.reply(ctx, webhooks.discard(caller, id, deliveryId).map(WebhookHandlers::json));
  }

  private static long deliveryId(String value) {
    if (value == null || !value.matches("[1-9][0-9]{0,17}")) {
      throw DomainException.invalid("delivery_id", "must be a delivery id from the log");
    }
    return Long.parseLong(value);
  }

  static JsonObject json(Subscription s) {
    return new JsonObject()
        .put("id", s.id().toString())
        .put("url", s.url())
        .put("event_types", new JsonArray(new ArrayList<>(s.eventTypes())))
        .put("description", s.description())
        .put("enabled", s.enabled())
        .put("circuit", s.circuitOpen() ? "open" : "closed")
        .put("created_at", s.createdAt().toString())
        .put("updated_at", s.updatedAt().toString());
  }

  static JsonObject json(Delivery d) {
    return new JsonObject()
        .put("id", d.id())
        .put("event_id", d.eventId().toString())
        .put("event_type", d.eventType())
        .put("status", d.status())
        .put("attempts", d.attempts())
        .put("next_attempt_at", Delivery.PENDING.equals(d.status()) ? text(d.nextAttemptAt()) : null)
        .put("last_attempt_at", text(d.lastAttemptAt()))
        .put("last_error", d.lastError())
        .put("response_code", d.responseCode())
        .put("created_at", text(d.createdAt()))
        .put("delivered_at", text(d.deliveredAt()))
        .put("dead_at", text(d.deadAt()))
        .put("discarded_at", text(d.discardedAt()));
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  /** The contract has typed the fields already; a wrong type never gets here. */
  private static String string(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw DomainException.invalid(field, "must be a string");
    }
    return (String) v;
  }

  private static Boolean bool(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v != null && !(v instanceof Boolean)) {
      throw DomainException.invalid(field, "must be true or false");
    }
    return (Boolean) v;
  }

  private static List<String> types(JsonObject body) {
    Object v = body.getValue("event_types");
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw DomainException.invalid("event_types", "must be an array of event types");
    }
    List<String> types = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String t)) {
        throw DomainException.invalid("event_types[" + i + "]", "must be a string");
      }
      types.add(t);
    }
    return types;
  }
}
