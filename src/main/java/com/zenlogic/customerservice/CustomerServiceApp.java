package com.zenlogic.customerservice;

import com.zenlogic.customerservice.api.grpc.GrpcApiVerticle;
import com.zenlogic.customerservice.api.http.HttpApiVerticle;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.cache.CacheFactory;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import java.util.function.Supplier;
import com.zenlogic.customerservice.credit.CreditVerticle;
import com.zenlogic.customerservice.platform.outbox.OutboxRelayVerticle;
import com.zenlogic.customerservice.consumers.OrderEventsConsumer;
import com.zenlogic.customerservice.consumers.PaymentEventsConsumer;
import com.zenlogic.customerservice.consumers.PosEventsConsumer;
import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.tracing.LogCorrelation;
import com.zenlogic.customerservice.loyalty.LoyaltyVerticle;
import com.zenlogic.customerservice.imports.ImportsVerticle;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.db.Migrations;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.loyalty.LoyaltyJobs;
import com.zenlogic.customerservice.segmentation.SegmentationVerticle;
import com.zenlogic.customerservice.webhooks.WebhookDispatcherVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import com.zenlogic.customerservice.api.http.HealthOnlyVerticle;
import com.zenlogic.customerservice.platform.cluster.ClusterConfig;
import com.zenlogic.customerservice.platform.cluster.ClusterConfig.NodeRole;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings the service up on a Vert.x instance: migrations off the event loop, then one deployment
 * per concern. Main uses it, and so do the integration tests, so they run exactly what ships.
 *
 * <p>Shutdown runs in the reverse layers, each waiting for the one before: the API servers stop
 * accepting and drain their in-flight calls first (while the engines and pools they call are still
 * there), then the consumers, then the engines, then the relay and the cache listener.
 */
public final class CustomerServiceApp {
  private CustomerServiceApp() {}

  /** What was deployed, by layer, so it can be stopped in order. */
  public static final class Running {
    private final Vertx vertx;
    private final List<String> engines = new ArrayList<>();
    private final List<String> consumers = new ArrayList<>();
    private final List<String> infrastructure = new ArrayList<>();
    private final List<String> apis = new ArrayList<>();

    private Running(Vertx vertx) {
      this.vertx = vertx;
    }

    /** Stops accepting, drains in-flight calls (HTTP/gRPC grace period), then closes engines and pools. */
    public Future<Void> stop() {
      return undeploy(apis).compose(v -> undeploy(consumers)).compose(v -> undeploy(engines))
          .compose(v -> undeploy(infrastructure));
    }

    private Future<Void> undeploy(List<String> ids) {
      List<Future<Void>> all = new ArrayList<>();
      for (String id : ids) {
        all.add(vertx.undeploy(id).recover(e -> Future.succeededFuture()));
      }
      ids.clear();
      return Future.join(all).mapEmpty();
    }
  }

  public static Future<Void> deploy(Vertx vertx, AppConfig config) {
    return start(vertx, config, false).mapEmpty();
  }

  /** embedded: the zero-config database, whose runtime role password this process owns (re-applied at start). */
  public static Future<Running> start(Vertx vertx, AppConfig config, boolean embedded) {
    return start(vertx, config, embedded, ClusterConfig.single());
  }

