package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;

/** The REST way in: port (also /health, /metrics, /docs), verticle instances, body limit in bytes. */
public record HttpConfig(int port, int instances, long bodyLimit) {
  public static final List<String> KEYS = List.of("HTTP_PORT", "HTTP_INSTANCES", "HTTP_BODY_LIMIT");

  public static HttpConfig from(ConfigReader r) {
    return new HttpConfig(r.port("HTTP_PORT", 8007),
        r.positive("HTTP_INSTANCES", Runtime.getRuntime().availableProcessors()),
        r.positive("HTTP_BODY_LIMIT", 256 * 1024));
  }
}
