package com.zenlogic.customerservice.platform.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.errors.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.eventbus.impl.codecs.ReplyExceptionMessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failures by name, Unavailable on timeout / no handler, retries only for idempotent addresses. */
class BusTest {
  record Ping(int n) implements Bus.Local {}

  record Pong(int n) implements Bus.Local {}

  private static final Address<Ping, Pong> FAIL = Address.of("test.bus.fail", Ping.class, Pong.class);
  private static final Address<Ping, Pong> SILENT = Address.of("test.bus.silent", Ping.class, Pong.class).timeout(400);
  private static final Address<Ping, Pong> SILENT_IDEMPOTENT =
      Address.of("test.bus.silent.idempotent", Ping.class, Pong.class).idempotent().timeout(600);
  private static final Address<Ping, Pong> NOBODY = Address.of("test.bus.nobody", Ping.class, Pong.class).timeout(2_000);
  private static final Address<Ping, Pong> NOBODY_IDEMPOTENT =
      Address.of("test.bus.nobody.idempotent", Ping.class, Pong.class).idempotent().timeout(2_000);
  private static final Address<Ping, Pong> ECHO = Address.of("test.bus.echo", Ping.class, Pong.class).idempotent();

  private static Vertx vertx;
  private static final AtomicInteger silentCalls = new AtomicInteger();
  private static final AtomicInteger silentIdempotentCalls = new AtomicInteger();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    Bus.install(vertx);
    FAIL.serve(vertx, q -> {
      if (q.n() == -1) {
        return Future.failedFuture(new Unavailable("database down", null));
      }
      if (q.n() == -2) {
        return Future.failedFuture(new IllegalStateException("a bug"));
      }
      ErrorCode code = ErrorCode.values()[q.n()];
      return Future.failedFuture(new DomainException(code, "message of " + code, q.n() % 2 == 0 ? "field_" + q.n() : null));
    });
    SILENT.serve(vertx, q -> {
      silentCalls.incrementAndGet();
      return Promise.<Pong>promise().future();
    });
    SILENT_IDEMPOTENT.serve(vertx, q -> {
      silentIdempotentCalls.incrementAndGet();
      return Promise.<Pong>promise().future();
    });
    ECHO.serve(vertx, q -> Future.succeededFuture(new Pong(q.n() + 1)));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void everyErrorCodeCrossesTheBusByName() throws Exception {
    for (ErrorCode code : ErrorCode.values()) {
      DomainException e = assertInstanceOf(DomainException.class, failure(FAIL, new Ping(code.ordinal())));
      assertEquals(code, e.code());
      assertEquals("message of " + code, e.getMessage());
      assertEquals(code.ordinal() % 2 == 0 ? "field_" + code.ordinal() : null, e.field());
    }
    assertInstanceOf(Unavailable.class, failure(FAIL, new Ping(-1)));
    Throwable internal = failure(FAIL, new Ping(-2));
    assertInstanceOf(IllegalStateException.class, internal);
    assertTrue(internal.getMessage().contains("a bug"), internal.getMessage());
  }

  @Test
  void aFailureOnTheWireCarriesTheNameNotTheOrdinal() {
    ReplyExceptionMessageCodec codec = new ReplyExceptionMessageCodec();
    for (ErrorCode code : ErrorCode.values()) {
      String wire = Bus.toWire(new DomainException(code, "text \u0000 with nul", "points"));
      JsonObject json = new JsonObject(wire);
      assertEquals(code.name(), json.getString("code"));
      Buffer buffer = Buffer.buffer();
      codec.encodeToWire(buffer, new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Bus.FAILURE, wire));
      ReplyException received = codec.decodeFromWire(0, buffer);
      assertEquals(Bus.FAILURE, received.failureCode(), "one failure code for all; the meaning is the name");
      DomainException back = assertInstanceOf(DomainException.class, Bus.fromWire(received));
      assertEquals(code, back.code());
      assertEquals("points", back.field());
      assertEquals("text \u0000 with nul", back.getMessage());
    }
    assertEquals(Bus.UNAVAILABLE, new JsonObject(Bus.toWire(new Unavailable("x", null))).getString("code"));
    assertEquals(Bus.INTERNAL, new JsonObject(Bus.toWire(new IllegalArgumentException("x"))).getString("code"));
    assertInstanceOf(Unavailable.class, Bus.fromWire(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Bus.FAILURE,
        "{\"code\":\"UNAVAILABLE\",\"message\":\"m\"}")));
    Throwable unknown = Bus.fromWire(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Bus.FAILURE,
        "{\"code\":\"FROM_A_NEWER_NODE\",\"domain\":true,\"message\":\"m\"}"));
    assertInstanceOf(IllegalStateException.class, unknown);
    assertTrue(unknown.getMessage().contains("FROM_A_NEWER_NODE"));
    assertInstanceOf(Unavailable.class, Bus.fromWire(new ReplyException(ReplyFailure.TIMEOUT, "timed out")));
    assertInstanceOf(Unavailable.class, Bus.fromWire(new ReplyException(ReplyFailure.NO_HANDLERS, "none")));
  }

  @Test
  void aTimeoutIsUnavailableAndANonIdempotentAddressIsSentOnce() throws Exception {
    silentCalls.set(0);
    long t0 = System.nanoTime();
    assertInstanceOf(Unavailable.class, failure(SILENT, new Ping(1)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 350 && ms < 1_500, "took " + ms + " ms");
    assertEquals(1, silentCalls.get());
  }

  @Test
  void anIdempotentAddressIsRetriedInsideItsTimeoutBudget() throws Exception {
    silentIdempotentCalls.set(0);
    long t0 = System.nanoTime();
    assertInstanceOf(Unavailable.class, failure(SILENT_IDEMPOTENT, new Ping(1)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(Bus.MAX_ATTEMPTS, silentIdempotentCalls.get());
    assertTrue(ms < 600 + 400, "took " + ms + " ms for a 600 ms budget");
    System.out.printf("idempotent timeout: %d attempts in %d ms (budget 600)%n", silentIdempotentCalls.get(), ms);
  }

  @Test
  void noHandlerIsUnavailableAtOnce() throws Exception {
    long t0 = System.nanoTime();
    assertInstanceOf(Unavailable.class, failure(NOBODY, new Ping(1)));
    long once = (System.nanoTime() - t0) / 1_000_000;
    t0 = System.nanoTime();
    assertInstanceOf(Unavailable.class, failure(NOBODY_IDEMPOTENT, new Ping(1)));
    long retried = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(once < 300, "no handler took " + once + " ms");
    assertTrue(retried < 600, "no handler, retried, took " + retried + " ms");
    System.out.printf("no handler: %d ms once, %d ms with retries (timeouts 2000)%n", once, retried);
  }

  @Test
  void aTypedRequestGetsItsTypedReply() throws Exception {
    Pong pong = ECHO.request(vertx, new Ping(41)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(42, pong.n());
    assertFalse(Bus.isTransportFailure(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 1, "x")));
  }

  private static Throwable failure(Address<Ping, Pong> address, Ping ping) throws Exception {
    try {
      address.request(vertx, ping).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError(address + " succeeded");
  }
}
