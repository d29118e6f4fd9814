package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.platform.tracing.Redact;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.amqp.Rabbit;
import com.zenlogic.customerservice.platform.values.Text;
import com.zenlogic.customerservice.platform.auth.Actor;
import com.zenlogic.customerservice.platform.tracing.Correlation;
import com.zenlogic.customerservice.platform.tracing.Tracing;
import com.zenlogic.customerservice.platform.errors.Unavailable;
import com.zenlogic.customerservice.platform.metrics.ConsumerMetrics;
import com.zenlogic.customerservice.platform.metrics.JobMetrics;
import com.zenlogic.customerservice.platform.outbox.EventMetrics;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import com.zenlogic.customerservice.platform.inbox.Inbox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.pgclient.PgException;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RabbitMQ consumer (seed 004 CONSUMER_CONFIG): declares its exchange, quorum queue and
 * bindings, takes messages with manual acks and a bounded prefetch, parses and validates each one,
 * and hands it over the event bus to the engines that apply it (loyalty, credit, segmentation). The
 * engine writes the inbox row (consumer:engine, message id) in the same transaction as the effect,
 * so each engine applies a message at most once; the ack is sent only after every engine replied.
 * The consumer holds no rules and no engine's database work: its small pool serves only the inbox
 * rows of messages no engine needs, and the pruning.
 *
 * <p>Consumers on several nodes share one queue (competing consumers); nothing here depends on the
 * order of deliveries (see docs/consumers.md: every effect is idempotent by its reference, and
 * cancelled orders leave a tombstone).
 *
 * <p>Failures: a message that can never succeed goes to the dead-letter queue at once with the reason
 * in x-error-reason: malformed or unstorable text, a bad amount, no tenant, an unknown customer, a
 * conflicting retry (any DomainException whose code is not a 5xx), a constraint or data error from
 * PostgreSQL, or a failure nobody foresaw (retrying a bug only loops). Only a dependency that could
 * not answer (no engine deployed or the engine timed out, database or broker unreachable, pool
 * exhausted, serialization failure or deadlock) is retried with growing delays, first here with the
 * message held (an outage of minutes spends no delivery), then by requeueing; the broker
 * dead-letters after MAX_ATTEMPTS deliveries. Either way the messages behind it keep flowing (up to
 * the prefetch).
 *
 * <p>The inbox keeps each consumed message id for INBOX_RETENTION_DAYS, then is pruned.
 */
public abstract class EventConsumerVerticle extends VerticleBase {
  public static final String DEAD_LETTER_EXCHANGE = "customer.dlx";
  static final int MAX_ATTEMPTS = 5;
  private static final int PREFETCH = 20;
  private static final int MAX_REASON = 500;
  // About ten minutes of local retries (0.4 s doubling to 30 s) before the broker is asked to redeliver.
  private static final int LOCAL_ATTEMPTS = 25;
  private static final long PRUNE_MILLIS = 3_600_000;
  private static final long LAG_POLL_MILLIS = 15_000;

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final DbUrl runtimeDb;
  private final String amqpUrl;
  private final OpsConfig ops;
  private Db db;
  private RabbitMQClient rabbit;
  private RabbitMQConsumer consumer;
  private int inFlight;
  private JobLease pruneLease;
  private boolean stopping;
  // Open consumer spans by delivery tag (tracing on only), ended with the delivery's outcome.
  private final Map<Long, Tracing.MessageSpan> spans = new HashMap<>();

  protected EventConsumerVerticle(DbUrl runtimeDb, String amqpUrl, OpsConfig ops) {
    this.runtimeDb = runtimeDb;
    this.amqpUrl = amqpUrl;
    this.ops = ops;
  }

  /** The consumer's name in the inbox and logs, e.g. customer_order_consumer. */
  protected abstract String name();

  protected abstract String exchange();

  protected abstract String queue();

  protected abstract List<String> routingKeys();

  /**
   * Validates the event (a DomainException is a permanent failure) and sends it to the engines that
   * apply it, one after the other; answers whether anything was applied now. An event no engine
   * needs answers {@link #nothingToApply}.
   */
  protected abstract Future<Applied> handOver(ConsumedEvent event, Delivery delivery);

