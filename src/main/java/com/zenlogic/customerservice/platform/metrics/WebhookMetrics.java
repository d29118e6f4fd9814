package com.zenlogic.customerservice.platform.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * Webhook delivery attempts, at /metrics: customer_webhook_deliveries_total{outcome} with outcome
 * delivered (2xx), failed (any other answer, a timeout, a refused connection or target; will be
 * retried) and dead_lettered (the failure that used up the last attempt; counted instead of failed),
 * and the gauges customer_webhook_deliveries_pending and customer_webhook_deliveries_dead (rows, all
 * organizations), refreshed every 15 s by the dispatching node. The endpoints' circuit breakers
 * show as customer_breaker_state{dependency="webhooks"} (the worst endpoint).
 */
public final class WebhookMetrics {
  public static final String DELIVERED = "delivered";
  public static final String FAILED = "failed";
  public static final String DEAD_LETTERED = "dead_lettered";
  public static final String BREAKER = "webhooks";

  private static final CounterFamily DELIVERIES = new CounterFamily("customer_webhook_deliveries",
      "Webhook delivery attempts by outcome", Tags.empty(), "outcome", null);

  private WebhookMetrics() {}

  public static void attempted(String outcome) {
    DELIVERIES.increment(outcome, "");
  }

  public static double count(String outcome) {
    return DELIVERIES.count(outcome, "");
  }

  public static void backlog(long pending, long dead) {
    Gauges.set("customer_webhook_deliveries_pending", "Webhook deliveries not yet delivered (all organizations)", null, null, pending);
    Gauges.set("customer_webhook_deliveries_dead", "Webhook deliveries dead-lettered, waiting for a redelivery", null, null, dead);
  }
}
