package com.zenlogic.customerservice.platform.bus;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.errors.Unavailable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.function.Function;

/**
 * Event-bus plumbing between the API verticles and the capability verticles. Messages are typed
 * records (implementing {@link Local}) passed by reference within the process: no JSON re-encoding
 * on the hot path. Domain errors travel as failure code (the ErrorCode ordinal) plus "field\u0000message"
 * and come back out as the same DomainException.
 */
public final class Bus {
  /** Marker for records sent between verticles of one process. */
  public interface Local {}

  private static final String CODEC = "local-record";
  static final long DEFAULT_TIMEOUT_MILLIS = 10_000;
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(DEFAULT_TIMEOUT_MILLIS);

  private Bus() {}

  /** Once per Vert.x instance, before any verticle sends a record. */
  public static void install(Vertx vertx) {
    vertx.eventBus().registerCodec(new LocalCodec());
    vertx.eventBus().codecSelector(body -> body instanceof Local ? CODEC : null);
  }

  public static <T> Future<T> request(Vertx vertx, String address, Local request) {
    return request(vertx, address, request, OPTIONS);
  }

  /** For the few long operations (a whole organization's rescoring). */
  public static <T> Future<T> request(Vertx vertx, String address, Local request, long timeoutMillis) {
    return request(vertx, address, request, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  @SuppressWarnings("unchecked")
  private static <T> Future<T> request(Vertx vertx, String address, Local request, DeliveryOptions options) {
    return vertx.eventBus().<Object>request(address, request, options)
        .map(reply -> (T) reply.body())
        .recover(Bus::domainFailure);
  }

  /** Typed form: see {@link Address}. */
  static <Q, R> Future<R> request(Vertx vertx, Address<Q, R> address, Q request) {
    return vertx.eventBus().<Object>request(address.name(), request, new DeliveryOptions().setSendTimeout(address.timeoutMillis()))
        .map(reply -> address.replyType().cast(reply.body()))
        .recover(Bus::domainFailure);
  }

  /** Typed form: see {@link Address}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <Q, R> void serve(Vertx vertx, Address<Q, R> address, Function<Q, Future<R>> handler) {
    serve(vertx, address.name(), (Function) handler);
  }

  /** Serves an address: runs the handler and replies with its result or its domain error. */
  public static <Q> void serve(Vertx vertx, String address, Function<Q, Future<?>> handler) {
    vertx.eventBus().<Q>localConsumer(address, message -> {
      Future<?> result;
      try {
        result = handler.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> reply(message, ar.succeeded() ? ar.result() : null, ar.cause()));
    });
  }

  private static final int UNAVAILABLE = -2;
  private static final int INTERNAL = -1;

  private static <Q> void reply(Message<Q> message, Object result, Throwable failure) {
    if (failure == null) {
      try {
        message.reply(result);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Bus.class).error("{} cannot reply", message.address(), e);
        message.fail(INTERNAL, e.toString());
      }
    } else if (failure instanceof DomainException e) {
      message.fail(e.code().ordinal(), (e.field() == null ? "" : e.field()) + "\u0000" + e.getMessage());
    } else if (Unavailable.isDependencyFailure(failure)) {
      message.fail(UNAVAILABLE, failure.toString());
    } else {
      org.slf4j.LoggerFactory.getLogger(Bus.class).error("{} failed", message.address(), failure);
      message.fail(INTERNAL, failure.toString());
    }
  }

  private static <T> Future<T> domainFailure(Throwable failure) {
    if (!(failure instanceof ReplyException r)) {
      return Future.failedFuture(failure);
    }
    if (r.failureType() != ReplyFailure.RECIPIENT_FAILURE || r.failureCode() == UNAVAILABLE) {
      return Future.failedFuture(new Unavailable("Capability unavailable: " + r.getMessage(), r));
    }
    if (r.failureCode() >= 0 && r.failureCode() < ErrorCode.values().length) {
      String text = r.getMessage() == null ? "" : r.getMessage();
      int sep = text.indexOf('\u0000');
      String field = sep > 0 ? text.substring(0, sep) : null;
      String message = sep >= 0 ? text.substring(sep + 1) : text;
      return Future.failedFuture(new DomainException(ErrorCode.values()[r.failureCode()], message, field));
    }
    return Future.failedFuture(new IllegalStateException("Capability failed: " + r.getMessage()));
  }

  /** Identity transform for local delivery; refuses the wire, so nothing leaves the process by accident. */
  private static final class LocalCodec implements MessageCodec<Object, Object> {
    @Override
    public void encodeToWire(Buffer buffer, Object o) {
      throw new IllegalStateException("Local records do not cross the cluster: " + o.getClass().getName());
    }

    @Override
    public Object decodeFromWire(int pos, Buffer buffer) {
      throw new IllegalStateException("Local records do not cross the cluster");
    }

    @Override
    public Object transform(Object o) {
      return o;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
