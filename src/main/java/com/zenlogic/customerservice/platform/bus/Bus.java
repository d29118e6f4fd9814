package com.zenlogic.customerservice.platform.bus;

import com.zenlogic.customerservice.platform.tracing.Redact;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.errors.Unavailable;

import com.zenlogic.customerservice.platform.auth.Actor;
import com.zenlogic.customerservice.platform.tracing.Correlation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event-bus plumbing between the API verticles and the capability verticles, used only through
 * {@link Address}. Records pass by reference within a node and as versioned JSON across nodes
 * ({@link WireCodec}). Failures travel as the stable error name (an {@link ErrorCode} name, or
 * UNAVAILABLE / INTERNAL) with field and message, never as an ordinal. A send that times out,
 * finds no handler or cannot reach the node fails fast as {@link Unavailable}; only
 * {@link Address#idempotent()} addresses are sent again, a bounded number of times inside their
 * timeout budget.
 */
public final class Bus {
  /** Marker for records sent between verticles. */
  public interface Local {}

  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  /** BUS_TIMEOUT_MS (environment or system property), default 5000. */
  static final long DEFAULT_TIMEOUT_MILLIS = timeoutFromEnvironment();
  /** Attempts of an idempotent request (the first included). */
  static final int MAX_ATTEMPTS = 3;
  private static final long BACKOFF_MILLIS = 25;

  /** failureCode of every failure this bus sends; the meaning is in the JSON message (by name). */
  static final int FAILURE = 0x2b05;
  static final String UNAVAILABLE = "UNAVAILABLE";
  static final String INTERNAL = "INTERNAL";

  private Bus() {}

  /** Once per Vert.x instance, before any verticle sends a record. */
  public static void install(Vertx vertx) {
    vertx.eventBus().registerCodec(new WireCodec());
    vertx.eventBus().codecSelector(body -> body instanceof Local || WireCodec.isRegistered(body) ? WireCodec.NAME : null);
  }

  static <Q, R> Future<R> request(Vertx vertx, Address<Q, R> address, Q request) {
    long deadline = System.nanoTime() + address.timeoutMillis() * 1_000_000L;
    return attempt(vertx, address, request, 1, deadline);
  }

  private static <Q, R> Future<R> attempt(Vertx vertx, Address<Q, R> address, Q request, int attempt, long deadline) {
    long remaining = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
    int attemptsLeft = address.isIdempotent() ? MAX_ATTEMPTS - attempt + 1 : 1;
    long timeout = Math.max(1, remaining / attemptsLeft);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout);
    String correlationId = Correlation.current();
    if (correlationId != null) {
      options.addHeader(Correlation.HEADER, correlationId);
    }
    String actor = Actor.current();
    if (actor != null) {
      options.addHeader(Actor.HEADER, actor);
    }
    return vertx.eventBus().<Object>request(address.name(), request, options)
        .transform(ar -> {
          if (ar.succeeded()) {
            Object body = ar.result().body();
            if (body instanceof WireCodec.Undecodable u) {
              return Future.failedFuture(new IllegalStateException(address + ": reply not readable: " + u.reason()));
            }
            return Future.succeededFuture(address.replyType().cast(body));
          }
          Throwable failure = ar.cause();
          if (isTransportFailure(failure)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            long backoff = BACKOFF_MILLIS << (attempt - 1);
            if (address.isIdempotent() && attempt < MAX_ATTEMPTS && left > backoff + 1) {
              LOG.debug("{} attempt {} failed ({}), retrying", address, attempt, failure.getMessage());
              return vertx.timer(backoff).compose(v -> attempt(vertx, address, request, attempt + 1, deadline));
            }
            return Future.failedFuture(new Unavailable("Capability unavailable: " + address + ": " + failure.getMessage(), failure));
          }
          return Future.failedFuture(fromWire(failure));
        });
  }

  /** Timeout, no handler, node unreachable: the bus, not the handler, failed. */
  static boolean isTransportFailure(Throwable failure) {
    return failure instanceof ReplyException r && r.failureType() != ReplyFailure.RECIPIENT_FAILURE;
  }

  static <Q, R> void serve(Vertx vertx, Address<Q, R> address, Function<Q, Future<R>> handler) {
    vertx.eventBus().<Object>consumer(address.name(), message -> {
      Correlation.set(message.headers().get(Correlation.HEADER));
      Actor.set(message.headers().get(Actor.HEADER));
      Object body = message.body();
      if (body instanceof WireCodec.Undecodable u) {
        message.fail(FAILURE, failureJson(INTERNAL, null, address + ": request not readable: " + u.reason()));
        return;
      }
      Future<R> result;
      try {
        result = handler.apply(address.requestType().cast(body));
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        LOG.debug("{} answered{}", address, ar.succeeded() ? "" : " with a failure");
        reply(message, ar.succeeded() ? ar.result() : null, ar.cause());
      });
    });
  }

  private static void reply(Message<Object> message, Object result, Throwable failure) {
    if (failure == null) {
      try {
        message.reply(result);
      } catch (RuntimeException e) {
        LOG.error("{} cannot reply: {}", message.address(), Redact.failure(e));
        LOG.debug("{} cannot reply", message.address(), e);
        message.fail(FAILURE, failureJson(INTERNAL, null, Redact.failure(e)));
      }
    } else {
      if (!(failure instanceof DomainException) && !Unavailable.isDependencyFailure(failure)) {
        LOG.error("{} failed: {}", message.address(), Redact.failure(failure));
        LOG.debug("{} failed", message.address(), failure);
      }
      message.fail(FAILURE, toWire(failure));
    }
  }

  /**
   * The failure as it crosses the bus: {"code":NAME,"domain":true,"field":...,"message":...} for a
   * DomainException (NAME an ErrorCode name), {"code":"UNAVAILABLE"|"INTERNAL","domain":false,...}
   * for the others ("domain" keeps ErrorCode.INTERNAL apart from a bug).
   */
  static String toWire(Throwable failure) {
    if (failure instanceof DomainException e) {
      return new JsonObject().put("code", e.code().name()).put("domain", true).put("field", e.field())
          .put("message", e.getMessage()).encode();
    }
    if (Unavailable.isDependencyFailure(failure)) {
      return failureJson(UNAVAILABLE, null, failure.toString());
    }
    return failureJson(INTERNAL, null, Redact.failure(failure));
  }

  private static String failureJson(String code, String field, String message) {
    return new JsonObject().put("code", code).put("domain", false).put("field", field).put("message", message).encode();
  }

  /** The exception a failure from the bus stands for: DomainException, Unavailable or IllegalStateException. */
  static Throwable fromWire(Throwable failure) {
    if (!(failure instanceof ReplyException r)) {
      return failure;
    }
    if (isTransportFailure(r)) {
      return new Unavailable("Capability unavailable: " + r.getMessage(), r);
    }
    JsonObject json;
    try {
      json = new JsonObject(r.getMessage() == null ? "{}" : r.getMessage());
    } catch (RuntimeException notJson) {
      return new IllegalStateException("Capability failed: " + r.getMessage());
    }
    String code = json.getString("code", INTERNAL);
    String message = json.getString("message", "");
    if (json.getBoolean("domain", false)) {
      try {
        return new DomainException(ErrorCode.valueOf(code), message, json.getString("field"));
      } catch (IllegalArgumentException unknown) {
        return new IllegalStateException("Capability failed with unknown error code " + code + ": " + message);
      }
    }
    if (UNAVAILABLE.equals(code)) {
      return new Unavailable("Capability unavailable: " + message, null);
    }
    return new IllegalStateException("Capability failed: " + message);
  }

  private static long timeoutFromEnvironment() {
    String value = System.getProperty("BUS_TIMEOUT_MS", System.getenv("BUS_TIMEOUT_MS"));
    if (value == null || value.isBlank()) {
      return 5_000;
    }
    try {
      long millis = Long.parseLong(value.trim());
      if (millis > 0) {
        return millis;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("BUS_TIMEOUT_MS must be a positive number of milliseconds, not " + value);
  }
}
