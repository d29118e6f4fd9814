package com.zenlogic.customerservice.platform.errors;

import io.vertx.core.impl.NoStackTraceThrowable;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** A dependency (database, cache, broker) could not answer: the caller should retry, nothing is wrong with the request. */
public final class Unavailable extends RuntimeException {
  public Unavailable(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** Failures that mean "could not reach or wait for a dependency", as opposed to bugs. */
  public static boolean isDependencyFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Unavailable || t instanceof ConnectException || t instanceof TimeoutException
          || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
          || t instanceof io.vertx.core.VertxException && String.valueOf(t.getMessage()).contains("closed")
          || t instanceof NoStackTraceThrowable && String.valueOf(t.getMessage()).toLowerCase().contains("timeout")) {
        return true;
      }
    }
    return false;
  }
}
