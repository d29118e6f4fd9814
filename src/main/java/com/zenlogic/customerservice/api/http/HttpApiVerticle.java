package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.AddressBook;
import com.zenlogic.customerservice.customer.CustomerAudit;
import com.zenlogic.customerservice.customer.CustomerService;
import com.zenlogic.customerservice.imports.CustomerImports;
import com.zenlogic.customerservice.customer.PreferenceService;
import com.zenlogic.customerservice.merge.CustomerMergeService;
import com.zenlogic.customerservice.AppConfig;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.webhooks.EventCatalogue;
import com.zenlogic.customerservice.webhooks.Webhooks;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.tracing.Correlation;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import com.zenlogic.customerservice.platform.ratelimit.WriteRateLimiter;
import java.util.function.Supplier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.concurrent.TimeUnit;

/** The admin REST API: routes come from the OpenAPI contract, which also validates every request (ContractValidator). */
public final class HttpApiVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpApiVerticle.class);
  private final AppConfig config;
  private final DbUrl runtimeDb;
  private final Supplier<CustomerCache> caches;
  private final Auth auth;
  private HttpServer server;
  private Db db;
  private Db exportsDb;
  private CustomerCache cache;
  private ContractValidator validator;
  private WriteLimits writeLimits;

  public HttpApiVerticle(AppConfig config, DbUrl runtimeDb, Supplier<CustomerCache> caches, Auth auth) {
    this.config = config;
    this.auth = auth;
    this.runtimeDb = runtimeDb;
    this.caches = caches;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, config.dbPoolSize());
    exportsDb = Db.createExports(vertx, runtimeDb, config.http().exportsMaxConcurrent());
    cache = caches.get();
    CustomerService customers = new CustomerService(db, config.defaultPhoneRegion(), cache::invalidate);
    CustomerHandlers customerHandlers = new CustomerHandlers(customers);
    DetailHandlers details = new DetailHandlers(new AddressBook(customers), new PreferenceService(customers));
    // The event types a subscription may name, read from asyncapi.yaml once, off the event loop.
    return vertx.executeBlocking(EventCatalogue::published)
        .compose(types -> io.vertx.openapi.impl.Utils.readYamlOrJson(vertx, "openapi.yaml"))
        .map(HttpApiVerticle::withRoutableMediaTypes)
        .compose(json -> OpenAPIContract.from(vertx, json))
        .compose(contract -> {
          // The body is read by the BodyHandler below, which enforces the size limit (the default extractor has none).
          RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
          validator = new ContractValidator(vertx, contract);
          writeLimits = new WriteLimits(new WriteRateLimiter(vertx, config.http().writesPerSecond(), config.http().writeBurst(),
              config.redisUrl(), config.cacheKeyPrefix()));
          BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.httpBodyLimit());
          builder.rootHandler(ctx -> {
            if (ImportHandlers.isUpload(ctx)) {
              // Held until the handler reads it (after authentication): nothing may arrive unread before.
              ctx.request().pause();
              ctx.next();
            } else {
              bodies.handle(ctx);
            }
          });
          builder.rootHandler(this::correlate);
          builder.security("bearer").httpHandler(auth.restHandler());
          bind(builder, "createCustomer", customerHandlers::create);
          bind(builder, "searchCustomers", customerHandlers::search);
          bind(builder, "getCustomer", customerHandlers::get);
          bind(builder, "updateCustomer", customerHandlers::update);
          bind(builder, "deleteCustomer", customerHandlers::delete);
          bind(builder, "eraseCustomer", customerHandlers::erase);
          MergeHandlers merges = new MergeHandlers(new CustomerMergeService(db, cache::invalidate, java.time.Clock.systemUTC()));
          bind(builder, "getDuplicateCandidates", merges::duplicates);
          bind(builder, "mergeCustomer", merges::merge);
          bind(builder, "listAddresses", details::listAddresses);
          bind(builder, "addAddress", details::addAddress);
          bind(builder, "replaceAddress", details::replaceAddress);
          bind(builder, "deleteAddress", details::deleteAddress);
          LoyaltyHandlers loyalty = new LoyaltyHandlers(vertx);
          bind(builder, "getLoyalty", loyalty::account);
          bind(builder, "getLoyaltyLedger", loyalty::ledger);
          bind(builder, "earnPoints", loyalty::earn);
          bind(builder, "redeemPoints", loyalty::redeem);
          bind(builder, "adjustPoints", loyalty::adjust);
          bind(builder, "reversePoints", loyalty::reverse);
          bind(builder, "transferPoints", loyalty::transfer);
          bind(builder, "getPunchCards", loyalty::punchCards);
          bind(builder, "redeemPunchReward", loyalty::redeemReward);
          bind(builder, "listPunchPrograms", loyalty::punchPrograms);
          bind(builder, "createPunchProgram", loyalty::createPunchProgram);
          bind(builder, "getLoyaltyProgram", loyalty::program);
          bind(builder, "putLoyaltyProgram", loyalty::putProgram);
          bind(builder, "getLoyaltyLiability", loyalty::liability);
          EarningRuleHandlers rules = new EarningRuleHandlers(vertx);
          bind(builder, "listEarningRules", rules::list);
          bind(builder, "createEarningRule", rules::create);
          bind(builder, "replaceEarningRule", rules::replace);
          bind(builder, "deleteEarningRule", rules::delete);
          bind(builder, "previewPoints", rules::preview);
          CreditHandlers credit = new CreditHandlers(vertx);
          bind(builder, "getCredit", credit::summary);
          bind(builder, "createCreditLine", credit::createLine);
          bind(builder, "changeCreditLine", credit::changeLine);
          bind(builder, "transitionCreditLine", credit::transition);
          bind(builder, "useCredit", credit::use);
          bind(builder, "releaseCredit", credit::release);
          bind(builder, "recordCreditPayment", credit::payment);
          bind(builder, "getCreditStatement", credit::statement);
          bind(builder, "getCustomerCreditAging", credit::customerAging);
          bind(builder, "getCreditAging", credit::organizationAging);
          bind(builder, "getCreditPolicy", credit::policy);
          bind(builder, "putCreditPolicy", credit::putPolicy);
          SegmentHandlers segments = new SegmentHandlers(vertx);
          bind(builder, "getPurchaseHistory", segments::history);
          bind(builder, "recordPurchase", segments::recordPurchase);
          bind(builder, "getCustomerStats", segments::stats);
          bind(builder, "getSegments", segments::segments);
          bind(builder, "getSegmentCustomers", segments::segmentCustomers);
          bind(builder, "recalculateSegments", segments::recalculate);
          bind(builder, "getKpis", segments::kpis);
          bind(builder, "getCustomerFavourites", segments::favourites);
          bind(builder, "getRouteCustomers", new RouteHandlers(vertx, customers)::routeCustomers);
          PrivacyHandlers privacy = new PrivacyHandlers(vertx, new CustomerAudit(customers));
          bind(builder, "getCustomerAudit", privacy::audit);
          bind(builder, "getConsentHistory", privacy::consentHistory);
          bind(builder, "exportCustomer", privacy::export);
          ExportHandlers exports = new ExportHandlers(exportsDb);
          bind(builder, "exportCustomers", exports::customers);
          bind(builder, "exportPointsBalances", exports::pointsBalances);
          bind(builder, "exportLoyaltyLedger", exports::loyaltyLedger);
          bind(builder, "getPreferences", details::getPreferences);
          ImportHandlers imports = new ImportHandlers(new CustomerImports(vertx, db, config.imports()));
          bindStreaming(builder, "createImport", imports::create);
          bind(builder, "getImport", imports::get);
          bind(builder, "getImportRejected", imports::rejected);
          bind(builder, "replacePreferences", details::replacePreferences);
          WebhookHandlers hooks = new WebhookHandlers(new Webhooks(db, config.webhooks()));
          bind(builder, "createWebhook", hooks::create);
          bind(builder, "listWebhooks", hooks::list);
          bind(builder, "getWebhook", hooks::get);
          bind(builder, "updateWebhook", hooks::update);
          bind(builder, "deleteWebhook", hooks::delete);
          bind(builder, "listWebhookDeliveries", hooks::deliveries);
          bind(builder, "redeliverWebhookDelivery", hooks::redeliver);
          bind(builder, "discardWebhookDelivery", hooks::discard);
          Router router = builder.createRouter();
          nameRoutesByTemplate(router);
          new OpsRoutes(vertx, db, cache, auth, config.ops()).mount(router);
          router.route().failureHandler(HttpErrors::handle);
          for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500, 503}) {
            router.errorHandler(status, HttpErrors::handle);
          }
          server = vertx.createHttpServer(new HttpServerOptions()
              .setPort(config.httpPort())
              .setHost("0.0.0.0")
              // No h2c upgrade on the REST port (gRPC has its own): a client asking for it (Java's
              // HttpClient does by default) got large /metrics answers as garbled HTTP/2 frames.
              .setHttp2ClearTextEnabled(false)
              .setCompressionSupported(true)
              .setMaxHeaderSize(16 * 1024).setIdleTimeout(config.ops().idleTimeoutSeconds()));
          return server.requestHandler(router).invalidRequestHandler(HttpErrors::invalidRequest).listen();
        });
  }

  /** Stops accepting, lets in-flight requests finish within the grace period, then closes the pool. */
  @Override
  public Future<?> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownGraceSeconds(), TimeUnit.SECONDS);
    return closing
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> writeLimits == null ? Future.succeededFuture() : writeLimits.close())
        .eventually(() -> exportsDb == null ? Future.succeededFuture() : exportsDb.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** The router's own validation is off: ContractValidator validates (see there why), then the handler runs. */
  private void bind(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
    var route = builder.getRoute(operationId).setDoValidation(false)
        .addHandler(validator.handler(operationId));
    // After authentication and validation (an input-trust handler, which must come first), before any effect.
    if (writeLimits.applies(route.getOperation().getHttpMethod())) {
      route.addHandler(writeLimits.handler());
    }
    route.addHandler(handler);
  }

  /** What Vert.x OpenAPI 5.0 can route; it refuses a whole contract naming any other media type. */
  private static final java.util.Set<String> ROUTABLE_MEDIA_TYPES = java.util.Set.of("application/json",
      "application/json; charset=utf-8", "multipart/form-data", "application/hal+json", "application/octet-stream", "text/plain",
      "text/plain; charset=utf-8");

  /**
   * The router's copy of the contract without the media types Vert.x OpenAPI 5.0 cannot route
   * (text/csv, application/x-ndjson: the import's upload and its report). Their handlers read and
   * write those bodies themselves, and the router validates no body of theirs. The published
   * /openapi.yaml keeps them.
   */
  static io.vertx.core.json.JsonObject withRoutableMediaTypes(io.vertx.core.json.JsonObject contract) {
    io.vertx.core.json.JsonObject paths = contract.getJsonObject("paths", new io.vertx.core.json.JsonObject());
    for (String path : paths.fieldNames()) {
      io.vertx.core.json.JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof io.vertx.core.json.JsonObject op)) {
          continue;
        }
        if (op.getValue("requestBody") instanceof io.vertx.core.json.JsonObject body && onlyRoutable(body)) {
          op.remove("requestBody");
        }
        if (op.getValue("responses") instanceof io.vertx.core.json.JsonObject responses) {
          for (String status : responses.fieldNames()) {
            if (responses.getValue(status) instanceof io.vertx.core.json.JsonObject response && onlyRoutable(response)) {
              response.remove("content");
            }
          }
        }
      }
    }
    return contract;
  }

  /** Drops the unroutable media types of a body or response; answers whether none is left. */
  private static boolean onlyRoutable(io.vertx.core.json.JsonObject withContent) {
    if (!(withContent.getValue("content") instanceof io.vertx.core.json.JsonObject content)) {
      return false;
    }
    content.fieldNames().removeIf(type -> !ROUTABLE_MEDIA_TYPES.contains(type));
    return content.isEmpty();
  }

  /**
   * An operation whose body the handler streams itself (an import upload): no contract validation
   * of the body (the handler checks type and size), the same authentication and write limits.
   */
  private void bindStreaming(RouterBuilder builder, String operationId, Handler<RoutingContext> handler) {
    var route = builder.getRoute(operationId).setDoValidation(false);
    // The authentication handler resumes the request it paused; hold the body again until the handler reads it.
    // Refused before it was read (415, 429, ...), the body is drained and dropped once the answer
    // is sent, so the connection can serve its next request.
    route.addHandler(ctx -> {
      ctx.request().pause();
      ctx.addEndHandler(v -> ctx.request().resume());
      ctx.next();
    });
    route.addHandler(writeLimits.handler());
    route.addHandler(handler);
  }

  /**
   * The route label of /metrics (vertx_http_server_*{route}) is the route's name: the contract's
   * path template (/api/v1/customers/{id}), one series per operation, never the raw path.
   */
  private static void nameRoutesByTemplate(Router router) {
    for (io.vertx.ext.web.Route route : router.getRoutes()) {
      io.vertx.openapi.contract.Operation operation = route.getMetadata(RouterBuilder.KEY_META_DATA_OPERATION);
      if (operation != null) {
        route.setName(operation.getOpenAPIPath());
      }
    }
  }

  /** Every request gets a correlation id: the caller's X-Correlation-Id or X-Request-Id, else a new one. */
  private void correlate(RoutingContext ctx) {
    String id = ctx.request().getHeader("X-Correlation-Id");
    if (id == null || id.isBlank() || id.length() > 100) {
      id = ctx.request().getHeader("X-Request-Id");
    }
    if (id == null || id.isBlank() || id.length() > 100) {
      id = Ids.newId().toString();
    }
    ctx.put(Requests.CORRELATION_ID, id);
    Correlation.set(id);
    ctx.response().putHeader("X-Correlation-Id", id);
    if (LOG.isDebugEnabled()) {
      long started = System.nanoTime();
      ctx.addEndHandler(v -> LOG.debug("{} {} -> {} in {} ms", ctx.request().method(), ctx.request().path(), ctx.response().getStatusCode(),
          (System.nanoTime() - started) / 1_000_000));
    }
    ctx.next();
  }
}
