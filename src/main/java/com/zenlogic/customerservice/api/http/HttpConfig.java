package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;

/**
 * The REST way in: port (also /health, /metrics, /docs), verticle instances, body limit in bytes,
 * and the per-organization budget of writes (POST/PUT/PATCH/DELETE under /api/v1) per second with
 * its burst; 0 writes per second = no limit; and how many streamed exports may run at once in this
 * process (each holds a database connection of its own while its client reads).
 */
public record HttpConfig(int port, int instances, long bodyLimit, int writesPerSecond, int writeBurst, int exportsMaxConcurrent) {
  public static final List<String> KEYS = List.of("HTTP_PORT", "HTTP_INSTANCES", "HTTP_BODY_LIMIT",
      "RATE_LIMIT_WRITES_PER_SECOND", "RATE_LIMIT_BURST", "EXPORTS_MAX_CONCURRENT");

  public static HttpConfig from(ConfigReader r) {
    return new HttpConfig(r.port("HTTP_PORT", 8007),
        r.positive("HTTP_INSTANCES", Runtime.getRuntime().availableProcessors()),
        r.positive("HTTP_BODY_LIMIT", 256 * 1024),
        zeroOrMore(r, "RATE_LIMIT_WRITES_PER_SECOND", 200), r.positive("RATE_LIMIT_BURST", 400),
        r.positive("EXPORTS_MAX_CONCURRENT", 2));
  }

  private static int zeroOrMore(ConfigReader r, String key, int fallback) {
    long n = r.number(key, fallback);
    if (n < 0 || n > 1_000_000) {
      throw new com.zenlogic.customerservice.platform.config.ConfigException(key, "must be 0 (off) to 1000000, got " + n);
    }
    return (int) n;
  }
}
