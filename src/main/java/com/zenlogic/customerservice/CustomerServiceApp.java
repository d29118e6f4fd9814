package com.zenlogic.customerservice;

import com.zenlogic.customerservice.api.grpc.GrpcApiVerticle;
import com.zenlogic.customerservice.api.http.HttpApiVerticle;
import com.zenlogic.customerservice.infra.cache.CacheFactory;
import com.zenlogic.customerservice.infra.cache.CustomerCache;
import java.util.function.Supplier;
import com.zenlogic.customerservice.credit.CreditVerticle;
import com.zenlogic.customerservice.events.OutboxRelayVerticle;
import com.zenlogic.customerservice.events.consumers.OrderEventsConsumer;
import com.zenlogic.customerservice.events.consumers.PaymentEventsConsumer;
import com.zenlogic.customerservice.events.consumers.PosEventsConsumer;
import com.zenlogic.customerservice.infra.AppConfig;
import com.zenlogic.customerservice.infra.Bus;
import com.zenlogic.customerservice.loyalty.LoyaltyVerticle;
import com.zenlogic.customerservice.infra.DbUrl;
import com.zenlogic.customerservice.infra.Migrations;
import com.zenlogic.customerservice.segmentation.SegmentationVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Brings the service up on a Vert.x instance: migrations off the event loop, then one deployment
 * per concern. Main uses it, and so do the integration tests, so they run exactly what ships.
 */
public final class CustomerServiceApp {
  private CustomerServiceApp() {}

  public static Future<Void> deploy(Vertx vertx, AppConfig config) {
    DbUrl owner = DbUrl.parse("DB_URL", config.dbUrl());
    DbUrl runtime = owner.as(config.dbAppUser(), config.dbAppPassword());
    Bus.install(vertx);
    return vertx.executeBlocking(() -> {
          Migrations.apply(owner, config.dbAppUser(), config.dbAppPassword());
          return null;
        }, false)
        .compose(v -> {
          CacheFactory cacheFactory = CacheFactory.of(vertx, config);
          Supplier<CustomerCache> caches = cacheFactory.perInstance();
          Future<String> listener = cacheFactory.listener() == null ? Future.succeededFuture()
              : vertx.deployVerticle(cacheFactory.listener());
          // Capabilities before the APIs that call them over the event bus.
          return listener
              .compose(id -> vertx.deployVerticle(new LoyaltyVerticle(runtime, Math.max(4, config.dbPoolSize() / 2), caches,
                  60_000, 3_600_000)))
              .compose(id -> vertx.deployVerticle(new CreditVerticle(runtime, Math.max(4, config.dbPoolSize() / 2), caches)))
              .compose(id -> vertx.deployVerticle(new SegmentationVerticle(runtime, 3_600_000, config.orderServiceGrpc(), config.segmentPolicy()),
                  new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
              .compose(id -> deployEvents(vertx, config, runtime, caches))
              .compose(id -> vertx.deployVerticle(() -> new HttpApiVerticle(config, runtime, caches),
                  new DeploymentOptions().setInstances(config.httpInstances()))
              .compose(id2 -> vertx.deployVerticle(() -> new GrpcApiVerticle(config, runtime, caches),
                  new DeploymentOptions().setInstances(config.grpcInstances()))));
        })
        .mapEmpty();
  }

  /** Without AMQP_URL nothing is published yet: events wait in the outbox until a broker is configured. */
  private static Future<Void> deployEvents(Vertx vertx, AppConfig config, DbUrl runtime, Supplier<CustomerCache> caches) {
    if (config.amqpUrl() == null) {
      return Future.succeededFuture();
    }
    String amqp = config.amqpUrl();
    return Future.all(
            vertx.deployVerticle(new OutboxRelayVerticle(runtime, amqp)),
            vertx.deployVerticle(new OrderEventsConsumer(runtime, amqp, caches, config.segmentPolicy())),
            vertx.deployVerticle(new PosEventsConsumer(runtime, amqp, caches, config.segmentPolicy())),
            vertx.deployVerticle(new PaymentEventsConsumer(runtime, amqp, caches)))
        .mapEmpty();
  }
}
