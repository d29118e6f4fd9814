package com.zenlogic.customerservice.events;

import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.infra.DbUrl;
import com.zenlogic.customerservice.infra.Rabbit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox to the customer_events exchange. A row is marked published only after the
 * broker confirmed it; until then it stays and is sent again (same message_id, so consumers can
 * deduplicate). Wakes on NOTIFY from committed writes and polls every second as well.
 *
 * <p>Several relays may run (one per process): a transaction-scoped advisory lock lets one drain at a
 * time, which keeps each customer's events in commit order, and FOR UPDATE SKIP LOCKED keeps any two
 * from taking the same rows.
 */
public final class OutboxRelayVerticle extends VerticleBase {
  public static final String EXCHANGE = "customer_events";
  public static final String UNROUTED_EXCHANGE = "customer_events.unrouted";
  public static final String UNROUTED_QUEUE = "customer_events_unrouted";

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayVerticle.class);
  private static final long RELAY_LOCK = 0x0c057_0b0c5L;
  private static final int BATCH = 200;
  private static final Duration RETENTION = Duration.ofDays(7);

  private static final String CLAIM = """
      SELECT id, event_id, event_type, organization_id, correlation_id, payload, occurred_at FROM outbox
      WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""";
  private static final String MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1)";
  private static final String PRUNE = "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)";

  private final DbUrl runtimeDb;
  private final String amqpUrl;
  private Pool pool;
  private PgSubscriber subscriber;
  private RabbitMQClient rabbit;
  private boolean draining;
  private boolean again;
  private long lastWarning;

  public OutboxRelayVerticle(DbUrl runtimeDb, String amqpUrl) {
    this.runtimeDb = runtimeDb;
    this.amqpUrl = amqpUrl;
  }

  @Override
  public Future<?> start() {
    PgConnectOptions connect = new PgConnectOptions().setHost(runtimeDb.host()).setPort(runtimeDb.port())
        .setDatabase(runtimeDb.database()).setUser(runtimeDb.user()).setPassword(runtimeDb.password());
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setName("outbox-relay")).connectingTo(connect).using(vertx).build();
    rabbit = Rabbit.client(vertx, amqpUrl, "outbox-relay");
    // On every (re)connection: the topology, and confirm mode on the new channel.
    rabbit.addConnectionEstablishedCallback(promise -> prepareChannel().onComplete(promise));
    subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(retries -> 1000L);
    subscriber.channel("customer_outbox").handler(payload -> drain());
    vertx.setPeriodic(1000, id -> drain());
    vertx.setPeriodic(3_600_000, id -> prune());
    vertx.setPeriodic(30_000, id -> reportBacklog());
    // The broker may be down at start: the relay keeps trying, and writes go on meanwhile.
    rabbit.start().compose(v -> prepareChannel())
        .onFailure(e -> warn("RabbitMQ not reachable at start; events wait in the outbox: " + e.getMessage()));
    subscriber.connect().onFailure(e -> warn("LISTEN unavailable, polling only: " + e.getMessage()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return subscriber.close().eventually(() -> rabbit.stop()).eventually(() -> pool.close());
  }

  private Future<Void> prepareChannel() {
    return rabbit.exchangeDeclare(UNROUTED_EXCHANGE, "fanout", true, false)
        .compose(v -> rabbit.queueDeclare(UNROUTED_QUEUE, true, false, false))
        .compose(v -> rabbit.queueBind(UNROUTED_QUEUE, UNROUTED_EXCHANGE, ""))
        // Events nobody is bound for are kept, not silently dropped (a confirm alone does not mean routed).
        .compose(v -> rabbit.exchangeDeclare(EXCHANGE, "topic", true, false,
            new JsonObject().put("alternate-exchange", UNROUTED_EXCHANGE)))
        .compose(v -> rabbit.confirmSelect());
  }

  /** Publishes batches until the outbox is empty; a wake-up during a drain schedules one more pass. */
  private void drain() {
    if (draining) {
      again = true;
      return;
    }
    if (!rabbit.isConnected()) {
      return;
    }
    draining = true;
    again = false;
    relayBatch().onComplete(ar -> {
      draining = false;
      if (ar.failed()) {
        warn("Outbox relay paused: " + ar.cause().getMessage());
      } else if (ar.result() == BATCH || again) {
        vertx.runOnContext(v -> drain());
      }
    });
  }

  private Future<Integer> relayBatch() {
    return pool.withTransaction(conn -> conn.query("SELECT set_config('app.outbox_relay', 'on', true)").execute()
        .compose(v -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)").execute(Tuple.of(RELAY_LOCK)))
        .compose(lock -> !lock.iterator().next().getBoolean(0) ? Future.succeededFuture(0) : claimAndPublish(conn)));
  }

  private Future<Integer> claimAndPublish(SqlConnection conn) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(BATCH)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      List<Long> ids = new ArrayList<>();
      Future<Void> published = Future.succeededFuture();
      for (Row row : rows) {
        ids.add(row.getLong("id"));
        published = published.compose(v -> publish(row));
      }
      return published
          .compose(v -> rabbit.waitForConfirms(5000))
          .compose(v -> conn.preparedQuery(MARK).execute(Tuple.of(ids.toArray(Long[]::new))))
          .map(rows.size());
    });
  }

  private Future<Void> publish(Row row) {
    JsonObject envelope = (JsonObject) row.getValue("payload");
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .messageId(row.getUUID("event_id").toString())
        .type(row.getString("event_type"))
        .correlationId(row.getString("correlation_id"))
        .deliveryMode(2)
        .timestamp(Date.from(row.getOffsetDateTime("occurred_at").toInstant()))
        .headers(Map.of("organization_id", row.getUUID("organization_id").toString(),
            "schema_version", envelope.getInteger("schema_version", 1)))
        .build();
    return rabbit.basicPublish(EXCHANGE, row.getString("event_type"), props, Buffer.buffer(envelope.encode()));
  }

  /** While the broker is away, say every 30 s how many events wait and for how long. */
  private void reportBacklog() {
    if (rabbit.isConnected()) {
      return;
    }
    Outbox.stats(pool).onSuccess(stats -> {
      if (stats.getLong("depth") > 0) {
        LOG.warn("RabbitMQ unreachable: {} events waiting in the outbox, oldest {} s", stats.getLong("depth"),
            stats.getLong("oldest_age_seconds"));
      }
    });
  }

  private void prune() {
    pool.withTransaction(conn -> conn.query("SELECT set_config('app.outbox_relay', 'on', true)").execute()
            .compose(v -> conn.preparedQuery(PRUNE).execute(Tuple.of((double) RETENTION.toSeconds()))))
        .onSuccess(r -> {
          if (r.rowCount() > 0) {
            LOG.info("Pruned {} published outbox rows older than {}", r.rowCount(), RETENTION);
          }
        })
        .onFailure(e -> warn("Outbox prune failed: " + e.getMessage()));
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
