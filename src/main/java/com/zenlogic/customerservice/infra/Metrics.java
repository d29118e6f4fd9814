package com.zenlogic.customerservice.infra;

import io.vertx.core.VertxOptions;
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
}
