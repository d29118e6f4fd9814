package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * customer_job_runs_total{job, outcome=success|failure} and customer_job_duration_seconds{job}
 * (histogram): one run of a scheduled job on the node that ran it. Jobs run seconds apart at most,
 * so the meters are looked up per run.
 */
public final class JobMetrics {
  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";

  private static final Duration[] BUCKETS = {
      Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
      Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1)};

  private JobMetrics() {}

  /** Runs the work and counts it under {@code job}; a work that throws counts as a failure. */
  public static <T> Future<T> timed(String job, Supplier<Future<T>> work) {
    long started = System.nanoTime();
    Future<T> run;
    try {
      run = work.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    return run.andThen(ar -> record(job, ar.succeeded(), System.nanoTime() - started));
  }

  static void record(String job, boolean succeeded, long nanos) {
    MeterRegistry registry = Metrics.registry();
    if (registry == null) {
      return;
    }
    Counter.builder("customer_job_runs").description("Runs of a scheduled job on this node")
        .tag("job", job).tag("outcome", succeeded ? SUCCESS : FAILURE).register(registry).increment();
    Timer.builder("customer_job_duration").description("How long one run of a scheduled job took")
        .tag("job", job).serviceLevelObjectives(BUCKETS).register(registry).record(Duration.ofNanos(nanos));
  }
}
