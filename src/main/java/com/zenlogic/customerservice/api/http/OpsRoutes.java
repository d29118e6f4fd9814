package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.events.Outbox;
import com.zenlogic.customerservice.infra.Db;
import com.zenlogic.customerservice.infra.cache.CustomerCache;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** What the on-call engineer and the load balancer use: health, readiness, metrics, the API docs. */
final class OpsRoutes {
  private final Vertx vertx;
  private final Db db;
  private final CustomerCache cache;

  OpsRoutes(Vertx vertx, Db db, CustomerCache cache) {
    this.vertx = vertx;
    this.db = db;
    this.cache = cache;
  }

  void mount(Router router) {
    router.get("/health").handler(ctx -> Responses.ok(ctx, new JsonObject().put("status", "UP")));
    HealthCheckHandler ready = HealthCheckHandler.create(vertx);
    ready.register("database", 2000, promise -> db.ping()
        .onSuccess(v -> promise.complete(Status.OK()))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("error", e.getMessage())))));
    // The cache degrades to PostgreSQL reads when Redis is gone, so it never makes the service unready.
    ready.register("cache", promise -> promise.complete(Status.OK(cache.health())));
    // Events waiting for the broker: the service stays ready (writes go on), the depth and age tell on-call how far behind.
    ready.register("outbox", 2000, promise -> Outbox.stats(db.pool())
        .onSuccess(stats -> promise.complete(Status.OK(stats)))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("error", e.getMessage())))));
    router.get("/health/ready").handler(ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml")
        .sendFile("openapi.yaml"));
    router.get("/docs").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html").sendFile("docs/index.html"));
    router.get("/docs/swagger-ui/*").handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/5.18.2"));
  }
}
