package com.zenlogic.customerservice.webhooks;

import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import com.zenlogic.customerservice.platform.metrics.Breakers;
import com.zenlogic.customerservice.platform.metrics.WebhookMetrics;
import com.zenlogic.customerservice.platform.outbox.OutboxSignal;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhook deliveries the outbox trigger recorded. One node of the cluster dispatches at a
 * time (JobLease "webhooks.dispatch"); it wakes when a transaction of its process that recorded
 * events commits (OutboxSignal; at most every WAKE_SPACING_MS, so a stream of writes costs a few
 * claims a second, not one per commit) and polls every WEBHOOKS_POLL_MS for the other nodes' events.
 *
 * <p>Order: each (subscription, customer) is a FIFO by outbox sequence. Only its head is ever sent,
 * and the head stays the head until it is delivered (or, dead-lettered, discarded by an admin), so a customer's later events never overtake a
 * failing or dead-lettered one; other customers and other subscriptions flow meanwhile.
 *
 * <p>A failure (non-2xx, timeout, refused connection, a target that resolved to an internal
 * address) is retried after an exponential backoff with jitter; after WEBHOOKS_MAX_ATTEMPTS the
 * delivery is dead-lettered and waits for a redelivery (REST). Each endpoint has its own circuit
 * breaker: while it is open nothing is sent there and no attempt is counted (the deliveries just
 * wait), then one probe decides. At-least-once: a node that dies between the receiver's answer and
 * the update sends that delivery again; receivers deduplicate on X-Zenlogic-Event-Id.
 */
