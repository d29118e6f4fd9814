package com.zenlogic.customerservice.platform.tracing;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * OpenTelemetry export, read from the standard OTEL_* names. endpoint null: no tracing at all
 * (no SDK is built, Vert.x gets no tracer).
 */
public record TracingConfig(String endpoint, String protocol, String serviceName) {
  public static final List<String> KEYS = List.of("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME");
  public static final String GRPC = "grpc";
  public static final String HTTP_PROTOBUF = "http/protobuf";

  public static TracingConfig off() {
    return new TracingConfig(null, HTTP_PROTOBUF, "customer-service");
  }

  public static TracingConfig from(JsonObject json) {
    return from(new ConfigReader(json));
  }

  public static TracingConfig from(ConfigReader r) {
    String endpoint = r.optionalText("OTEL_EXPORTER_OTLP_ENDPOINT");
    String protocol = r.text("OTEL_EXPORTER_OTLP_PROTOCOL", HTTP_PROTOBUF);
    if (!protocol.equals(GRPC) && !protocol.equals(HTTP_PROTOBUF)) {
      throw new ConfigException("OTEL_EXPORTER_OTLP_PROTOCOL", "must be grpc or http/protobuf, got '" + protocol + "'");
    }
    return new TracingConfig(endpoint == null || endpoint.isBlank() ? null : endpoint.trim(), protocol,
        r.text("OTEL_SERVICE_NAME", "customer-service"));
  }

  public boolean enabled() {
    return endpoint != null;
  }
}
