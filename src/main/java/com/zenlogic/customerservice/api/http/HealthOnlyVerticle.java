package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.cluster.ClusterMembership;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;

/**
 * What a worker node serves on HTTP_PORT: /health (the process is up), /health/ready (its
 * database pool answers and it is still a member of the cluster) and /metrics (operators only, as
 * on the API nodes), nothing of the API. A worker
 * that fell out of the cluster receives no bus traffic, so the orchestrator should restart it.
 */
public final class HealthOnlyVerticle extends VerticleBase {
  private final AppConfig config;
  private final DbUrl runtimeDb;
  private HttpServer server;
  private Db db;

  public HealthOnlyVerticle(AppConfig config, DbUrl runtimeDb) {
    this.config = config;
    this.runtimeDb = runtimeDb;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, 1, "health");
    HealthChecks ready = HealthChecks.create(vertx);
    ready.register("database", 2000, promise -> db.ping()
        .onSuccess(v -> promise.complete(Status.OK()))
        .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("error", e.getMessage())))));
    ClusterMembership.register(ready, vertx);
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> Responses.ok(ctx, new JsonObject().put("status", "UP").put("role", "worker")));
    router.get("/health/ready").handler(ctx -> ready.checkStatus().onComplete(ar -> {
      boolean up = ar.succeeded() && CheckResult.isUp(ar.result());
      Responses.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN"));
    }));
    // Workers run the consumers, jobs and the outbox relay: their figures are scraped here.
    OpsRoutes.mountMetrics(router, config.ops());
    router.route().failureHandler(HttpErrors::handle);
    server = vertx.createHttpServer(new HttpServerOptions().setPort(config.httpPort()).setHost("0.0.0.0")
        .setHttp2ClearTextEnabled(false) // as the API's server: HTTP/1.1 only, see HttpApiVerticle
        .setIdleTimeout(config.ops().idleTimeoutSeconds()));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
    return closing.eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }
}
