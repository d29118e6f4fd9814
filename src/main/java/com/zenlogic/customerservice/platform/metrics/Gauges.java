package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Gauges set from a periodic poll (never on a hot path): one value per name and label value, per registry. */
public final class Gauges {
  private static final Map<MeterRegistry, Map<String, AtomicLong>> BY_REGISTRY = new WeakHashMap<>();

  private Gauges() {}

  /** Sets the gauge {@code name{label=value}} (label null: no label). */
  public static void set(String name, String description, String label, String value, long n) {
    MeterRegistry registry = Metrics.registry();
    if (registry == null) {
      return;
    }
    Map<String, AtomicLong> gauges;
    synchronized (BY_REGISTRY) {
      gauges = BY_REGISTRY.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
    }
    gauges.computeIfAbsent(label == null ? name : name + "{" + label + "=" + value + "}", k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.Builder<AtomicLong> b = Gauge.builder(name, holder, AtomicLong::get).description(description).strongReference(true);
      if (label != null) {
        b.tag(label, value);
      }
      b.register(registry);
      return holder;
    }).set(n);
  }
}
