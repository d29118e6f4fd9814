package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus metrics at /metrics: Vert.x HTTP server (per route template), SQL pool and event-bus
 * metrics, the JVM's, and ours (customer_*). docs/metrics.md lists them.
 *
 * <p>Histograms: only the latencies a p99 is asked of get buckets (REST routes, gRPC methods, pool
 * wait, jobs), and fixed ones, so a scrape stays small: 13 buckets rather than Micrometer's 70+.
 */
public final class Metrics {
  /** Latency buckets: 1 ms to 10 s, enough for histogram_quantile on REST, gRPC and pool wait. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** Meter names (Micrometer's dotted form) whose latency is published with LATENCY_BUCKETS. */
  private static final Set<String> LATENCY_HISTOGRAMS = Set.of(
      "vertx.http.server.response.time", "vertx.pool.queue.time", "customer_grpc_call_duration");

  // customer-db-<purpose>-<database> (see Db): the purpose is what a dashboard wants to read.
  private static final Pattern SHARED_POOL = Pattern.compile("customer-db-([a-z0-9_]+)-.*");

  private Metrics() {}

  public static VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .addLabels(Label.HTTP_ROUTE, Label.POOL_NAME, Label.POOL_TYPE)
        .setJvmMetricsEnabled(true)
        .setEnabled(true));
  }

  /**
   * The metrics factory to build Vert.x with ({@code Vertx.builder().with(vertxOptions()).withMetrics(factory())}):
   * a Prometheus registry whose filters are in place before Vert.x registers its first meter.
   */
  public static VertxMetricsFactory factory() {
    return new MicrometerMetricsFactory(newRegistry());
  }

  static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        .meterFilter(MeterFilter.replaceTagValues(Label.POOL_NAME.toString(), Metrics::poolName))
        .meterFilter(new MeterFilter() {
          @Override
          public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (!LATENCY_HISTOGRAMS.contains(id.getName())) {
              return config;
            }
            double[] nanos = new double[LATENCY_BUCKETS.length];
            for (int i = 0; i < nanos.length; i++) {
              nanos[i] = LATENCY_BUCKETS[i].toNanos();
            }
            return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
          }
        });
    return registry;
  }

  /** checkout, api, loyalty, credit, segmentation, consumers, health; other pools (Vert.x's own) unchanged. */
  static String poolName(String name) {
    if ("customer-checkout".equals(name)) {
      return "checkout";
    }
    Matcher m = SHARED_POOL.matcher(name);
    return m.matches() ? m.group(1) : name;
  }

  /** The registry /metrics serves, or null when metrics are off (then nothing is counted). */
  public static MeterRegistry registry() {
    return BackendRegistries.getDefaultNow();
  }

  /**
   * The meters of one gRPC method, made when the method is bound: customer_grpc_calls_total{method, status}
   * (how load tests and dashboards count gRPC errors, which are HTTP 200s) and the latency histogram
   * customer_grpc_call_duration_seconds{method, status}.
   */
  public static GrpcMethod grpcMethod(String method) {
    return new GrpcMethod(registry(), method);
  }

  /** Per status, made on first use and kept: recording a call is an array read and two increments. */
  public static final class GrpcMethod {
    private final MeterRegistry registry;
    private final String method;
    private final Counter[] calls = new Counter[GrpcStatus.values().length];
    private final Timer[] durations = new Timer[GrpcStatus.values().length];

    private GrpcMethod(MeterRegistry registry, String method) {
      this.registry = registry;
      this.method = method;
    }

    public void record(GrpcStatus status, long nanos) {
      if (registry == null) {
        return;
      }
      int i = status.ordinal();
      Counter counter = calls[i];
      Timer timer = durations[i];
      if (counter == null || timer == null) {
        // Racy but harmless: Micrometer answers the same meter to both builders.
        counter = Counter.builder("customer_grpc_calls").tag("method", method).tag("status", status.name()).register(registry);
        timer = Timer.builder("customer_grpc_call_duration").tag("method", method).tag("status", status.name()).register(registry);
        calls[i] = counter;
        durations[i] = timer;
      }
      counter.increment();
      timer.record(nanos, TimeUnit.NANOSECONDS);
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
}
