package com.zenlogic.customerservice.platform.tracing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts correlation_id (and trace_id, span_id when tracing) into the MDC of every log line written
 * on a Vert.x thread, from the handling's duplicated context, right before logback builds the
 * event: text logs show it with %X{correlation_id}, JSON logs in their "mdc" object. Off Vert.x
 * threads the MDC is left alone. Declared in logback.xml; {@link #install()} adds it to a
 * configuration that lacks it.
 */
public final class LogCorrelation extends TurboFilter {
  public static final String TRACE_ID = "trace_id";
  public static final String SPAN_ID = "span_id";

  /** Adds the filter to logback unless the configuration already has it. */
  public static void install() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback
        && logback.getTurboFilterList().stream().noneMatch(f -> f instanceof LogCorrelation)) {
      LogCorrelation filter = new LogCorrelation();
      filter.setContext(logback);
      filter.start();
      logback.addTurboFilter(filter);
    }
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // Only for lines that will be written: disabled debug calls cost nothing more.
    if (level == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      return FilterReply.NEUTRAL;
    }
    put(Correlation.MDC_KEY, Correlation.of(context));
    if (Tracing.enabled()) {
      SpanContext span = Tracing.currentSpan();
      put(TRACE_ID, span == null ? null : span.getTraceId());
      put(SPAN_ID, span == null ? null : span.getSpanId());
    }
    return FilterReply.NEUTRAL;
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else if (!value.equals(MDC.get(key))) {
      MDC.put(key, value);
    }
  }
}
