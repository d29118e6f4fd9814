package com.zenlogic.customerservice.platform.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.function.Function;

/**
 * One event-bus address with the request and reply types it carries, declared once per capability
 * (in its *Messages class), so a call site cannot ask one address for another's reply type.
 *
 * <p>{@link #idempotent()} marks operations that may be sent again after a timeout or an
 * unreachable node (every ledger operation is, by its caller's key); the others fail at once.
 */
public final class Address<Q, R> {
  private final String name;
  private final Class<Q> requestType;
  private final Class<R> replyType;
  private final boolean idempotent;
  private final long timeoutMillis;

  private Address(String name, Class<Q> requestType, Class<R> replyType, boolean idempotent, long timeoutMillis) {
    this.name = Objects.requireNonNull(name);
    this.requestType = Objects.requireNonNull(requestType);
    this.replyType = Objects.requireNonNull(replyType);
    this.idempotent = idempotent;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Declares an address; its request and reply records get the wire names {@code <name>/request}
   * and {@code <name>/reply} (see {@link WireCodec}).
   */
  public static <Q, R> Address<Q, R> of(String name, Class<Q> requestType, Class<R> replyType) {
    register(name + "/request", requestType);
    register(name + "/reply", replyType);
    return new Address<>(name, requestType, replyType, false, Bus.DEFAULT_TIMEOUT_MILLIS);
  }

  private static void register(String typeName, Class<?> type) {
    if (!type.isRecord()) {
      throw new IllegalArgumentException(typeName + ": bus messages are records, not " + type.getName());
    }
    WireCodec.register(typeName, type);
  }

  /** Safe to send again: a retry cannot apply twice (the engine dedups on the caller's key). */
  public Address<Q, R> idempotent() {
    return new Address<>(name, requestType, replyType, true, timeoutMillis);
  }

  /** For the few long operations (a whole organization's rescoring). */
  public Address<Q, R> timeout(long millis) {
    return new Address<>(name, requestType, replyType, idempotent, millis);
  }

  public Future<R> request(Vertx vertx, Q request) {
    return Bus.request(vertx, this, request);
  }

  /** Serves this address: runs the handler and replies with its result or its domain error. */
  public void serve(Vertx vertx, Function<Q, Future<R>> handler) {
    Bus.serve(vertx, this, handler);
  }

  public String name() {
    return name;
  }

  public Class<Q> requestType() {
    return requestType;
  }

  public Class<R> replyType() {
    return replyType;
  }

  public boolean isIdempotent() {
    return idempotent;
  }

  public long timeoutMillis() {
    return timeoutMillis;
  }

  @Override
  public String toString() {
    return name;
  }
}
