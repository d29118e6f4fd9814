package com.zenlogic.customerservice.platform.outbox;

import com.zenlogic.customerservice.platform.jobs.JobLease;
import com.zenlogic.customerservice.platform.metrics.JobMetrics;
import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.platform.db.DbUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import com.zenlogic.customerservice.platform.tracing.Correlation;
import com.zenlogic.customerservice.platform.tracing.Tracing;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox to the customer_events exchange. A row is marked published only after the
 * broker confirmed it; until then it stays and is sent again with the event id it was recorded
 * with (message_id), so consumers can deduplicate. Wakes when a transaction of this process that
 * recorded events commits ({@link OutboxSignal}) and polls every second for the others' rows.
 *
 * <p>One message the broker refuses never holds up the others: each row has its own outcome. A
 * refused (or channel-killing) row is retried with a growing delay and, after maxAttempts, parked
 * with its reason (visible in /health/ready and the customer_outbox_parked gauge; see
 * docs/hardening-events.md for how to retry parked rows). A customer's later events wait behind
 * its failing or parked row, so each customer's events stay in order; other customers' flow.
 * Rows are published in waves: the first pending event of every customer, confirmed, then the
 * second, ..., so a failure can never let a customer's later event overtake it.
 *
 * <p>Published with the mandatory flag: a message no queue is bound for comes back (basic.return),
 * is counted (customer_outbox_unroutable_total) and logged, and its row is marked published with
 * returned_at set: kept until pruned and republishable, but not blocking the customer's later
 * events (nobody was listening for it).
 *
 * <p>Several relays may run (one per process): a transaction-scoped advisory lock lets one drain at a
 * time, and FOR UPDATE SKIP LOCKED keeps any two from taking the same rows.
 */