public final class WebhookDispatcherVerticle extends VerticleBase {
  public static final String LEASE = "webhooks.dispatch";
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcherVerticle.class);
  private static final int CLAIM_ROWS = 500;
  private static final long WAKE_SPACING_MS = 50;
  private static final int ERROR_SNIPPET = 200;

  // Heads of their FIFO, due, of enabled subscriptions, not in flight here, of endpoints that may take one more
  // ($3 lists the others, so a dead endpoint's backlog never fills the claim and starves the rest).
  private static final String CLAIM = """
      SELECT d.organization_id, d.id, d.subscription_id, d.event_id, d.event_type, d.payload, d.attempts, s.url, s.secret
      FROM webhook_deliveries d
      JOIN webhook_subscriptions s ON s.organization_id = d.organization_id AND s.id = d.subscription_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.enabled AND NOT (d.id = ANY ($2))
        AND NOT (d.subscription_id = ANY ($3))
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries b WHERE b.organization_id = d.organization_id
          AND b.subscription_id = d.subscription_id AND b.ordering_key = d.ordering_key AND b.status IN ('pending', 'dead')
          AND b.outbox_id < d.outbox_id)
      ORDER BY d.outbox_id LIMIT $1""";
  private static final String DELIVERED = """
      UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), delivered_at = now(),
        response_code = $3, last_error = NULL
      WHERE organization_id = $1 AND id = $2 AND status = 'pending'""";
  private static final String FAILED = """
      UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_error = left($3, 500), response_code = $4,
        status = CASE WHEN attempts + 1 >= $5 THEN 'dead' ELSE 'pending' END,
        dead_at = CASE WHEN attempts + 1 >= $5 THEN now() END,
        next_attempt_at = now() + $6::bigint * interval '1 millisecond'
      WHERE organization_id = $1 AND id = $2 AND status = 'pending'
      RETURNING status""";
  private static final String CIRCUIT = """
      UPDATE webhook_subscriptions SET circuit_opened_at = CASE WHEN $2 THEN now() END WHERE id = $1""";
  private static final String PRUNE = """
      DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'discarded')
        AND coalesce(delivered_at, discarded_at) < now() - $1::bigint * interval '1 day'""";
  private static final String BACKLOG = """
      SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'dead') AS dead
      FROM webhook_deliveries WHERE status IN ('pending', 'dead')""";

  private record Claimed(UUID organizationId, long id, UUID subscriptionId, UUID eventId, String eventType, JsonObject payload,
                         int attempts, String url, String secret) {}

  /** A receiver's answer other than 2xx, or why there was none. */
  private static final class DeliveryFailure extends RuntimeException {
    final Integer status;

    DeliveryFailure(Integer status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final DbUrl runtimeDb;
  private final WebhooksConfig config;
  private final WebhookTargets targets;
  private final Map<UUID, CircuitBreaker> breakers = new HashMap<>();
  private final Map<UUID, Integer> perEndpoint = new HashMap<>();
  private final Set<Long> inFlight = new HashSet<>();
  private Pool pool;
  private Runnable unlisten;
  private HttpClient client;
  private JobLease lease;
  private boolean claiming;
  private boolean again;
  private boolean stopped;
  private long lastWarning;

  public WebhookDispatcherVerticle(DbUrl runtimeDb, WebhooksConfig config) {
    this.runtimeDb = runtimeDb;
    this.config = config;
    this.targets = new WebhookTargets(config.allowedHosts());
  }

  @Override
  public Future<?> start() {
    PgConnectOptions connect = new PgConnectOptions().setHost(runtimeDb.host()).setPort(runtimeDb.port())
        .setDatabase(runtimeDb.database()).setUser(runtimeDb.user()).setPassword(runtimeDb.password())
        .setCachePreparedStatements(true);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4).setName("webhooks")).connectingTo(connect).using(vertx).build();
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(config.timeoutMillis()).setKeepAlive(true)
            .setIdleTimeout(60).setMaxRedirects(0).setVerifyHost(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.endpointInFlight()));
    lease = JobLease.of(vertx, pool, LEASE).start();
    unlisten = OutboxSignal.listen(vertx, WAKE_SPACING_MS, this::dispatch);
    vertx.setPeriodic(config.pollMillis(), id -> dispatch());
    vertx.setPeriodic(15_000, id -> refreshGauges());
    vertx.setPeriodic(3_600_000, id -> prune());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return idle(System.currentTimeMillis() + 2L * config.timeoutMillis())
        .eventually(() -> lease == null ? Future.succeededFuture() : lease.stop())
        .eventually(() -> {
          unlisten.run();
          return client.close();
        })
        .eventually(() -> {
          breakers.values().forEach(b -> {
            Breakers.unregister(WebhookMetrics.BREAKER, b);
            b.close();
          });
          return pool.close();
        });
  }

  private Future<Void> idle(long deadline) {
    if (inFlight.isEmpty() || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(50, t -> idle(deadline).onComplete(later));
    return later.future();
  }

  /** Claims due heads up to the free slots and sends them; one claim at a time, a wake-up meanwhile runs one more. */
  private void dispatch() {
    if (stopped || !lease.held()) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    int free = config.maxInFlight() - inFlight.size();
    if (free <= 0) {
      return;
    }
    claiming = true;
    again = false;
    List<UUID> full = new ArrayList<>();
    breakers.keySet().forEach(s -> {
      if (!mayStart(s)) {
        full.add(s);
      }
    });
    asDispatcher(conn -> conn.preparedQuery(CLAIM).execute(Tuple.of(Math.min(CLAIM_ROWS, free * 4), inFlight.toArray(Long[]::new),
            full.toArray(UUID[]::new))))
        .onComplete(ar -> {
          claiming = false;
          if (ar.failed()) {
            warn("Webhook dispatch paused: " + ar.cause());
            return;
          }
          int started = 0;
          for (Row row : ar.result()) {
            if (inFlight.size() >= config.maxInFlight()) {
              break;
            }
            Claimed c = claimed(row);
            if (!inFlight.contains(c.id()) && mayStart(c.subscriptionId())) {
              start(c);
              started++;
            }
          }
          if (again || started > 0 && ar.result().size() >= Math.min(CLAIM_ROWS, free * 4)) {
            vertx.runOnContext(v -> dispatch());
          }
        });
  }

  /** An open circuit sends nothing; a half-open one exactly one probe; a closed one up to the endpoint's share. */
  private boolean mayStart(UUID subscription) {
    int busy = perEndpoint.getOrDefault(subscription, 0);
    CircuitBreakerState state = breaker(subscription).state();
    return switch (state) {
      case OPEN -> false;
      case HALF_OPEN -> busy == 0;
      case CLOSED -> busy < config.endpointInFlight();
    };
  }

  private void start(Claimed c) {
    inFlight.add(c.id());
    perEndpoint.merge(c.subscriptionId(), 1, Integer::sum);
    breaker(c.subscriptionId()).<Integer>execute(() -> send(c))
        .compose(status -> record(c, status, null), failure -> failure instanceof OpenCircuitException
            ? Future.<Void>succeededFuture()
            : record(c, failure instanceof DeliveryFailure f ? f.status : null, failure))
        .onComplete(ar -> {
          inFlight.remove(c.id());
          perEndpoint.merge(c.subscriptionId(), -1, (a, b) -> a + b <= 0 ? null : a + b);
          if (ar.failed()) {
            warn("Webhook delivery " + c.id() + " outcome not recorded (it will be sent again): " + ar.cause());
          }
          // The next event of this customer may now be the head of its FIFO.
          dispatch();
        });
  }

  /** One POST of the envelope, signed; answers the 2xx status or fails with a DeliveryFailure. */
  private Future<Integer> send(Claimed c) {
    byte[] body = c.payload().encode().getBytes(StandardCharsets.UTF_8);
    long now = System.currentTimeMillis() / 1000;
    URI uri = URI.create(c.url());
    String host = uri.getHost();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(c.url())
        .setConnectTimeout(config.timeoutMillis()).setIdleTimeout(config.timeoutMillis()).setFollowRedirects(false)
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "zenlogic-customer-service-webhooks/1")
        .putHeader(Signatures.EVENT_ID_HEADER, c.eventId().toString())
        .putHeader(Signatures.EVENT_TYPE_HEADER, c.eventType())
        .putHeader(Signatures.DELIVERY_HEADER, Long.toString(c.id()))
        .putHeader(Signatures.ATTEMPT_HEADER, Integer.toString(c.attempts() + 1))
        .putHeader(Signatures.HEADER, Signatures.header(c.secret(), now, body));
    Promise<Integer> done = Promise.promise();
    // The whole exchange has a deadline too: idle timeouts alone let a receiver trickle its answer forever.
    long[] timer = {-1};
    client.request(options).compose(req -> {
          String refusal = refusal(host, req);
          if (refusal != null) {
            req.reset();
            return Future.failedFuture(new DeliveryFailure(null, refusal));
          }
          timer[0] = vertx.setTimer(2L * config.timeoutMillis(), t -> req.reset(0, new DeliveryFailure(null, "no complete answer in time")));
          return req.send(Buffer.buffer(body)).compose(this::answer);
        })
        .onComplete(ar -> {
          if (timer[0] != -1) {
            vertx.cancelTimer(timer[0]);
          }
          if (ar.succeeded()) {
            done.complete(ar.result());
          } else {
            Throwable e = ar.cause();
            done.fail(e instanceof DeliveryFailure ? e : new DeliveryFailure(null, e.getClass().getSimpleName() + ": " + e.getMessage()));
          }
        });
    return done.future();
  }

  /** Why this connection must not carry the delivery (it reached an internal address), or null. */
  private String refusal(String host, HttpClientRequest req) {
    SocketAddress remote = req.connection().remoteAddress();
    String ip = remote == null ? null : remote.hostAddress();
    if (ip == null) {
      return "the connection's address is unknown";
    }
    try {
      // A literal: no lookup.
      return targets.mayConnect(host, InetAddress.getByName(ip)) ? null : "refused: the host resolved to an internal address";
    } catch (UnknownHostException e) {
      return "the connection's address is unknown";
    }
  }

  /** Reads at most a short snippet of the answer (for last_error) and discards the rest. */
  private Future<Integer> answer(HttpClientResponse resp) {
    Promise<Integer> read = Promise.promise();
    Buffer snippet = Buffer.buffer();
    resp.handler(chunk -> {
      if (snippet.length() < ERROR_SNIPPET) {
        snippet.appendBuffer(chunk.length() > ERROR_SNIPPET ? chunk.slice(0, ERROR_SNIPPET) : chunk);
      }
    });
    resp.exceptionHandler(read::tryFail);
    resp.endHandler(v -> {
      int status = resp.statusCode();
      if (status / 100 == 2) {
        read.tryComplete(status);
      } else {
        String text = snippet.toString(StandardCharsets.UTF_8);
        text = text.length() > ERROR_SNIPPET ? text.substring(0, ERROR_SNIPPET) : text;
        read.tryFail(new DeliveryFailure(status, "HTTP " + status + (text.isBlank() ? "" : ": " + text.replace('\u0000', ' ').strip())));
      }
    });
    return read.future();
  }

  private Future<Void> record(Claimed c, Integer status, Throwable failure) {
    if (failure == null) {
      WebhookMetrics.attempted(WebhookMetrics.DELIVERED);
      return asDispatcher(conn -> conn.preparedQuery(DELIVERED).execute(Tuple.of(c.organizationId(), c.id(), status))).mapEmpty();
    }
    int failures = c.attempts() + 1;
    long wait = config.backoffMillis(failures, ThreadLocalRandom.current().nextDouble());
    String reason = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return asDispatcher(conn -> conn.preparedQuery(FAILED).execute(Tuple.from(new Object[] {
            c.organizationId(), c.id(), reason, status, config.maxAttempts(), wait})))
        .map(rows -> {
          boolean dead = rows.iterator().hasNext() && Delivery.DEAD.equals(rows.iterator().next().getString("status"));
          WebhookMetrics.attempted(dead ? WebhookMetrics.DEAD_LETTERED : WebhookMetrics.FAILED);
          if (dead) {
            LOG.error("Webhook delivery {} (event {}, {}) of subscription {} dead-lettered after {} attempts: {}; this customer's "
                + "later events for it wait until it is redelivered", c.id(), c.eventId(), c.eventType(), c.subscriptionId(), failures, reason);
          } else {
            warn("Webhook delivery " + c.id() + " of subscription " + c.subscriptionId() + " failed (attempt " + failures + "), retry in "
                + wait + " ms: " + reason);
          }
          return null;
        });
  }

  private CircuitBreaker breaker(UUID subscription) {
    CircuitBreaker existing = breakers.get(subscription);
    if (existing != null) {
      return existing;
    }
    // Our own timeouts bound each call; the long rolling window makes "consecutive failures" what opens it.
    CircuitBreaker b = Breakers.register(WebhookMetrics.BREAKER, CircuitBreaker.create("webhook-" + subscription, vertx,
            new CircuitBreakerOptions().setMaxFailures(config.breakerMaxFailures()).setTimeout(-1).setMaxRetries(0)
                .setResetTimeout(config.breakerResetSeconds() * 1000L)
                .setFailuresRollingWindow(Math.max(600_000L, config.breakerResetSeconds() * 2000L))))
        .openHandler(v -> circuit(subscription, true))
        .halfOpenHandler(v -> dispatch())
        .closeHandler(v -> circuit(subscription, false));
    breakers.put(subscription, b);
    return b;
  }

  private void circuit(UUID subscription, boolean open) {
    if (open) {
      LOG.warn("Webhook subscription {}: circuit OPEN, nothing is sent there for {} s", subscription, config.breakerResetSeconds());
    } else {
      LOG.info("Webhook subscription {}: circuit closed", subscription);
    }
    asDispatcher(conn -> conn.preparedQuery(CIRCUIT).execute(Tuple.of(subscription, open)))
        .onFailure(e -> warn("Webhook circuit state not recorded: " + e));
  }

  private void refreshGauges() {
    if (!lease.held()) {
      return;
    }
    asDispatcher(conn -> conn.query(BACKLOG).execute())
        .onSuccess(rows -> {
          Row r = rows.iterator().next();
          WebhookMetrics.backlog(r.getLong("pending"), r.getLong("dead"));
        });
  }

  private void prune() {
    lease.runIfHeld(() -> asDispatcher(conn -> conn.preparedQuery(PRUNE).execute(Tuple.of(config.retentionDays())))
            .onSuccess(r -> {
              if (r.rowCount() > 0) {
                LOG.info("Pruned {} delivered webhook deliveries older than {} days", r.rowCount(), config.retentionDays());
              }
            }))
        .onFailure(e -> warn("Webhook log prune failed: " + e.getMessage()));
  }

  /** The dispatcher reads and writes every organization's deliveries (policy webhook_dispatch, V18). */
  private <T> Future<T> asDispatcher(Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(conn -> conn.query("SELECT set_config('app.webhook_dispatch', 'on', true)").execute()
        .compose(v -> work.apply(conn)));
  }

  private static Claimed claimed(Row r) {
    return new Claimed(r.getUUID("organization_id"), r.getLong("id"), r.getUUID("subscription_id"), r.getUUID("event_id"),
        r.getString("event_type"), r.getJsonObject("payload"), r.getInteger("attempts"), r.getString("url"), r.getString("secret"));
  }

  /** At most one warning every 10 s: an outage must be visible, not flood the log. */
  private void warn(String message) {
    long now = System.currentTimeMillis();
    if (now - lastWarning > 10_000) {
      lastWarning = now;
      LOG.warn(message);
    }
  }
}
