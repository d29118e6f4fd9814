package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.cluster.ClusterMembership;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.UUID;

/**
 * What the on-call engineer and the load balancer use: health, readiness, metrics, the API docs.
 *
 * <p>Exposure: /health and the public answer of /health/ready say only UP or DOWN (200/503), which
 * is all a load balancer needs. The detail of readiness (each check, outbox depth, parked events,
 * error text), /metrics and the parked-event retry answer only to an operator: a loopback caller
 * (unless OPS_TRUST_LOOPBACK=false) or one presenting OPS_TOKEN as a bearer token.
 */
final class OpsRoutes {
  private final Vertx vertx;
  private final Db db;
  private final CustomerCache cache;
  private final Auth auth;
  private final OpsConfig ops;

  OpsRoutes(Vertx vertx, Db db, CustomerCache cache, Auth auth, OpsConfig ops) {
    this.vertx = vertx;
    this.db = db;
    this.cache = cache;
    this.auth = auth;
    this.ops = ops;
  }

  void mount(Router router) {
    router.get("/health").handler(ctx -> Responses.ok(ctx, new JsonObject().put("status", "UP")));
    HealthChecks ready = HealthChecks.create(vertx);
    ready.register("database", 2000, promise -> db.ping()
        .onSuccess(v -> promise.complete(Status.OK()))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("error", e.getMessage())))));
    // The cache degrades to PostgreSQL reads when Redis is gone, so it never makes the service unready.
    ready.register("cache", promise -> promise.complete(Status.OK(cache.health())));
    // Events waiting for the broker, and parked ones: the service stays ready (writes go on); the
    // depth, age and parked count tell on-call how far behind it is and what needs a hand.
    ready.register("outbox", 2000, promise -> Outbox.stats(db.pool())
        .onSuccess(stats -> promise.complete(Status.OK(stats)))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("error", e.getMessage())))));
    // Like the cache: an Auth Service that is away makes new tokens 503, but cached ones still work,
    // so it never takes the node out of the load balancer; the detail shows the breaker.
    ready.register("auth", promise -> promise.complete(Status.OK(new JsonObject()
        .put("mode", auth.breakerState().isPresent() ? "remote" : "local")
        .put("breaker", auth.breakerState().orElse(null)))));
    ClusterMembership.register(ready, vertx);
    router.get("/health/ready").handler(ctx -> ready.checkStatus().onComplete(ar -> {
      CheckResult result = ar.succeeded() ? ar.result() : null;
      boolean up = result != null && CheckResult.isUp(result);
      JsonObject body = operator(ctx) && result != null ? result.toJson()
          : new JsonObject().put("status", up ? "UP" : "DOWN");
      body.put("status", up ? "UP" : "DOWN");
      Responses.json(ctx, up ? 200 : 503, body);
    }));
    mountMetrics(router, ops);
    // Parked outbox events back to the relay: ?event_id=<uuid> for one, none for all.
    router.post("/ops/outbox/retry-parked").handler(ctx -> {
      if (!operator(ctx)) {
        deny(ctx);
        return;
      }
      String id = ctx.request().getParam("event_id");
      UUID eventId;
      try {
        eventId = id == null ? null : Ids.parse("event_id", id);
      } catch (DomainException e) {
        ctx.fail(e);
        return;
      }
      Responses.reply(ctx, Outbox.retryParked(db.pool(), eventId).map(n -> new JsonObject().put("retried", n)));
    });
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml")
        .sendFile("openapi.yaml"));
    router.get("/asyncapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml")
        .sendFile("asyncapi.yaml"));
    router.get("/docs").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html").sendFile("docs/index.html"));
    router.get("/docs/swagger-ui/*").handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/5.18.2"));
  }

  /** /metrics for operators only; the worker's health server serves it too (HealthOnlyVerticle). */
  static void mountMetrics(Router router, OpsConfig ops) {
    io.vertx.core.Handler<RoutingContext> scrape = PrometheusScrapingHandler.create();
    router.get("/metrics").handler(ctx -> {
      if (operator(ctx, ops)) {
        scrape.handle(ctx);
      } else {
        deny(ctx);
      }
    });
  }

  private static void deny(RoutingContext ctx) {
    ctx.fail(new DomainException(ErrorCode.PERMISSION_DENIED,
        "Operators only: call from loopback or present OPS_TOKEN as a bearer token", null));
  }

  /** The direct peer on loopback (not X-Forwarded-For, which anyone can write), or the ops token. */
  private boolean operator(RoutingContext ctx) {
    return operator(ctx, ops);
  }

  private static boolean operator(RoutingContext ctx, OpsConfig ops) {
    if (ops.opsToken() != null) {
      String auth = ctx.request().getHeader("Authorization");
      if (auth != null && auth.startsWith("Bearer ") && MessageDigest.isEqual(
          auth.substring(7).trim().getBytes(StandardCharsets.UTF_8), ops.opsToken().getBytes(StandardCharsets.UTF_8))) {
        return true;
      }
    }
    if (!ops.opsTrustLoopback()) {
      return false;
    }
    SocketAddress peer = ctx.request().connection().remoteAddress();
    if (peer == null || peer.hostAddress() == null) {
      return false;
    }
    try {
      return InetAddress.getByName(peer.hostAddress()).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
