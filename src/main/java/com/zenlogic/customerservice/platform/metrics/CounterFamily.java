package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of one name by one or two label values. PERF: each counter is registered once per
 * registry and label values, then found by two map reads on the values themselves: no key string
 * is built per call, no builder runs on the hot path.
 */
public final class CounterFamily {
  private final String name;
  private final String description;
  private final Tags fixed;
  private final String label;
  private final String label2;
  private volatile State state;

  private record State(MeterRegistry registry, ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> counters) {}

  /** label2 null: a one-label family (pass "" as the second value). fixed: tags every counter of the family carries. */
  public CounterFamily(String name, String description, Tags fixed, String label, String label2) {
    this.name = name;
    this.description = description;
    this.fixed = fixed;
    this.label = label;
    this.label2 = label2;
  }

  public void increment(String value, String value2) {
    Counter c = counter(value, value2);
    if (c != null) {
      c.increment();
    }
  }

  /** The counter for these values (null while metrics are off). */
  public Counter counter(String value, String value2) {
    MeterRegistry registry = Metrics.registry();
    if (registry == null) {
      return null;
    }
    State s = state;
    if (s == null || s.registry() != registry) {
      s = new State(registry, new ConcurrentHashMap<>());
      state = s;
    }
    ConcurrentHashMap<String, Counter> byValue2 = s.counters().get(value);
    if (byValue2 == null) {
      byValue2 = s.counters().computeIfAbsent(value, k -> new ConcurrentHashMap<>());
    }
    Counter c = byValue2.get(value2);
    if (c == null) {
      c = byValue2.computeIfAbsent(value2, k -> {
        Tags tags = fixed.and(label, value);
        return Counter.builder(name).description(description).tags(label2 == null ? tags : tags.and(label2, value2)).register(registry);
      });
    }
    return c;
  }

  /** The current count (0 when never counted or metrics are off); for tests. */
  public double count(String value, String value2) {
    Counter c = counter(value, value2);
    return c == null ? 0 : c.count();
  }
}
