package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/** Prometheus metrics: Vert.x HTTP server, SQL pool and event-bus metrics plus the JVM's, scraped at /metrics. */
public final class Metrics {
  private Metrics() {}

  public static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        .setEnabled(true));
  }

  /** The registry /metrics serves, or null when metrics are off (then nothing is counted). */
  public static MeterRegistry registry() {
    return BackendRegistries.getDefaultNow();
  }

  /** customer_grpc_calls_total{method, status}: how load tests and dashboards count gRPC errors, which are HTTP 200s. */
  public static void grpcCall(String method, String status, long nanos) {
    MeterRegistry registry = registry();
    if (registry != null) {
      // PERF: meters are looked up once per (method, status), not built per call on the hot path.
      GRPC_CALLS.computeIfAbsent(System.identityHashCode(registry) + "/" + method + "/" + status, k -> Counter.builder("customer_grpc_calls")
          .tag("method", method).tag("status", status).register(registry)).increment();
      GRPC_DURATIONS.computeIfAbsent(System.identityHashCode(registry) + "/" + method, k -> Timer.builder("customer_grpc_call_duration")
          .tag("method", method).register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /**
   * customer_checkout_batch_size: reads by id per checkout statement. Mostly 1 means the database
   * is idle or the cache takes the load; large values mean many cache misses at once (Redis down?).
   */
  public static void checkoutBatch(int size) {
    MeterRegistry registry = registry();
    if (registry != null) {
      BATCH_SIZES.computeIfAbsent(System.identityHashCode(registry), k -> DistributionSummary.builder("customer_checkout_batch_size")
          .description("Checkout reads by id answered by one statement").register(registry)).record(size);
    }
  }

  private static final java.util.Map<Integer, DistributionSummary> BATCH_SIZES = new java.util.concurrent.ConcurrentHashMap<>();
  // Meters are registry-scoped singletons anyway; these maps only remember the handles.
  private static final java.util.Map<String, Counter> GRPC_CALLS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final java.util.Map<String, Timer> GRPC_DURATIONS = new java.util.concurrent.ConcurrentHashMap<>();
}