  /** The consumer's own inbox row for a message no engine needs (an anonymous sale, an unknown type). */
  protected final Future<Applied> nothingToApply(Delivery delivery) {
    return Inbox.applyOnce(db, delivery, null, conn -> Future.succeededFuture());
  }

  public static String deadLetterQueue(String queue) {
    return queue + ".dead";
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, 1, "consumers");
    rabbit = Rabbit.client(vertx, amqpUrl, name());
    rabbit.addConnectionEstablishedCallback(promise -> declareTopology().onComplete(promise));
    return rabbit.start()
        .compose(v -> declareTopology())
        .onFailure(e -> log.warn("{}: cannot declare its queues: {}", name(), e.toString()))
        .compose(v -> rabbit.basicQos(PREFETCH))
        .compose(v -> rabbit.basicConsumer(queue(), new QueueOptions().setAutoAck(false).setMaxInternalQueueSize(PREFETCH * 2)))
        .onSuccess(this::consume)
        .recover(e -> {
          // The broker may be down at start: the client keeps reconnecting; the consumer starts when it can.
          log.warn("{}: RabbitMQ not reachable yet ({}); will keep trying", name(), e.getMessage());
          vertx.setTimer(2000, t -> retryStart());
          return Future.succeededFuture();
        });
  }

  private void retryStart() {
    rabbit.restartConnect(0)
        .compose(v -> declareTopology())
        .compose(v -> rabbit.basicQos(PREFETCH))
        .compose(v -> rabbit.basicConsumer(queue(), new QueueOptions().setAutoAck(false).setMaxInternalQueueSize(PREFETCH * 2)))
        .onSuccess(c -> {
          consume(c);
          log.info("{}: consuming {}", name(), queue());
        })
        .onFailure(e -> vertx.setTimer(2000, t -> retryStart()));
  }

  private void consume(RabbitMQConsumer c) {
    consumer = c;
    c.handler(this::onMessage);
    // Soon after start, then hourly: a long-running service must not keep every message id forever.
    // In a cluster every node consumes; only the holder of this consumer's prune lease prunes.
    if (pruneLease == null) {
      pruneLease = JobLease.of(vertx, db.pool(), "inbox.prune." + name()).start();
      vertx.setTimer(30_000, t -> pruneIfHeld());
      vertx.setPeriodic(PRUNE_MILLIS, t -> pruneIfHeld());
      vertx.setPeriodic(1000, LAG_POLL_MILLIS, t -> pollLag());
    }
  }

  /** The consumer lag for /metrics: messages ready in the queue and its dead-letter queue (a passive declare each). */
  private void pollLag() {
    for (String q : List.of(queue(), deadLetterQueue(queue()))) {
      rabbit.messageCount(q).onSuccess(n -> ConsumerMetrics.ready(q, n));
    }
  }

  /** Stops taking messages, lets the ones being applied commit and ack (up to 5 s), then closes. */
  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> cancelled = consumer == null ? Future.succeededFuture() : consumer.cancel().recover(e -> Future.succeededFuture());
    return cancelled.compose(v -> drained(System.currentTimeMillis() + 5000))
        .eventually(() -> pruneLease == null ? Future.succeededFuture() : pruneLease.stop())
        .eventually(() -> rabbit == null ? Future.succeededFuture() : rabbit.stop())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }

  private Future<Void> drained(long deadline) {
    if (inFlight == 0 || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(50, t -> drained(deadline).onComplete(later));
    return later.future();
  }

  private void pruneIfHeld() {
    if (pruneLease.held()) {
      pruneInbox();
    }
  }

  private void pruneInbox() {
    JobMetrics.timed(pruneLease.name(), () -> pruneInbox(db.pool(), name(), ops.inboxRetentionDays()))
        .onSuccess(n -> {
          if (n > 0) {
            log.info("{}: pruned {} inbox rows older than {} days", name(), n, ops.inboxRetentionDays());
          }
        })
        .onFailure(e -> log.warn("{}: inbox prune failed: {}", name(), e.toString()));
  }

  /** See {@link Inbox#prune}: this consumer's rows and its engines'. */
  public static Future<Long> pruneInbox(io.vertx.sqlclient.Pool pool, String consumer, int retentionDays) {
    return Inbox.prune(pool, consumer, retentionDays);
  }

  private Future<Void> declareTopology() {
    JsonObject queueArgs = new JsonObject()
        .put("x-queue-type", "quorum")
        .put("x-delivery-limit", MAX_ATTEMPTS)
        .put("x-dead-letter-exchange", DEAD_LETTER_EXCHANGE)
        .put("x-dead-letter-routing-key", queue());
    Future<Void> f = rabbit.exchangeDeclare(exchange(), "topic", true, false)
        .compose(v -> rabbit.exchangeDeclare(DEAD_LETTER_EXCHANGE, "direct", true, false))
        .compose(v -> rabbit.queueDeclare(deadLetterQueue(queue()), true, false, false, new JsonObject().put("x-queue-type", "quorum")))
        .compose(v -> rabbit.queueBind(deadLetterQueue(queue()), DEAD_LETTER_EXCHANGE, queue()))
        .compose(v -> rabbit.queueDeclare(queue(), true, false, false, queueArgs))
        .mapEmpty();
    for (String key : routingKeys()) {
      f = f.compose(v -> rabbit.queueBind(queue(), exchange(), key));
    }
    return f;
  }

  /**
   * Each delivery is handled on its own duplicated context, carrying its correlation id (for the
   * logs and the engines it calls) and, when tracing, its consumer span (child of the publisher's).
   */
  private void onMessage(RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    ConsumerMetrics.delivered(queue(), message.envelope().isRedeliver());
    if (stopping) {
      // Cancelled but already buffered: back to the queue for the next process, untouched.
      rabbit.basicNack(tag, false, true);
      return;
    }
    Correlation.newHandling(context, Correlation.usable(message.properties().getCorrelationId())).dispatch(message, this::handle);
  }

  private void handle(RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    Tracing.MessageSpan span = Tracing.consume(vertx, queue(), message.properties().getMessageId(), message.properties().getHeaders());
    if (span != Tracing.MessageSpan.NONE) {
      spans.put(tag, span);
    }
    ConsumedEvent event;
    try {
      event = ConsumedEvent.parse(message.properties().getMessageId(), message.envelope().getRoutingKey(), message.body(),
          message.properties().getCorrelationId());
    } catch (RuntimeException e) {
      deadLetter(message, tag, reason(e));
      return;
    }
    Correlation.set(event.correlationId());
    Actor.set("event:" + name());
    inFlight++;
    apply(message, tag, event, 1);
  }

  private void endSpan(long tag, Throwable failure) {
    Tracing.MessageSpan span = spans.remove(tag);
    if (span != null) {
      span.end(failure);
    }
  }

  /**
   * One attempt at the message. A transient failure is retried here, with the message still
   * unacknowledged, so an outage does not spend the queue's delivery limit (nor dead-letter what
   * arrived during it); after LOCAL_ATTEMPTS it goes back to the broker, which counts a delivery.
   * A retry sends to every engine again: those that applied already answer "duplicate".
   */
  private void apply(RabbitMQMessage message, long tag, ConsumedEvent event, int attempt) {
    Delivery delivery = new Delivery(event.organizationId(), name(), event.messageId(), event.eventType(), event.correlationId());
    Future<Applied> handed;
    try {
      handed = handOver(event, delivery);
    } catch (RuntimeException e) {
      handed = Future.failedFuture(e);
    }
    handed
        .onSuccess(applied -> {
          EventMetrics.consumed(name(), applied.duplicate() ? EventMetrics.DUPLICATE : EventMetrics.APPLIED);
          log.debug("{}: message {} ({}) {}", name(), event.messageId(), event.eventType(), applied.duplicate() ? "was a duplicate" : "applied");
          rabbit.basicAck(tag, false);
          endSpan(tag, null);
          inFlight--;
        })
        .onFailure(e -> {
          if (!isTransient(e)) {
            deadLetter(message, tag, reason(e));
            inFlight--;
          } else if (stopping || attempt >= LOCAL_ATTEMPTS) {
            retryLater(message, tag, e);
            inFlight--;
          } else {
            EventMetrics.consumed(name(), EventMetrics.RETRIED);
            long delay = Math.min(30_000, 200L << Math.min(attempt, 8));
            log.warn("{}: attempt {} of message {} failed, retrying in {} ms: {}", name(), attempt, event.messageId(), delay,
                Redact.failure(e));
            vertx.setTimer(delay, t -> apply(message, tag, event, attempt + 1));
          }
        });
  }

  /**
   * Worth retrying: the failure says a dependency could not answer now, not that the message is wrong:
   * no engine answered in time (Unavailable), our own SERVICE_UNAVAILABLE (an engine's transient
   * database failure, see Inbox.forTheConsumer), a transient PostgreSQL failure of the consumer's own pool.
   */
  static boolean isTransient(Throwable e) {
    if (e instanceof DomainException d) {
      return d.code().httpStatus() >= 500 && d.code() != ErrorCode.INTERNAL;
    }
    if (e instanceof PgException pg) {
      return Inbox.isTransient(pg);
    }
    return Unavailable.isDependencyFailure(e) || e instanceof java.io.IOException
        || e.getClass().getSimpleName().contains("Closed");
  }

  /** The x-error-reason of a permanent failure: the domain message, else what failed (never the offending value). */
  static String reason(Throwable e) {
    String text;
    if (e instanceof DomainException d) {
      text = d.getMessage();
    } else if (e instanceof PgException pg) {
      text = "database refused the change (SQLSTATE " + pg.getSqlState() + "): " + Redact.text(pg.getErrorMessage());
    } else {
      text = "unexpected failure: " + Redact.failure(e);
    }
    String clean = Text.problem(text) == null ? text : text.replace('\u0000', '?');
    return clean.length() > MAX_REASON ? clean.substring(0, MAX_REASON) : clean;
  }

  /** Transient trouble that outlasted the local attempts: requeue after a delay; the broker dead-letters after MAX_ATTEMPTS deliveries. */
  private void retryLater(RabbitMQMessage message, long tag, Throwable cause) {
    EventMetrics.consumed(name(), EventMetrics.RETRIED);
    Object count = message.properties().getHeaders() == null ? null : message.properties().getHeaders().get("x-delivery-count");
    int attempt = count instanceof Number n ? n.intValue() + 1 : 1;
    long delay = Math.min(10_000, 200L << Math.min(attempt, 6));
    log.warn("{}: attempt {} of message {} failed, retrying in {} ms: {}", name(), attempt, message.properties().getMessageId(),
        delay, Redact.failure(cause));
    endSpan(tag, cause);
    vertx.setTimer(delay, t -> rabbit.basicNack(tag, false, true));
  }

  private void deadLetter(RabbitMQMessage message, long tag, String reason) {
    EventMetrics.consumed(name(), EventMetrics.DEAD_LETTERED);
    ConsumerMetrics.deadLettered(queue());
    String id = message.properties().getMessageId();
    log.warn("{}: dead-lettering message {}: {}", name(), id == null || Text.problem(id) != null ? "(unreadable id)" : id, reason);
    Map<String, Object> headers = new HashMap<>();
    if (message.properties().getHeaders() != null) {
      headers.putAll(message.properties().getHeaders());
    }
    headers.put("x-error-reason", reason);
    headers.put("x-original-exchange", message.envelope().getExchange());
    headers.put("x-original-routing-key", message.envelope().getRoutingKey());
    headers.put("x-consumer", name());
    endSpan(tag, new IllegalArgumentException(reason));
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .contentType(message.properties().getContentType())
        .messageId(message.properties().getMessageId())
        .correlationId(message.properties().getCorrelationId())
        .type(message.properties().getType())
        .deliveryMode(2)
        .headers(headers)
        .build();
    rabbit.basicPublish(DEAD_LETTER_EXCHANGE, queue(), props, message.body())
        .onSuccess(v -> rabbit.basicAck(tag, false))
        .onFailure(e -> vertx.setTimer(1000, t -> rabbit.basicNack(tag, false, true)));
  }
}
