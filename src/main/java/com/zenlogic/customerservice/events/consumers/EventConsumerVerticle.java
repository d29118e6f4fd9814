package com.zenlogic.customerservice.events.consumers;

import com.rabbitmq.client.AMQP;
import com.zenlogic.customerservice.infra.Caller;
import com.zenlogic.customerservice.infra.Db;
import com.zenlogic.customerservice.infra.DbUrl;
import com.zenlogic.customerservice.infra.DomainException;
import com.zenlogic.customerservice.infra.ErrorCode;
import com.zenlogic.customerservice.infra.Rabbit;
import com.zenlogic.customerservice.infra.cache.CustomerCache;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RabbitMQ consumer (seed 004 CONSUMER_CONFIG): declares its exchange, quorum queue and
 * bindings, takes messages with manual acks and a bounded prefetch, and applies each one at most once:
 * the inbox row (consumer, message id) is written in the same transaction as the effect, and the ack
 * is sent only after that commit.
 *
 * <p>Failures: a message that can never succeed (malformed, no tenant, unknown customer, conflicting
 * retry) goes to the dead-letter queue at once with the reason in x-error-reason; anything else is
 * retried with growing delays and dead-lettered by the broker after MAX_ATTEMPTS deliveries. Either way
 * the messages behind it keep flowing.
 */
public abstract class EventConsumerVerticle extends VerticleBase {
  public static final String DEAD_LETTER_EXCHANGE = "customer.dlx";
  static final int MAX_ATTEMPTS = 5;
  private static final int PREFETCH = 20;
  private static final Set<ErrorCode> PERMANENT = Set.of(ErrorCode.VALIDATION_FAILED, ErrorCode.CUSTOMER_NOT_FOUND,
      ErrorCode.IDEMPOTENCY_CONFLICT, ErrorCode.CUSTOMER_BLOCKED, ErrorCode.CREDIT_LINE_NOT_FOUND);

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final DbUrl runtimeDb;
  private final String amqpUrl;
  private final Supplier<CustomerCache> caches;
  protected Db db;
  private CustomerCache cache;
  private RabbitMQClient rabbit;

  protected EventConsumerVerticle(DbUrl runtimeDb, String amqpUrl, Supplier<CustomerCache> caches) {
    this.runtimeDb = runtimeDb;
    this.amqpUrl = amqpUrl;
    this.caches = caches;
  }

  /** The consumer's name in the inbox and logs, e.g. customer_order_consumer. */
  protected abstract String name();

  protected abstract String exchange();

  protected abstract String queue();

  protected abstract List<String> routingKeys();

  /**
   * Applies the event inside the tenant transaction that also holds the inbox row; answers the
   * customer whose cached view changed, or null.
   */
  protected abstract Future<UUID> apply(SqlConnection conn, Caller caller, ConsumedEvent event);

  /** Services the handlers use, built once the verticle has its database. */
  protected abstract void prepare();

  public static String deadLetterQueue(String queue) {
    return queue + ".dead";
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, 4);
    cache = caches.get();
    prepare();
    rabbit = Rabbit.client(vertx, amqpUrl, name());
    rabbit.addConnectionEstablishedCallback(promise -> declareTopology().onComplete(promise));
    return rabbit.start()
        .compose(v -> declareTopology())
        .onFailure(e -> log.warn("{}: cannot declare its queues: {}", name(), e.toString()))
        .compose(v -> rabbit.basicQos(PREFETCH))
        .compose(v -> rabbit.basicConsumer(queue(), new QueueOptions().setAutoAck(false).setMaxInternalQueueSize(PREFETCH * 2)))
        .onSuccess(consumer -> consumer.handler(this::onMessage))
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
        .onSuccess(consumer -> {
          consumer.handler(this::onMessage);
          log.info("{}: consuming {}", name(), queue());
        })
        .onFailure(e -> vertx.setTimer(2000, t -> retryStart()));
  }

  @Override
  public Future<?> stop() {
    return (rabbit == null ? Future.succeededFuture() : rabbit.stop())
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
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

  private void onMessage(RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    ConsumedEvent event;
    try {
      event = ConsumedEvent.parse(message.properties().getMessageId(), message.envelope().getRoutingKey(), message.body());
    } catch (DomainException e) {
      deadLetter(message, tag, e.getMessage());
      return;
    }
    Caller caller = new Caller(event.organizationId(), "consumer:" + name(), null, Set.of(), event.correlationId());
    db.withTenant(event.organizationId(), conn -> conn
            .preparedQuery("INSERT INTO inbox (organization_id, consumer, message_id, event_type) VALUES ($1, $2, $3, $4) "
                + "ON CONFLICT DO NOTHING RETURNING 1")
            .execute(Tuple.of(event.organizationId(), name(), event.messageId(), event.eventType()))
            // A message already in the inbox was applied before: a redelivery changes nothing.
            .compose(rows -> rows.size() == 0 ? Future.<UUID>succeededFuture() : apply(conn, caller, event)))
        .compose(customer -> customer == null ? Future.succeededFuture() : cache.invalidate(event.organizationId(), customer))
        .onSuccess(v -> rabbit.basicAck(tag, false))
        .onFailure(e -> {
          if (e instanceof DomainException d && PERMANENT.contains(d.code())) {
            deadLetter(message, tag, d.getMessage());
          } else {
            retryLater(message, tag, e);
          }
        });
  }

  /** Transient trouble: requeue after a growing delay; the broker dead-letters after MAX_ATTEMPTS deliveries. */
  private void retryLater(RabbitMQMessage message, long tag, Throwable cause) {
    Object count = message.properties().getHeaders() == null ? null : message.properties().getHeaders().get("x-delivery-count");
    int attempt = count instanceof Number n ? n.intValue() + 1 : 1;
    long delay = Math.min(10_000, 200L << Math.min(attempt, 6));
    log.warn("{}: attempt {} of message {} failed, retrying in {} ms: {}", name(), attempt, message.properties().getMessageId(),
        delay, cause.toString());
    vertx.setTimer(delay, t -> rabbit.basicNack(tag, false, true));
  }

  private void deadLetter(RabbitMQMessage message, long tag, String reason) {
    log.warn("{}: dead-lettering message {}: {}", name(), message.properties().getMessageId(), reason);
    Map<String, Object> headers = new HashMap<>();
    if (message.properties().getHeaders() != null) {
      headers.putAll(message.properties().getHeaders());
    }
    headers.put("x-error-reason", reason);
    headers.put("x-original-exchange", message.envelope().getExchange());
    headers.put("x-original-routing-key", message.envelope().getRoutingKey());
    headers.put("x-consumer", name());
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
