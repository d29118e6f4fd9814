package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.api.grpc.v1.CustomerServiceGrpcService;
import com.zenlogic.customerservice.customer.CheckoutReads;
import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.metrics.Metrics;
import com.zenlogic.customerservice.platform.tracing.Correlation;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import io.vertx.grpc.server.ServiceBuilder;
import io.vertx.grpc.server.StatusException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * customer.v1.CustomerService over gRPC, plus grpc.health.v1 and server reflection. Translates
 * only: every call resolves its caller, runs the capability and maps failures once (GrpcErrors).
 */
public final class GrpcApiVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GrpcApiVerticle.class);
  private final AppConfig config;
  private final DbUrl runtimeDb;
  private final Supplier<CustomerCache> caches;
  private final Auth auth;
  private HttpServer server;
  private Db db;
  private CustomerCache cache;

  public GrpcApiVerticle(AppConfig config, DbUrl runtimeDb, Supplier<CustomerCache> caches, Auth auth) {
    this.config = config;
    this.auth = auth;
    this.runtimeDb = runtimeDb;
    this.caches = caches;
  }

  @Override
  public Future<?> start() {
    // Batched reads by id use checkoutDbInFlight connections; lookups by key and health the rest.
    int poolSize = Math.max(config.checkoutDbInFlight() + 2, config.dbPoolSize() / config.grpcInstances());
    db = Db.createCheckout(vertx, runtimeDb, poolSize);
    cache = caches.get();
    return Future.succeededFuture(auth).compose(auth -> {
      GrpcCallers callers = new GrpcCallers(auth, config.grpcTrustNetwork());
      CustomerRpc customers = new CustomerRpc(new CheckoutReads(db.pool(), context, config.checkoutDbInFlight()), cache, config.defaultPhoneRegion());

      ServiceBuilder service = Service.service(CustomerServiceGrpcService.SERVICE_NAME, CustomerServiceGrpcService.SERVICE_DESCRIPTOR);
      Calls calls = new Calls(callers, config.grpcMaxMessageBytes());
      service.bind(CustomerServiceGrpcService.GetCustomer,
          calls.unary(CustomerServiceGrpcService.GetCustomer, CustomerRpc.READ, r -> r.getOrganizationId(), customers::getCustomer));
      service.bind(CustomerServiceGrpcService.LookupCustomer,
          calls.unary(CustomerServiceGrpcService.LookupCustomer, CustomerRpc.READ, r -> r.getOrganizationId(), customers::lookupCustomer));
      LoyaltyRpc loyalty = new LoyaltyRpc(vertx);
      service.bind(CustomerServiceGrpcService.AddLoyaltyPoints,
          calls.unary(CustomerServiceGrpcService.AddLoyaltyPoints, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::addPoints));
      service.bind(CustomerServiceGrpcService.RedeemLoyaltyPoints,
          calls.unary(CustomerServiceGrpcService.RedeemLoyaltyPoints, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::redeem));
      service.bind(CustomerServiceGrpcService.HoldLoyaltyPoints,
          calls.unary(CustomerServiceGrpcService.HoldLoyaltyPoints, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::hold));
      service.bind(CustomerServiceGrpcService.CaptureLoyaltyHold,
          calls.unary(CustomerServiceGrpcService.CaptureLoyaltyHold, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::capture));
      service.bind(CustomerServiceGrpcService.CancelLoyaltyHold,
          calls.unary(CustomerServiceGrpcService.CancelLoyaltyHold, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::cancel));
      service.bind(CustomerServiceGrpcService.ReverseLoyaltyPoints,
          calls.unary(CustomerServiceGrpcService.ReverseLoyaltyPoints, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::reverse));
      service.bind(CustomerServiceGrpcService.TransferLoyaltyPoints,
          calls.unary(CustomerServiceGrpcService.TransferLoyaltyPoints, LoyaltyRpc.WRITE, r -> r.getOrganizationId(), loyalty::transfer));
      service.bind(CustomerServiceGrpcService.GetLoyaltyTier,
          calls.unary(CustomerServiceGrpcService.GetLoyaltyTier, LoyaltyRpc.READ, r -> r.getOrganizationId(), loyalty::tier));
      service.bind(CustomerServiceGrpcService.CalculateLoyaltyPoints,
          calls.unary(CustomerServiceGrpcService.CalculateLoyaltyPoints, LoyaltyRpc.READ, r -> r.getOrganizationId(), loyalty::calculate));
      CreditRpc credit = new CreditRpc(vertx);
      service.bind(CustomerServiceGrpcService.CheckCreditAvailability,
          calls.unary(CustomerServiceGrpcService.CheckCreditAvailability, CreditRpc.READ, r -> r.getOrganizationId(), credit::check));
      service.bind(CustomerServiceGrpcService.UseCreditLimit,
          calls.unary(CustomerServiceGrpcService.UseCreditLimit, CreditRpc.WRITE, r -> r.getOrganizationId(), credit::use));
      service.bind(CustomerServiceGrpcService.ReleaseCredit,
          calls.unary(CustomerServiceGrpcService.ReleaseCredit, CreditRpc.WRITE, r -> r.getOrganizationId(), credit::release));
      service.bind(CustomerServiceGrpcService.RecordCreditPayment,
          calls.unary(CustomerServiceGrpcService.RecordCreditPayment, CreditRpc.WRITE, r -> r.getOrganizationId(), credit::payment));
      SegmentRpc segments = new SegmentRpc(vertx);
      service.bind(CustomerServiceGrpcService.GetCustomerSegment,
          calls.unary(CustomerServiceGrpcService.GetCustomerSegment, SegmentRpc.READ, r -> r.getOrganizationId(), segments::segment));
      service.bind(CustomerServiceGrpcService.GetCustomerFavourites,
          calls.unary(CustomerServiceGrpcService.GetCustomerFavourites, SegmentRpc.FAVOURITES, r -> r.getOrganizationId(), segments::favourites));
      GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
          .setScheduleDeadlineAutomatically(true)
          .setDeadlinePropagation(true)
          .setMaxMessageSize(config.grpcMaxMessageBytes())
          // gRPC over HTTP/2 is what the POS, Order and Pricing services speak; gRPC-Web and the
          // HTTP/JSON transcoding Vert.x also enables by default would be more doors to keep.
          .removeEnabledProtocol(GrpcProtocol.WEB)
          .removeEnabledProtocol(GrpcProtocol.WEB_TEXT)
          .removeEnabledProtocol(GrpcProtocol.TRANSCODING));
      grpc.addService(service.build());
      grpc.addService(ReflectionService.v1());
      HealthService health = HealthService.create(vertx);
      health.register(CustomerServiceGrpcService.SERVICE_NAME, () -> db.ping().map(true).otherwise(false));
      grpc.addService(health);
      server = vertx.createHttpServer(new HttpServerOptions().setPort(config.grpcPort()).setHost("0.0.0.0")
          .setIdleTimeout(config.ops().idleTimeoutSeconds()));
      return server.connectionHandler(GrpcApiVerticle::consolidateFlushes).requestHandler(request -> {
        if (Encodings.admit(request)) {
          grpc.handle(request);
        }
      }).listen();
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownGraceSeconds(), TimeUnit.SECONDS);
    return closing
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }

  /**
   * PERF: Vert.x flushes an HTTP/2 connection at every frame written outside a read from it, so a
   * response completed by a database answer costs three writev calls (headers, message, trailers),
   * and a batch of answers many more. Netty's FlushConsolidationHandler turns the flushes of one
   * event-loop turn into one; in a read, Vert.x already flushes once at its end. Measured: writev
   * was a third of the event loops' time on uncached GetCustomer. The hook uses Vert.x's internal
   * connection type; if it is ever missing the server still works, only without the consolidation.
   */
  private static void consolidateFlushes(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      base.channelHandlerContext().pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(256, true));
    }
  }

  /**
   * Adapts a domain call to a unary gRPC handler. In this order, so nothing is applied or even
   * parsed for a call that will be refused: the whole request stream is read (a unary call carries
   * exactly one message: a second one is refused at once and nothing of the call is applied), the
   * token is verified from the metadata, then the one message is inflated within the size limit,
   * parsed, its strings checked, the organization and permission checked, and only then the call runs.
   */
  static final class Calls {
    private final GrpcCallers callers;
    private final int maxMessageBytes;

    Calls(GrpcCallers callers, int maxMessageBytes) {
      this.callers = callers;
      this.maxMessageBytes = maxMessageBytes;
    }

    <Req, Resp> Handler<GrpcServerRequest<Req, Resp>> unary(ServiceMethod<Req, Resp> method, Permission permission,
                                                           java.util.function.Function<Req, String> organization,
                                                           java.util.function.BiFunction<Caller, Req, Future<Resp>> call) {
      String name = method.methodName();
      Metrics.GrpcMethod meters = Metrics.grpcMethod(name);
      GrpcMessageDecoder<Req> decoder = method.decoder();
      return request -> {
        long started = System.nanoTime();
        String correlationId = GrpcCallers.correlation(request.headers());
        Correlation.set(correlationId);
        request.response().headers().set(Correlation.HEADER, correlationId);
        UnaryExchange<Req, Resp> exchange = new UnaryExchange<>(request, name, meters, started);
        request.invalidMessageHandler(invalid -> exchange.answer(Future.failedFuture(
            new StatusException(GrpcStatus.RESOURCE_EXHAUSTED, "message larger than " + maxMessageBytes + " bytes"))));
        request.messageHandler(message -> {
          if (exchange.received++ == 0) {
            exchange.message = message;
          } else if (exchange.received == 2) {
            exchange.answer(Future.failedFuture(DomainException.invalid("message", "a unary call carries exactly one request message")));
          }
        });
        request.exceptionHandler(e -> exchange.answered = true);
        request.endHandler(v -> {
          if (exchange.answered) {
            return;
          }
          if (exchange.message == null) {
            exchange.answer(Future.failedFuture(DomainException.invalid("message", "a unary call carries exactly one request message")));
            return;
          }
          GrpcMessage message = exchange.message;
          exchange.message = null;
          exchange.answer(callers.authenticate(request.headers(), request.timeout()).compose(tokenCaller -> {
            Req parsed = RequestMessages.decode(message, decoder, maxMessageBytes);
            Caller caller = callers.authorize(tokenCaller, request.headers(), organization.apply(parsed), permission);
            return call.apply(caller, parsed);
          }));
        });
      };
    }
  }

  /** One unary call in progress: what was received, and whether it has been answered. */
  private static final class UnaryExchange<Req, Resp> {
    private final GrpcServerRequest<Req, Resp> request;
    private final String name;
    private final Metrics.GrpcMethod meters;
    private final long started;
    int received;
    GrpcMessage message;
    boolean answered;

    UnaryExchange(GrpcServerRequest<Req, Resp> request, String name, Metrics.GrpcMethod meters, long started) {
      this.request = request;
      this.name = name;
      this.meters = meters;
      this.started = started;
    }

    /** Answers once; later outcomes (a refused call's remaining messages, a late result) are dropped. */
    void answer(Future<Resp> result) {
      if (answered) {
        return;
      }
      answered = true;
      result.onComplete(ar -> {
        try {
          if (LOG.isDebugEnabled()) {
            LOG.debug("gRPC {} -> {} in {} ms", name, ar.succeeded() ? "OK" : ar.cause().getClass().getSimpleName(),
                (System.nanoTime() - started) / 1_000_000);
          }
          if (ar.succeeded()) {
            meters.record(GrpcStatus.OK, System.nanoTime() - started);
            request.response().end(ar.result());
          } else {
            StatusException status = GrpcErrors.toStatus(ar.cause(), name);
            meters.record(status.status(), System.nanoTime() - started);
            request.response().status(status.status()).statusMessage(status.message()).end();
          }
        } catch (IllegalStateException alreadyEnded) {
          // The deadline expired or the caller cancelled: the call was already answered.
        }
      });
    }
  }
}
