package com.zenlogic.customerservice.platform.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingOptions;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * OpenTelemetry for the whole process, set up where the Vert.x instance is built. With
 * OTEL_EXPORTER_OTLP_ENDPOINT unset nothing is built: no SDK, no tracer in Vert.x, and the
 * helpers below only pass a stored traceparent through. With it, Vert.x traces HTTP and gRPC
 * servers, the HTTP/gRPC clients, PostgreSQL, Redis and the event bus (TracingPolicy.PROPAGATE:
 * a client span only inside a traced request), and the RabbitMQ side is traced here: the relay's
 * producer span and each consumer's consumer span, linked by the W3C traceparent header.
 */
public final class Tracing {
  public static final String TRACEPARENT = "traceparent";
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");

  // Each traced Vert.x instance's OpenTelemetry, by its tracer (a process may hold several instances, as the tests do).
  private static final Map<VertxTracer<?, ?>, OpenTelemetry> BY_TRACER = Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile boolean anyTracing;

  private Tracing() {}

  /** The builder for options, with the tracer when the configuration enables tracing. */
  public static VertxBuilder builder(VertxOptions options, TracingConfig config) {
    if (!config.enabled()) {
      return Vertx.builder().with(options);
    }
    return builder(options, sdk(config, exporter(config), false));
  }

  /** As above with a given OpenTelemetry (tests install an in-memory exporter through this). */
  public static VertxBuilder builder(VertxOptions options, OpenTelemetry openTelemetry) {
    anyTracing = true;
    options.setTracingOptions(new OpenTelemetryOptions());
    return Vertx.builder().with(options).withTracer(new OpenTelemetryTracingFactory(openTelemetry) {
      @Override
      public VertxTracer<?, ?> tracer(TracingOptions tracing) {
        VertxTracer<?, ?> tracer = super.tracer(tracing);
        BY_TRACER.put(tracer, openTelemetry);
        return tracer;
      }
    });
  }

  private static OpenTelemetry of(Vertx vertx) {
    VertxTracer<?, ?> tracer = ((VertxInternal) vertx).tracer();
    return tracer == null ? null : BY_TRACER.get(tracer);
  }

  /** An SDK exporting to exporter; synchronous export for tests, batched otherwise. */
  public static OpenTelemetrySdk sdk(TracingConfig config, SpanExporter exporter, boolean synchronous) {
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
        .addSpanProcessor(synchronous ? SimpleSpanProcessor.create(exporter) : BatchSpanProcessor.builder(exporter).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    Runtime.getRuntime().addShutdownHook(new Thread(provider::close, "otel-flush"));
    return sdk;
  }

  private static SpanExporter exporter(TracingConfig config) {
    String endpoint = config.endpoint().replaceAll("/+$", "");
    if (config.protocol().equals(TracingConfig.GRPC)) {
      return OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build();
    }
    return OtlpHttpSpanExporter.builder().setEndpoint(endpoint.endsWith("/v1/traces") ? endpoint : endpoint + "/v1/traces").build();
  }

  /** Whether this Vert.x instance traces (it has a tracer). */
  public static boolean isTracing(Vertx vertx) {
    return ((VertxInternal) vertx).tracer() != null;
  }

  /** Whether any Vert.x instance of the process was built with tracing. */
  static boolean enabled() {
    return anyTracing;
  }

  /** The current span's trace id and span id, or null outside a traced request. */
  static SpanContext currentSpan() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? span : null;
  }

  /** The W3C traceparent of the current span, or null: stored with an outbox row so its publication joins the request's trace. */
  public static String currentTraceparent() {
    if (!anyTracing) {
      return null;
    }
    SpanContext span = currentSpan();
    return span == null ? null : "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  /** A span around one RabbitMQ publication or consumption; NONE when tracing is off. */
  public interface MessageSpan {
    MessageSpan NONE = new MessageSpan() {
      @Override
      public String traceparent() {
        return null;
      }

      @Override
      public void end(Throwable failure) {
      }
    };

    /** The header value that makes the receiver's span a child of this one (null: none). */
    String traceparent();

    void end(Throwable failure);
  }

  /**
   * The producer span of the relay publishing an event, child of the request that recorded it
   * (its stored traceparent). Tracing off: the stored traceparent is passed through unchanged.
   */
  public static MessageSpan publish(Vertx vertx, String exchange, String messageId, String storedTraceparent) {
    OpenTelemetry otel = anyTracing ? of(vertx) : null;
    if (otel == null) {
      return storedTraceparent == null ? MessageSpan.NONE : new Passed(storedTraceparent);
    }
    Context parent = extract(otel, storedTraceparent == null ? Map.of() : Map.of(TRACEPARENT, storedTraceparent));
    Span span = otel.getTracer("customer-service").spanBuilder(exchange + " publish").setParent(parent)
        .setSpanKind(SpanKind.PRODUCER).setAttribute(SYSTEM, "rabbitmq").setAttribute(DESTINATION, exchange)
        .setAttribute(MESSAGE_ID, messageId).startSpan();
    return new Started(span);
  }

  /**
   * The consumer span of a delivery, child of the publisher's span (the traceparent header), made
   * current on the calling (duplicated) Vert.x context so what the handling calls joins it.
   */
  public static MessageSpan consume(Vertx vertx, String queue, String messageId, Map<String, Object> headers) {
    OpenTelemetry otel = anyTracing ? of(vertx) : null;
    if (otel == null) {
      return MessageSpan.NONE;
    }
    Context parent = extract(otel, headers == null ? Map.of() : headers);
    Span span = otel.getTracer("customer-service").spanBuilder(queue + " process").setParent(parent)
        .setSpanKind(SpanKind.CONSUMER).setAttribute(SYSTEM, "rabbitmq").setAttribute(DESTINATION, queue)
        .setAttribute(MESSAGE_ID, messageId == null ? "" : messageId).startSpan();
    // Not closed on purpose: the scope belongs to this delivery's own duplicated context, which ends with it.
    parent.with(span).makeCurrent();
    return new Started(span);
  }

  private static Context extract(OpenTelemetry otel, Map<String, ?> headers) {
    Map<String, String> text = new HashMap<>();
    headers.forEach((k, v) -> {
      if (v != null) {
        text.put(k.toLowerCase(java.util.Locale.ROOT), v.toString());
      }
    });
    return otel.getPropagators().getTextMapPropagator().extract(Context.root(), text, MAP_GETTER);
  }

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private record Passed(String traceparent) implements MessageSpan {
    @Override
    public void end(Throwable failure) {
    }
  }

  private record Started(Span span) implements MessageSpan {
    @Override
    public String traceparent() {
      SpanContext c = span.getSpanContext();
      return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    @Override
    public void end(Throwable failure) {
      if (failure != null) {
        span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
      }
      span.end();
    }
  }
}