public final class OutboxRelayVerticle extends VerticleBase {
  public static final String EXCHANGE = "customer_events";
  public static final String UNROUTED_EXCHANGE = "customer_events.unrouted";
  public static final String UNROUTED_QUEUE = "customer_events_unrouted";

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayVerticle.class);
  private static final long RELAY_LOCK = 0x0c057_0b0c5L;
  private static final int BATCH = 200;
  private static final int LOCK_BUSY = -1;
  // Woken at most this often by commits: under a stream of writes each pass takes a batch, not one
  // event (a pass is a transaction: claim, publish, mark), for at most this much added latency.
  private static final long WAKE_SPACING_MS = 20;
  private static final long CONFIRM_TIMEOUT_MILLIS = 5000;
  private static final Duration RETENTION = Duration.ofDays(7);

  // A row is skipped while an earlier row of the same customer waits for its retry or is parked.
  private static final String CLAIM = """
      SELECT o.id, o.event_id, o.event_type, o.organization_id, o.aggregate_id, o.correlation_id, o.payload, o.occurred_at,
        o.traceparent
      FROM outbox o
      WHERE o.published_at IS NULL AND o.parked_at IS NULL AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now())
        AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.published_at IS NULL AND b.organization_id = o.organization_id
          AND b.aggregate_id = o.aggregate_id AND b.id < o.id AND (b.parked_at IS NOT NULL OR b.next_attempt_at > now()))
      ORDER BY o.id LIMIT $1 FOR UPDATE OF o SKIP LOCKED""";
  private static final String MARK = """
      UPDATE outbox SET published_at = now(), returned_at = CASE WHEN id = ANY($2) THEN now() END,
        next_attempt_at = NULL WHERE id = ANY($1)""";
  // Backoff 0.5 s, 1 s, 2 s, ... up to a minute; parked at the limit.
  private static final String FAILED = """
      UPDATE outbox SET attempts = attempts + 1, last_error = left($2, 500),
        next_attempt_at = now() + make_interval(secs => least(60, 0.5 * power(2, least(attempts, 10)))),
        parked_at = CASE WHEN attempts + 1 >= $3 THEN now() END
      WHERE id = $1 RETURNING parked_at IS NOT NULL AS parked""";
  private static final String PRUNE = "DELETE FROM outbox WHERE published_at < now() - $1::bigint * interval '1 second'";

  private final DbUrl runtimeDb;
  private final String amqpUrl;
  private final int maxAttempts;
  private Pool pool;
  private Runnable unlisten;
  private ConfirmedPublisher publisher;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  private JobLease pruneLease;
  private boolean connected;
  // After a channel died under several messages, the next pass publishes one at a time to find the culprit.
  private boolean oneByOne;
  private long lastWarning;

  public OutboxRelayVerticle(DbUrl runtimeDb, String amqpUrl, int maxAttempts) {
    this.runtimeDb = runtimeDb;
    this.amqpUrl = amqpUrl;
    this.maxAttempts = maxAttempts;
  }

  @Override
  public Future<?> start() throws Exception {
    PgConnectOptions connect = new PgConnectOptions().setHost(runtimeDb.host()).setPort(runtimeDb.port())
        .setDatabase(runtimeDb.database()).setUser(runtimeDb.user()).setPassword(runtimeDb.password())
        .setCachePreparedStatements(true);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setName("outbox-relay")).connectingTo(connect).using(vertx).build();
    publisher = new ConfirmedPublisher(amqpUrl, EXCHANGE, UNROUTED_EXCHANGE, UNROUTED_QUEUE);
    unlisten = OutboxSignal.listen(vertx, WAKE_SPACING_MS, this::drain);
    vertx.setPeriodic(1000, id -> drain());
    pruneLease = JobLease.of(vertx, pool, "outbox.prune").start();
    vertx.setPeriodic(3_600_000, id -> {
      if (pruneLease.held()) {
        prune();
      }
    });
    vertx.setPeriodic(5_000, id -> refreshGauges());
    // The broker may be down at start: the relay keeps trying, and writes go on meanwhile.
    drain();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return idle(System.currentTimeMillis() + CONFIRM_TIMEOUT_MILLIS + 1000)
        .eventually(() -> pruneLease == null ? Future.succeededFuture() : pruneLease.stop())
        .eventually(() -> {
          unlisten.run();
          return Future.succeededFuture();
        })
        .eventually(() -> vertx.executeBlocking(() -> {
          publisher.close();
          return null;
        }))
        .eventually(() -> pool.close());
  }

  private Future<Void> idle(long deadline) {
    if (!draining || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(50, t -> idle(deadline).onComplete(later));
    return later.future();
  }

  /** Publishes batches until the outbox is empty; a wake-up during a drain schedules one more pass. */
  private void drain() {
    if (stopped) {
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    vertx.executeBlocking(() -> {
          publisher.open();
          return null;
        })
        .onSuccess(v -> {
          if (!connected) {
            connected = true;
            LOG.info("Outbox relay connected to RabbitMQ");
          }
        })
        .onFailure(e -> {
          connected = false;
          warn("RabbitMQ not reachable; events wait in the outbox: " + e);
        })
        .compose(v -> relayBatch())
        .onComplete(ar -> {
          draining = false;
          if (ar.failed()) {
            if (connected) {
              warn("Outbox relay paused: " + ar.cause());
            }
          } else if (ar.result() == BATCH || again) {
            vertx.runOnContext(v -> drain());
          } else if (ar.result() == LOCK_BUSY) {
            // Another process's relay is draining and may have claimed before our rows committed: look again shortly.
            vertx.setTimer(50, t -> drain());
          }
        });
  }

  private Future<Integer> relayBatch() {
    return pool.withTransaction(conn -> conn.query("SELECT set_config('app.outbox_relay', 'on', true)").execute()
        .compose(v -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1)").execute(Tuple.of(RELAY_LOCK)))
        .compose(lock -> !lock.iterator().next().getBoolean(0) ? Future.succeededFuture(LOCK_BUSY) : claimAndPublish(conn)));
  }

  private record Pending(long id, UUID customer, ConfirmedPublisher.Message message, Tracing.MessageSpan span) {}

  private Future<Integer> claimAndPublish(SqlConnection conn) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(BATCH)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      // Waves: the k-th pending event of each customer goes out in wave k, after wave k-1 was confirmed.
      Map<Object, List<Pending>> byCustomer = new LinkedHashMap<>();
      for (Row row : rows) {
        Pending p = pending(vertx, row);
        Object key = p.customer() == null ? (Object) p.id() : row.getUUID("organization_id") + "/" + p.customer();
        byCustomer.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
      }
      boolean single = oneByOne;
      oneByOne = false;
      return wave(conn, new ArrayList<>(byCustomer.values()), 0, single).map(rows.size());
    });
  }

  private Future<Void> wave(SqlConnection conn, List<List<Pending>> queues, int k, boolean single) {
    List<Pending> wave = new ArrayList<>();
    for (List<Pending> q : queues) {
      if (k < q.size()) {
        wave.add(q.get(k));
      }
    }
    if (wave.isEmpty() || stopped) {
      return Future.succeededFuture();
    }
    Future<Set<Object>> sent = single ? oneAtATime(conn, wave, 0, new HashSet<>()) : send(conn, wave);
    return sent.compose(failedCustomers -> {
      if (!failedCustomers.isEmpty()) {
        // A customer whose event failed sends nothing more in this pass: its later events wait behind it.
        List<List<Pending>> rest = new ArrayList<>();
        for (List<Pending> q : queues) {
          if (k < q.size() && !failedCustomers.contains(keyOf(q.get(k)))) {
            rest.add(q);
          }
        }
        return wave(conn, rest, k + 1, single);
      }
      return wave(conn, queues, k + 1, single);
    });
  }

  private Future<Set<Object>> oneAtATime(SqlConnection conn, List<Pending> wave, int i, Set<Object> failed) {
    if (i >= wave.size()) {
      return Future.succeededFuture(failed);
    }
    return send(conn, List.of(wave.get(i))).compose(f -> {
      failed.addAll(f);
      return oneAtATime(conn, wave, i + 1, failed);
    });
  }

  /** Publishes one wave and records each row's outcome; answers the customers whose event did not go out. */
  private Future<Set<Object>> send(SqlConnection conn, List<Pending> wave) {
    List<ConfirmedPublisher.Message> messages = wave.stream().map(Pending::message).toList();
    return vertx.executeBlocking(() -> publisher.publish(messages, CONFIRM_TIMEOUT_MILLIS))
        .onFailure(e -> wave.forEach(p -> p.span().end(e)))
        .compose(results -> {
      List<Long> done = new ArrayList<>();
      List<Long> returned = new ArrayList<>();
      Set<Object> failed = new HashSet<>();
      List<Future<?>> updates = new ArrayList<>();
      long lost = results.stream().filter(r -> r.outcome() == ConfirmedPublisher.Outcome.LOST).count();
      for (int i = 0; i < wave.size(); i++) {
        Pending p = wave.get(i);
        ConfirmedPublisher.Result r = results.get(i);
        p.span().end(r.outcome() == ConfirmedPublisher.Outcome.ROUTED || r.outcome() == ConfirmedPublisher.Outcome.RETURNED ? null
            : new IllegalStateException(String.valueOf(r.outcome())));
        switch (r.outcome()) {
          case ROUTED -> done.add(p.id());
          case RETURNED -> {
            done.add(p.id());
            returned.add(p.id());
            EventMetrics.unroutable(p.message().routingKey());
            asTheEvent(p, () -> warn("Event " + p.message().messageId() + " (" + p.message().routingKey() + ") was routed to no queue: "
                + "kept as returned in the outbox (see docs/hardening-events.md)"));
          }
          case REFUSED -> updates.add(failedAttempt(conn, p, r.reason(), failed));
          case LOST -> {
            if (wave.size() == 1) {
              updates.add(failedAttempt(conn, p, "the channel closed: " + r.reason(), failed));
            } else {
              // Several messages died with the channel: which one killed it is unknown; retry one by one.
              oneByOne = true;
              failed.add(keyOf(p));
            }
          }
          case UNKNOWN -> failed.add(keyOf(p));
        }
      }
      if (lost > 0 && wave.size() > 1) {
        warn("The RabbitMQ channel closed under " + lost + " unconfirmed events; the next pass publishes them one by one");
      }
      if (!done.isEmpty()) {
        EventMetrics.published(done.size());
        updates.add(conn.preparedQuery(MARK).execute(Tuple.tuple().addValue(done.toArray(Long[]::new))
            .addValue(returned.toArray(Long[]::new))));
      }
      return Future.all(updates).map(failed);
    });
  }

  private Future<?> failedAttempt(SqlConnection conn, Pending p, String reason, Set<Object> failed) {
    failed.add(keyOf(p));
    EventMetrics.failed();
    return conn.preparedQuery(FAILED).execute(Tuple.of(p.id(), reason, maxAttempts)).onSuccess(rows -> {
      boolean parked = rows.iterator().next().getBoolean("parked");
      asTheEvent(p, () -> {
        if (parked) {
          LOG.error("Outbox event {} ({}) parked after {} attempts: {}; the customer's later events wait behind it",
              p.message().messageId(), p.message().routingKey(), maxAttempts, reason);
        } else {
          warn("Outbox event " + p.message().messageId() + " not published, will retry: " + reason);
        }
      });
    });
  }

  /** Logs about one event carry the correlation id of the request that caused it. */
  private void asTheEvent(Pending p, Runnable log) {
    Correlation.newHandling(context, Correlation.usable(p.message().properties().getCorrelationId())).dispatch(log);
  }

  private static Object keyOf(Pending p) {
    return p.customer() == null ? (Object) p.id() : p.message().properties().getHeaders().get("organization_id") + "/" + p.customer();
  }

  private static Pending pending(Vertx vertx, Row row) {
    JsonObject envelope = (JsonObject) row.getValue("payload");
    String eventId = row.getUUID("event_id").toString();
    Tracing.MessageSpan span = Tracing.publish(vertx, EXCHANGE, eventId, row.getString("traceparent"));
    Map<String, Object> headers = new HashMap<>();
    headers.put("organization_id", row.getUUID("organization_id").toString());
    headers.put("schema_version", envelope.getInteger("schema_version", 1));
    if (span.traceparent() != null) {
      headers.put(Tracing.TRACEPARENT, span.traceparent());
    }
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .messageId(eventId)
        .type(row.getString("event_type"))
        .correlationId(row.getString("correlation_id"))
        .deliveryMode(2)
        .timestamp(Date.from(row.getOffsetDateTime("occurred_at").toInstant()))
        .headers(headers)
        .build();
    return new Pending(row.getLong("id"), row.getUUID("aggregate_id"), new ConfirmedPublisher.Message(eventId,
        row.getString("event_type"), props, envelope.encode().getBytes(StandardCharsets.UTF_8)), span);
  }

  /** The gauges and, while the broker is away, every 30 s how many events wait and for how long. */
  private void refreshGauges() {
    Outbox.stats(pool).onSuccess(stats -> {
      EventMetrics.parked(stats.getLong("parked"));
      EventMetrics.pending(stats.getLong("depth"));
      EventMetrics.oldestAge(stats.getLong("oldest_age_seconds"));
      if (!connected && stats.getLong("depth") > 0) {
        warn("RabbitMQ unreachable: " + stats.getLong("depth") + " events waiting in the outbox, oldest "
            + stats.getLong("oldest_age_seconds") + " s");
      }
    });
  }

  private void prune() {
    JobMetrics.timed(pruneLease.name(), () -> pool.withTransaction(conn -> conn.query("SELECT set_config('app.outbox_relay', 'on', true)").execute()
            .compose(v -> conn.preparedQuery(PRUNE).execute(Tuple.of(RETENTION.toSeconds())))))
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