  /**
   * As above, for the node's role: {@code api} deploys HTTP and gRPC, {@code worker} the engines,
   * consumers, relay and jobs behind a health-only HTTP server, {@code all} everything. Migrations
   * run on every node (Flyway serializes them with its own lock), so any node may start first.
   */
  public static Future<Running> start(Vertx vertx, AppConfig config, boolean embedded, ClusterConfig cluster) {
    DbUrl owner = DbUrl.parse("DB_URL", config.dbUrl());
    DbUrl runtime = owner.as(config.dbAppUser(), config.dbAppPassword());
    Bus.install(vertx);
    LogCorrelation.install();
    JobLease.configure(vertx, new JobLease.Settings(cluster.nodeName(), Duration.ofSeconds(cluster.jobLeaseSeconds())));
    NodeRole role = cluster.role();
    Running running = new Running(vertx);
    OpsConfig ops = config.ops();
    LoyaltyJobs.Schedule schedule = new LoyaltyJobs.Schedule(60_000, ops.jobsFirstRunSeconds() * 1000L,
        ops.jobsIntervalSeconds() * 1000L, ops.jobsBatchSize());
    return vertx.executeBlocking(() -> {
          Migrations.apply(owner, config.dbAppUser(), config.dbAppPassword(), embedded);
          return null;
        }, false)
        .compose(v -> {
          CacheFactory cacheFactory = CacheFactory.of(vertx, config.cache());
          Supplier<CustomerCache> caches = cacheFactory.perInstance();
          Future<String> listener = cacheFactory.listener() == null ? Future.succeededFuture()
              : vertx.deployVerticle(cacheFactory.listener()).map(id -> add(running.infrastructure, id));
          // Capabilities before the APIs that call them over the event bus.
          Future<String> engines = !role.runsEngines() ? listener : listener
              // PERF: one instance per core (they share their pool, the jobs take a lease): a single instance put
              // every earn and charge of the process on one event loop.
              // Only the first instance runs the periodic jobs: the job lease is per node, so two instances of one
              // node would both hold it and run every job twice.
              .compose(id -> {
                AtomicBoolean jobsTaken = new AtomicBoolean();
                return vertx.deployVerticle(() -> new LoyaltyVerticle(runtime, Math.max(4, config.dbPoolSize() / 2), caches,
                    jobsTaken.compareAndSet(false, true) ? schedule : null), new DeploymentOptions().setInstances(engineInstances()));
              })
              .map(id -> add(running.engines, id))
              .compose(id -> vertx.deployVerticle(() -> new CreditVerticle(runtime, Math.max(4, config.dbPoolSize() / 2), caches),
                  new DeploymentOptions().setInstances(engineInstances())))
              .map(id -> add(running.engines, id))
              .compose(id -> vertx.deployVerticle(new SegmentationVerticle(runtime, 3_600_000, config.orderServiceGrpc(), config.segmentPolicy()),
                  new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)))
              .map(id -> add(running.engines, id))
              // Webhooks need no broker: their deliveries are recorded with the events, in PostgreSQL.
              .compose(id -> vertx.deployVerticle(new WebhookDispatcherVerticle(runtime, config.webhooks())))
              .map(id -> add(running.infrastructure, id))
              .compose(id -> vertx.deployVerticle(new ImportsVerticle(runtime, caches, config.imports(), config.defaultPhoneRegion())))
              .map(id -> add(running.engines, id))
              .compose(id -> deployEvents(vertx, config, runtime, running))
              .map("engines");
          if (!role.servesApi()) {
            return engines.compose(id -> vertx.deployVerticle(new HealthOnlyVerticle(config, runtime)))
                .map(id -> add(running.apis, id));
          }
          // One verifier for all API instances: one Auth Service breaker and one cache of verified tokens.
          Future<Auth> auth = engines.compose(id -> Auth.create(vertx, config.jwt(), config.auth()));
          return auth
              .compose(a -> vertx.deployVerticle(() -> new HttpApiVerticle(config, runtime, caches, a),
                  new DeploymentOptions().setInstances(config.httpInstances())))
              .map(id -> add(running.apis, id))
              .compose(id -> vertx.deployVerticle(() -> new GrpcApiVerticle(config, runtime, caches, auth.result()),
                  new DeploymentOptions().setInstances(config.grpcInstances())))
              .map(id -> add(running.apis, id));
        })
        .map(running);
  }

  private static String add(List<String> layer, String id) {
    layer.add(id);
    return id;
  }

  /** Without AMQP_URL nothing is published yet: events wait in the outbox until a broker is configured. */
  private static Future<Void> deployEvents(Vertx vertx, AppConfig config, DbUrl runtime, Running running) {
    if (config.amqpUrl() == null) {
      return Future.succeededFuture();
    }
    String amqp = config.amqpUrl();
    OpsConfig ops = config.ops();
    return Future.all(
            vertx.deployVerticle(new OutboxRelayVerticle(runtime, amqp, ops.outboxMaxAttempts())).map(id -> add(running.infrastructure, id)),
            vertx.deployVerticle(new OrderEventsConsumer(runtime, amqp, ops))
                .map(id -> add(running.consumers, id)),
            vertx.deployVerticle(new PosEventsConsumer(runtime, amqp, ops))
                .map(id -> add(running.consumers, id)),
            vertx.deployVerticle(new PaymentEventsConsumer(runtime, amqp, ops)).map(id -> add(running.consumers, id)))
        .mapEmpty();
  }

  private static int engineInstances() {
    return Runtime.getRuntime().availableProcessors();
  }
}
