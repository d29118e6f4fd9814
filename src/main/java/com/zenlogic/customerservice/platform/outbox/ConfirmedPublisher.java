package com.zenlogic.customerservice.platform.outbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP channel in confirm mode that publishes with the mandatory flag and tells, per message,
 * what the broker did: confirmed and routed, confirmed but routed to no queue (basic.return),
 * refused (basic.nack, e.g. a queue at its x-max-length with reject-publish), or lost with the
 * channel (the channel-closing error, e.g. a message over the broker's size limit).
 *
 * <p>The Vert.x RabbitMQ client has neither the mandatory flag nor return listeners, so this uses
 * the Java client directly. Every method blocks: call it from a worker (executeBlocking), never
 * from an event loop. Not thread-safe; the relay calls it from one drain at a time.
 */
final class ConfirmedPublisher implements AutoCloseable {
  enum Outcome { ROUTED, RETURNED, REFUSED, LOST, UNKNOWN }

  record Message(String messageId, String routingKey, AMQP.BasicProperties properties, byte[] body) {}

  record Result(Outcome outcome, String reason) {}

  private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);

  private final ConnectionFactory factory = new ConnectionFactory();
  private final String exchange;
  private final String unroutedExchange;
  private final String unroutedQueue;
  private Connection connection;
  private Channel channel;
  private boolean warnedAboutArguments;

  // Filled by the connection's thread, read by the publishing thread under the lock of 'this'.
  private final Map<Long, Outcome> confirmed = new HashMap<>();
  private final Set<String> returned = ConcurrentHashMap.newKeySet();
  private String closedBecause;

  ConfirmedPublisher(String amqpUrl, String exchange, String unroutedExchange, String unroutedQueue) throws Exception {
    factory.setUri(amqpUrl);
    factory.setConnectionTimeout(5000);
    factory.setRequestedHeartbeat(10);
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    factory.setClientProperties(new HashMap<>(Map.of("connection_name", "customer-service/outbox-relay")));
    this.exchange = exchange;
    this.unroutedExchange = unroutedExchange;
    this.unroutedQueue = unroutedQueue;
  }

  boolean isOpen() {
    return channel != null && channel.isOpen();
  }

  /** Connects and declares the topology if needed; throws when the broker cannot be reached. */
  void open() throws Exception {
    if (isOpen()) {
      return;
    }
    if (connection == null || !connection.isOpen()) {
      closeQuietly();
      connection = factory.newConnection();
    }
    channel = connection.createChannel();
    // customer_events is a plain durable topic exchange, with no arguments, so that any other
    // service's ordinary declaration of it succeeds. Unroutable messages are detected with the
    // mandatory flag instead of an alternate-exchange argument (an operator may add one by policy).
    try {
      channel.exchangeDeclare(exchange, "topic", true, false, null);
    } catch (java.io.IOException e) {
      if (!isPreconditionFailed(e)) {
        throw e;
      }
      if (!warnedAboutArguments) {
        warnedAboutArguments = true;
        LOG.error("RabbitMQ refused the plain declaration of exchange {} (406 PRECONDITION_FAILED): it exists with other "
            + "arguments, as an older version declared it (alternate-exchange), and other services' plain declarations "
            + "fail the same way. Delete it once (management UI, or: rabbitmqadmin -V <vhost> delete exchange name={}), "
            + "restart this service so it declares it plain, and let consumers re-bind their queues. If you want an "
            + "alternate exchange, set it by policy (docs/hardening-events.md). Publishing goes on meanwhile.", exchange, exchange);
      }
      channel = connection.createChannel();
    }
    channel.exchangeDeclare(unroutedExchange, "fanout", true, false, null);
    channel.queueDeclare(unroutedQueue, true, false, false, null);
    channel.queueBind(unroutedQueue, unroutedExchange, "");
    channel.confirmSelect();
    synchronized (this) {
      confirmed.clear();
      closedBecause = null;
    }
    returned.clear();
    channel.addReturnListener(r -> {
      if (r.getProperties() != null && r.getProperties().getMessageId() != null) {
        returned.add(r.getProperties().getMessageId());
      }
    });
    channel.addConfirmListener(
        (tag, multiple) -> settle(tag, multiple, Outcome.ROUTED),
        (tag, multiple) -> settle(tag, multiple, Outcome.REFUSED));
    channel.addShutdownListener(cause -> {
      synchronized (this) {
        closedBecause = reason(cause);
        notifyAll();
      }
    });
  }

  private synchronized void settle(long tag, boolean multiple, Outcome outcome) {
    if (multiple) {
      for (Map.Entry<Long, Outcome> e : confirmed.entrySet()) {
        if (e.getKey() <= tag && e.getValue() == Outcome.UNKNOWN) {
          e.setValue(outcome);
        }
      }
    } else if (confirmed.containsKey(tag)) {
      confirmed.put(tag, outcome);
    }
    notifyAll();
  }

  /**
   * Publishes the messages and waits for each confirm (at most timeoutMillis in all). The results
   * are in the same order. LOST: the channel closed before the message was confirmed (the reason
   * is the broker's); UNKNOWN: no answer within the timeout.
   */
  List<Result> publish(List<Message> messages, long timeoutMillis) throws Exception {
    open();
    List<Long> tags = new ArrayList<>();
    synchronized (this) {
      confirmed.clear();
    }
    String publishFailure = null;
    for (Message m : messages) {
      long tag = channel.getNextPublishSeqNo();
      synchronized (this) {
        confirmed.put(tag, Outcome.UNKNOWN);
      }
      try {
        channel.basicPublish(exchange, m.routingKey(), true, m.properties(), m.body());
        tags.add(tag);
      } catch (Exception e) {
        publishFailure = e.getMessage();
        break;
      }
    }
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (this) {
      while (tags.stream().anyMatch(t -> confirmed.get(t) == Outcome.UNKNOWN) && closedBecause == null) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          break;
        }
        wait(left);
      }
      List<Result> results = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        Message m = messages.get(i);
        Outcome o = i < tags.size() ? confirmed.get(tags.get(i)) : Outcome.UNKNOWN;
        if (o == Outcome.ROUTED && returned.remove(m.messageId())) {
          results.add(new Result(Outcome.RETURNED, "no queue is bound for routing key " + m.routingKey()));
        } else if (o == Outcome.REFUSED) {
          results.add(new Result(Outcome.REFUSED, "the broker refused the message (basic.nack)"));
        } else if (o == Outcome.UNKNOWN && (closedBecause != null || publishFailure != null)) {
          results.add(new Result(Outcome.LOST, closedBecause != null ? closedBecause : publishFailure));
        } else {
          results.add(new Result(o, null));
        }
      }
      return results;
    }
  }

  private static boolean isPreconditionFailed(Exception e) {
    return e.getCause() instanceof ShutdownSignalException s && reason(s).contains("PRECONDITION_FAILED");
  }

  private static String reason(ShutdownSignalException s) {
    Object m = s.getReason();
    if (m instanceof AMQP.Channel.Close c) {
      return c.getReplyCode() + " " + c.getReplyText();
    }
    if (m instanceof AMQP.Connection.Close c) {
      return "connection closed: " + c.getReplyCode() + " " + c.getReplyText();
    }
    return String.valueOf(s.getMessage());
  }

  private void closeQuietly() {
    try {
      if (connection != null && connection.isOpen()) {
        connection.close(2000);
      }
    } catch (Exception ignored) {
      // Already gone: nothing to release.
    }
    connection = null;
    channel = null;
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
