package com.zenlogic.customerservice.platform.tracing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * The correlation id of the request, gRPC call or consumed event being handled, kept in the local
 * data of its duplicated Vert.x context: it follows the handling through every callback, timer
 * and executeBlocking, and ends with it. {@link LogCorrelation} puts it in every log line's MDC;
 * the event bus carries it to the capability verticles (platform/bus/Bus).
 */
public final class Correlation {
  /** MDC key, and the envelope field of every event. */
  public static final String MDC_KEY = "correlation_id";
  /** HTTP header / gRPC metadata / event-bus header (lower case: HTTP/2 and gRPC want it so). */
  public static final String HEADER = "x-correlation-id";
  public static final int MAX_LENGTH = 100;

  // A private key: nobody else can read or overwrite it by accident.
  private static final Object KEY = new Object() {
    @Override
    public String toString() {
      return "correlation_id";
    }
  };

  private Correlation() {}

  /** The current handling's correlation id, or null (no Vert.x context, or none set). */
  public static String current() {
    return of(Vertx.currentContext());
  }

  static String of(Context context) {
    return context instanceof ContextInternal c && c.isDuplicate() ? (String) c.localContextData().get(KEY) : null;
  }

  /**
   * Sets the id for the current handling. Only a duplicated context (one request's own) takes it:
   * a verticle's base context is shared by everything it does.
   */
  public static void set(String id) {
    Context context = Vertx.currentContext();
    if (id != null && context instanceof ContextInternal c && c.isDuplicate()) {
      c.localContextData().put(KEY, id);
    }
  }

  /** A fresh duplicated context of the current one carrying id, for handling that starts outside any request (a delivery). */
  public static ContextInternal newHandling(Context base, String id) {
    ContextInternal dup = ((ContextInternal) base).duplicate();
    if (id != null) {
      dup.localContextData().put(KEY, id);
    }
    return dup;
  }

  /** A caller's id if usable (present, not blank, at most MAX_LENGTH, no control characters that could forge log lines), else null. */
  public static String usable(String id) {
    return id == null || id.isBlank() || id.length() > MAX_LENGTH || id.chars().anyMatch(Character::isISOControl) ? null : id;
  }
}
