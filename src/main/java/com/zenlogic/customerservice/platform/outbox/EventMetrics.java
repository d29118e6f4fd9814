package com.zenlogic.customerservice.platform.outbox;

import com.zenlogic.customerservice.platform.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the events side counts, at /metrics:
 * customer_events_consumed_total{consumer, outcome} (applied, duplicate, dead_lettered, retried),
 * customer_outbox_published_total, customer_outbox_failed_total (refused attempts),
 * customer_outbox_unroutable_total{event_type} (basic.return: no queue bound), and the gauges
 * customer_outbox_parked, customer_outbox_pending (the depth: events not yet published) and
 * customer_outbox_oldest_age_seconds (how long the oldest of them has waited), refreshed every 5 s
 * by the relay.
 */
public final class EventMetrics {
  public static final String APPLIED = "applied";
  public static final String DUPLICATE = "duplicate";
  public static final String DEAD_LETTERED = "dead_lettered";
  public static final String RETRIED = "retried";

  private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> GAUGES = new ConcurrentHashMap<>();

  private EventMetrics() {}

  public static void consumed(String consumer, String outcome) {
    count("customer_events_consumed", "consumer", consumer, "outcome", outcome, 1);
  }

  public static void published(int n) {
    count("customer_outbox_published", null, null, null, null, n);
  }

  public static void failed() {
    count("customer_outbox_failed", null, null, null, null, 1);
  }

  public static void unroutable(String eventType) {
    count("customer_outbox_unroutable", "event_type", eventType, null, null, 1);
  }

  public static void parked(long n) {
    gauge("customer_outbox_parked").set(n);
  }

  public static void pending(long n) {
    gauge("customer_outbox_pending").set(n);
  }

  public static void oldestAge(long seconds) {
    gauge("customer_outbox_oldest_age_seconds").set(seconds);
  }

  /** The current value of a counter (0 when never counted or metrics are off); for tests and the ready check. */
  public static double counted(String name, String tag, String value, String tag2, String value2) {
    Counter c = COUNTERS.get(key(Metrics.registry(), name, tag, value, tag2, value2));
    return c == null ? 0 : c.count();
  }

  private static void count(String name, String tag, String value, String tag2, String value2, int n) {
    MeterRegistry registry = Metrics.registry();
    if (registry == null) {
      return;
    }
    COUNTERS.computeIfAbsent(key(registry, name, tag, value, tag2, value2), k -> {
      Counter.Builder b = Counter.builder(name);
      if (tag != null) {
        b.tag(tag, value);
      }
      if (tag2 != null) {
        b.tag(tag2, value2);
      }
      return b.register(registry);
    }).increment(n);
  }

  private static AtomicLong gauge(String name) {
    MeterRegistry registry = Metrics.registry();
    return GAUGES.computeIfAbsent(System.identityHashCode(registry) + "/" + name, k -> {
      AtomicLong value = new AtomicLong();
      if (registry != null) {
        Gauge.builder(name, value, AtomicLong::get).register(registry);
      }
      return value;
    });
  }

  private static String key(MeterRegistry registry, String name, String tag, String value, String tag2, String value2) {
    return System.identityHashCode(registry) + "/" + name + "/" + tag + "=" + value + "/" + tag2 + "=" + value2;
  }
}
