package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerState;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * customer_breaker_state{dependency}: 0 closed, 1 half-open, 2 open, for every circuit breaker
 * registered here by the dependency it guards ("order-service", "redis", "auth-service", ...).
 * Several breakers may guard one dependency (one per verticle instance): the gauge shows the worst.
 *
 * <p>One call where the breaker is made: {@code Breakers.register("auth-service", breaker)}. Breakers
 * are held weakly, so one that is dropped without {@link #unregister} stops counting once collected.
 */
public final class Breakers {
  public static final String NAME = "customer_breaker_state";
  public static final String ORDER_SERVICE = "order-service";
  public static final String REDIS = "redis";
  public static final String AUTH_SERVICE = "auth-service";

  // Per registry: a test's next service instance gets a fresh registry and does not see the last one's breakers.
  private static final Map<MeterRegistry, Map<String, Set<CircuitBreaker>>> BY_REGISTRY = new WeakHashMap<>();

  private Breakers() {}

  /** Registers the breaker under its dependency's name and answers it, so it can wrap the create call. */
  public static synchronized CircuitBreaker register(String dependency, CircuitBreaker breaker) {
    MeterRegistry registry = Metrics.registry();
    if (registry == null) {
      return breaker;
    }
    Map<String, Set<CircuitBreaker>> dependencies = BY_REGISTRY.computeIfAbsent(registry, r -> new HashMap<>());
    Set<CircuitBreaker> breakers = dependencies.get(dependency);
    if (breakers == null) {
      Set<CircuitBreaker> created = Collections.newSetFromMap(new WeakHashMap<>());
      breakers = created;
      dependencies.put(dependency, created);
      Gauge.builder(NAME, () -> worst(created)).description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
          .tag("dependency", dependency).register(registry);
    }
    breakers.add(breaker);
    return breaker;
  }

  /** The breaker's owner closed it (a stopped verticle's cache, a closed client). */
  public static synchronized void unregister(String dependency, CircuitBreaker breaker) {
    for (Map<String, Set<CircuitBreaker>> dependencies : BY_REGISTRY.values()) {
      Set<CircuitBreaker> breakers = dependencies.get(dependency);
      if (breakers != null) {
        breakers.remove(breaker);
      }
    }
  }

  /** The gauge's value for one state. */
  public static int value(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  private static int worst(Set<CircuitBreaker> breakers) {
    synchronized (Breakers.class) {
      int worst = 0;
      for (CircuitBreaker b : breakers) {
        worst = Math.max(worst, value(b.state()));
      }
      return worst;
    }
  }
}
