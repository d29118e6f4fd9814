package com.zenlogic.customerservice.webhooks;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Webhooks: how hard a delivery is tried, how an endpoint is protected, which targets are allowed.
 *
 * @param maxAttempts         failed attempts of one delivery before it is dead-lettered
 * @param backoffBaseMillis   wait after the first failure; doubles per failure (with jitter)
 * @param backoffMaxMillis    the longest wait between two attempts
 * @param timeoutMillis       connect, and then the whole answer, must each come within this
 * @param breakerMaxFailures  consecutive failures of one endpoint that open its circuit
 * @param breakerResetSeconds an open circuit lets one probe through after this long
 * @param maxInFlight         deliveries in flight at once on the dispatching node
 * @param endpointInFlight    of those, to one endpoint (a slow receiver cannot take every slot)
 * @param pollMillis          period of the dispatcher's look for due deliveries (it also wakes on new events)
 * @param retentionDays       delivered rows are kept this long in the delivery log (dead ones until redelivered or deleted)
 * @param maxPerOrganization  subscriptions one organization may have (each multiplies its events' writes)
 * @param allowedHosts        hosts exempt from the https and no-internal-address rules (lower case; tests, a sidecar)
 */
public record WebhooksConfig(int maxAttempts, int backoffBaseMillis, int backoffMaxMillis, int timeoutMillis,
                             int breakerMaxFailures, int breakerResetSeconds, int maxInFlight, int endpointInFlight,
                             int pollMillis, int retentionDays, int maxPerOrganization, Set<String> allowedHosts) {
  public static final List<String> KEYS = List.of("WEBHOOKS_MAX_ATTEMPTS", "WEBHOOKS_BACKOFF_BASE_MS", "WEBHOOKS_BACKOFF_MAX_MS",
      "WEBHOOKS_TIMEOUT_MS", "WEBHOOKS_BREAKER_MAX_FAILURES", "WEBHOOKS_BREAKER_RESET_SECONDS", "WEBHOOKS_MAX_IN_FLIGHT",
      "WEBHOOKS_ENDPOINT_IN_FLIGHT", "WEBHOOKS_POLL_MS", "WEBHOOKS_RETENTION_DAYS", "WEBHOOKS_MAX_PER_ORGANIZATION",
      "WEBHOOKS_ALLOWED_HOSTS");

  public static WebhooksConfig from(ConfigReader r) {
    int base = r.positive("WEBHOOKS_BACKOFF_BASE_MS", 1000);
    int max = r.positive("WEBHOOKS_BACKOFF_MAX_MS", 3_600_000);
    if (max < base) {
      throw new ConfigException("WEBHOOKS_BACKOFF_MAX_MS", "must be at least WEBHOOKS_BACKOFF_BASE_MS (" + base + ")");
    }
    String hosts = r.text("WEBHOOKS_ALLOWED_HOSTS", "");
    Set<String> allowed = Arrays.stream(hosts.split(",")).map(h -> h.strip().toLowerCase(Locale.ROOT))
        .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
    return new WebhooksConfig(
        r.positive("WEBHOOKS_MAX_ATTEMPTS", 15),
        base,
        max,
        r.positive("WEBHOOKS_TIMEOUT_MS", 10_000),
        r.positive("WEBHOOKS_BREAKER_MAX_FAILURES", 5),
        r.positive("WEBHOOKS_BREAKER_RESET_SECONDS", 60),
        r.positive("WEBHOOKS_MAX_IN_FLIGHT", 32),
        r.positive("WEBHOOKS_ENDPOINT_IN_FLIGHT", 4),
        r.positive("WEBHOOKS_POLL_MS", 1000),
        r.positive("WEBHOOKS_RETENTION_DAYS", 14),
        r.positive("WEBHOOKS_MAX_PER_ORGANIZATION", 20),
        allowed);
  }

  /** The wait before attempt {@code failures + 1}: base * 2^(failures-1), capped, then between half and all of it. */
  public long backoffMillis(int failures, double random) {
    long full = Math.min(backoffMaxMillis, (long) backoffBaseMillis << Math.min(Math.max(failures - 1, 0), 30));
    return full / 2 + (long) (full / 2.0 * random);
  }
}
