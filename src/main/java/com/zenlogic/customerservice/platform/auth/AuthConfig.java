package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;
import java.util.Locale;

/**
 * Who verifies bearer tokens: this service with its own keys ({@code local}, see JwtConfig) or
 * the Auth Service over HTTP ({@code remote}), and how hard the remote calls try.
 *
 * @param timeoutMs           AUTH_TIMEOUT_MS, one attempt (connect and answer)
 * @param budgetMs            AUTH_BUDGET_MS, all attempts and backoffs of one verification together
 * @param retries             AUTH_RETRIES, attempts after the first on a failure of the Auth Service
 * @param breakerMaxFailures  AUTH_BREAKER_MAX_FAILURES, consecutive failed verifications that open the breaker
 * @param breakerResetSeconds AUTH_BREAKER_RESET_SECONDS, how long it stays open before one probe (half-open)
 * @param cacheSeconds        AUTH_CACHE_SECONDS, how long a verified token is remembered (never past its exp); 0 = never
 * @param cacheMaxEntries     AUTH_CACHE_MAX_ENTRIES, tokens remembered at most (least recently used go first)
 */
public record AuthConfig(Mode mode, String serviceUrl, int timeoutMs, int budgetMs, int retries, int breakerMaxFailures,
                         int breakerResetSeconds, int cacheSeconds, int cacheMaxEntries) {
  public enum Mode { LOCAL, REMOTE }

  public static final List<String> KEYS = List.of("AUTH_MODE", "AUTH_SERVICE_URL", "AUTH_TIMEOUT_MS", "AUTH_BUDGET_MS",
      "AUTH_RETRIES", "AUTH_BREAKER_MAX_FAILURES", "AUTH_BREAKER_RESET_SECONDS", "AUTH_CACHE_SECONDS", "AUTH_CACHE_MAX_ENTRIES");

  public static AuthConfig from(ConfigReader r) {
    String modeText = r.text("AUTH_MODE", "local").toLowerCase(Locale.ROOT);
    Mode mode = switch (modeText) {
      case "local" -> Mode.LOCAL;
      case "remote" -> Mode.REMOTE;
      default -> throw new ConfigException("AUTH_MODE", "must be local or remote, got '" + modeText + "'");
    };
    String url = r.uri("AUTH_SERVICE_URL", "http");
    if (mode == Mode.REMOTE && url == null) {
      throw new ConfigException("AUTH_SERVICE_URL", "is required with AUTH_MODE=remote (e.g. http://auth-service:8080)");
    }
    if (url != null && url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    int timeout = r.positive("AUTH_TIMEOUT_MS", 1_000);
    int budget = r.positive("AUTH_BUDGET_MS", 3_000);
    if (budget < timeout) {
      throw new ConfigException("AUTH_BUDGET_MS", "must be at least AUTH_TIMEOUT_MS (" + timeout + "), got " + budget);
    }
    return new AuthConfig(mode, url, timeout, budget, (int) bounded(r, "AUTH_RETRIES", 3, 0, 10),
        r.positive("AUTH_BREAKER_MAX_FAILURES", 5), r.positive("AUTH_BREAKER_RESET_SECONDS", 60),
        (int) bounded(r, "AUTH_CACHE_SECONDS", 30, 0, 3_600), r.positive("AUTH_CACHE_MAX_ENTRIES", 10_000));
  }

  public boolean remote() {
    return mode == Mode.REMOTE;
  }

  private static long bounded(ConfigReader r, String key, long fallback, long min, long max) {
    long value = r.number(key, fallback);
    if (value < min || value > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
