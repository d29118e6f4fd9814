package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * What each RabbitMQ consumer sees of its queue: customer_consumer_deliveries_total{queue} (every
 * message handed to us), customer_consumer_redeliveries_total{queue} (those the broker marked
 * redelivered: a nack, a crash, a lost channel), customer_consumer_dead_lettered_total{queue}
 * (sent to queue.dead by us), and the gauge customer_consumer_messages_ready{queue}, the lag:
 * messages waiting in the queue, and in its .dead queue under queue="&lt;queue&gt;.dead", polled
 * every 15 s (first 1 s after the consumer starts) by a passive declare (off the message path).
 */
public final class ConsumerMetrics {
  public static final String READY = "customer_consumer_messages_ready";

  private static final CounterFamily DELIVERIES = new CounterFamily("customer_consumer_deliveries",
      "Messages delivered to the consumer", Tags.empty(), "queue", null);
  private static final CounterFamily REDELIVERIES = new CounterFamily("customer_consumer_redeliveries",
      "Messages the broker delivered again", Tags.empty(), "queue", null);
  private static final CounterFamily DEAD_LETTERED = new CounterFamily("customer_consumer_dead_lettered",
      "Messages the consumer sent to its dead-letter queue", Tags.empty(), "queue", null);

  private ConsumerMetrics() {}

  public static void delivered(String queue, boolean redelivered) {
    DELIVERIES.increment(queue, "");
    // Looked up even when not counted: the series exist (at 0) from the first delivery, so rate() and alerts see them.
    io.micrometer.core.instrument.Counter again = REDELIVERIES.counter(queue, "");
    DEAD_LETTERED.counter(queue, "");
    if (redelivered && again != null) {
      again.increment();
    }
  }

  public static void deadLettered(String queue) {
    DEAD_LETTERED.increment(queue, "");
  }

  public static void ready(String queue, long messages) {
    Gauges.set(READY, "Messages ready in the queue (consumer lag)", "queue", queue, messages);
  }
}
