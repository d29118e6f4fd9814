package com.zenlogic.customerservice.support;

import com.rabbitmq.client.AMQP;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A RabbitMQ vhost of the test's own on the real broker, and a client that plays the other services. */
public final class TestBroker implements AutoCloseable {
  public final String vhost;
  public final RabbitMQClient client;

  private TestBroker(String vhost, RabbitMQClient client) {
    this.vhost = vhost;
    this.client = client;
  }

  public static TestBroker create(Vertx vertx, String label) throws Exception {
    String vhost = "cs-test-" + label + "-" + UUID.randomUUID().toString().substring(0, 8);
    ctl("add_vhost", vhost);
    ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
    RabbitMQClient client = RabbitMQClient.create(vertx, new RabbitMQOptions().setUri(url(vhost, 5672)));
    client.start().await(20, TimeUnit.SECONDS);
    return new TestBroker(vhost, client);
  }

  public static String url(String vhost, int port) {
    return "amqp://guest:guest@127.0.0.1:" + port + "/" + vhost;
  }

  public String url() {
    return url(vhost, 5672);
  }

  /**
   * Every message published on customer_events from now on. Each is checked against asyncapi.yaml
   * as it arrives; a message that does not match fails every later read of the list.
   */
  public List<RabbitMQMessage> capture() throws Exception {
    Checked seen = new Checked();
    String queue = "test-capture-" + UUID.randomUUID();
    // Declared as any other service would: plain durable topic, no arguments (the service declares it the same way).
    client.exchangeDeclare("customer_events", "topic", true, false)
        .compose(v -> client.queueDeclare(queue, false, true, true))
        .compose(v -> client.queueBind(queue, "customer_events", "#"))
        .compose(v -> client.basicConsumer(queue, new QueueOptions().setAutoAck(true)))
        .onSuccess(consumer -> consumer.handler(seen::arrived))
        .await(20, TimeUnit.SECONDS);
    return seen;
  }

  /**
   * Captured messages of customer_events, each checked against asyncapi.yaml as it arrives; reading
   * the list fails once one of them broke the event contract. For tests that bind their own queue.
   */
  public static final class Checked extends CopyOnWriteArrayList<RabbitMQMessage> {
    private volatile AssertionError broken;

    public void arrived(RabbitMQMessage m) {
      try {
        EventContract.get().checkPublished(m.envelope().getRoutingKey(), m.body().toString(), m.properties().getHeaders());
      } catch (AssertionError e) {
        if (broken == null) {
          broken = e;
        }
      }
      super.add(m);
    }

    private void check() {
      if (broken != null) {
        throw broken;
      }
    }

    @Override
    public int size() {
      check();
      return super.size();
    }

    @Override
    public boolean isEmpty() {
      check();
      return super.isEmpty();
    }

    @Override
    public RabbitMQMessage get(int index) {
      check();
      return super.get(index);
    }

    @Override
    public java.util.Iterator<RabbitMQMessage> iterator() {
      check();
      return super.iterator();
    }

    @Override
    public java.util.Spliterator<RabbitMQMessage> spliterator() {
      check();
      return super.spliterator();
    }

    @Override
    public void forEach(java.util.function.Consumer<? super RabbitMQMessage> action) {
      check();
      super.forEach(action);
    }

    @Override
    public Object[] toArray() {
      check();
      return super.toArray();
    }
  }

  /**
   * Publishes an event as another service would: our envelope, persistent, with a message id. An
   * event of a type asyncapi.yaml declares as consumed must match the document (a fixture that
   * drifted from the contract fails here); tests of malformed input use publishNonConforming.
   */
  public Future<Void> publish(String exchange, String routingKey, String messageId, JsonObject envelope) {
    if (EventContract.get().consumed().containsKey(routingKey)) {
      EventContract.get().checkConsumed(routingKey, envelope);
    }
    return publishNonConforming(exchange, routingKey, messageId, envelope);
  }

  /** As publish, for events that deliberately break the contract (what the consumer must refuse). */
  public Future<Void> publishNonConforming(String exchange, String routingKey, String messageId, JsonObject envelope) {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").messageId(messageId)
        .deliveryMode(2).build();
    return client.exchangeDeclare(exchange, "topic", true, false)
        .compose(v -> client.basicPublish(exchange, routingKey, props, Buffer.buffer(envelope.encode())));
  }

  public Future<Void> publishRaw(String exchange, String routingKey, String messageId, String body) {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId(messageId).deliveryMode(2).build();
    return client.basicPublish(exchange, routingKey, props, Buffer.buffer(body));
  }

  /** Takes one message from a queue, or null. */
  public JsonObject take(String queue) throws Exception {
    var message = client.basicGet(queue, true).await(10, TimeUnit.SECONDS);
    if (message == null) {
      return null;
    }
    Map<String, Object> headers = message.properties().getHeaders();
    return new JsonObject().put("body", message.body().toString())
        .put("reason", headers == null || headers.get("x-error-reason") == null ? null : headers.get("x-error-reason").toString());
  }

  @Override
  public void close() throws Exception {
    client.stop().await(10, TimeUnit.SECONDS);
    ctl("delete_vhost", vhost);
  }

  private static void ctl(String... args) throws Exception {
    String[] command = new String[args.length + 2];
    command[0] = "rabbitmqctl";
    command[1] = "-q";
    System.arraycopy(args, 0, command, 2, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
    }
  }
}
