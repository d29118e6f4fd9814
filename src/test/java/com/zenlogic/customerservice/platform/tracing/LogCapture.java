package com.zenlogic.customerservice.platform.tracing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every line logged anywhere in the process while attached (a ListAppender on the root logger), MDC fixed at logging time. */
final class LogCapture extends ListAppender<ILoggingEvent> implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger service = (Logger) LoggerFactory.getLogger("com.zenlogic.customerservice");
  private final Level before = service.getLevel();

  LogCapture(Level serviceLevel) {
    setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    start();
    root.addAppender(this);
    service.setLevel(serviceLevel);
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    super.append(event);
  }

  List<ILoggingEvent> lines() {
    return new ArrayList<>(list);
  }

  /** The line as an operator would read it: message, MDC and every exception (message and class) of the chain. */
  static String text(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(e.getFormattedMessage()).append(' ').append(e.getMDCPropertyMap());
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      b.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return b.toString();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    service.setLevel(before);
    stop();
  }
}
