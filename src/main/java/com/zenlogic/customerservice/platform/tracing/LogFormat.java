package com.zenlogic.customerservice.platform.tracing;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/** logback.xml's appender choice from LOG_FORMAT (system property, else environment): "json", else "text". */
public final class LogFormat extends PropertyDefinerBase {
  @Override
  public String getPropertyValue() {
    String format = System.getProperty("LOG_FORMAT", System.getenv("LOG_FORMAT"));
    return format != null && format.trim().toLowerCase(Locale.ROOT).equals("json") ? "json" : "text";
  }
}
