package com.zenlogic.customerservice.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.platform.errors.Unavailable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batching rules of checkout reads by id, with the statement replaced by a hand-answered
 * function (the SQL itself is exercised against PostgreSQL by CheckoutBatchTest).
 */
class CheckoutBatcherTest {
  static final UUID ORG_A = UUID.randomUUID();
  static final UUID ORG_B = UUID.randomUUID();

  record Statement(UUID org, List<UUID> ids, Promise<List<CheckoutView>> answer) {
    /** Answers each id with a view whose points balance is the id's position in the statement, or null for the ones given. */
    void reply(UUID... missing) {
      List<CheckoutView> views = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        views.add(List.of(missing).contains(ids.get(i)) ? null : view(i));
      }
      answer.complete(views);
    }
  }

  Vertx vertx;
  Context context;
  List<Statement> statements;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    statements = new CopyOnWriteArrayList<>();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  CheckoutBatcher batcher(int inFlight, int maxBatch, int maxQueued, long timeoutMillis) {
    return new CheckoutBatcher(context, inFlight, maxBatch, maxQueued, timeoutMillis, (org, ids) -> {
      Promise<List<CheckoutView>> answer = Promise.promise();
      statements.add(new Statement(org, List.copyOf(ids), answer));
      return answer.future();
    });
  }

  static CheckoutView view(long marker) {
    return new CheckoutView(null, marker, 0, 0, "bronze", null, null, null, null, null);
  }

  /** Runs on the batcher's event loop and waits, so every call below happens in a known order. */
  <T> T onLoop(java.util.concurrent.Callable<T> action) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        result.complete(action.call());
      } catch (Exception e) {
        result.fail(e);
      }
    });
    return result.future().await(10, TimeUnit.SECONDS);
  }

  void onLoop(Runnable action) throws Exception {
    onLoop(() -> {
      action.run();
      return null;
    });
  }

  @Test
  void anIdleBatcherSendsAtOnceAndReadsThatArriveMeanwhileLeaveTogetherInOrder() throws Exception {
    CheckoutBatcher batcher = batcher(1, 64, 100, 10_000);
    List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    List<Future<CheckoutView>> reads = onLoop(() -> {
      List<Future<CheckoutView>> r = new ArrayList<>();
      ids.forEach(id -> r.add(batcher.read(ORG_A, id)));
      return r;
    });
    assertEquals(1, statements.size(), "the first read went alone, the rest wait for it");
    assertEquals(List.of(ids.get(0)), statements.get(0).ids());
    onLoop(() -> statements.get(0).reply());
    assertEquals(0L, reads.get(0).await(5, TimeUnit.SECONDS).pointsBalance());
    assertEquals(2, statements.size());
    assertEquals(ids.subList(1, 4), statements.get(1).ids(), "everything that queued left in one statement, in order");
    onLoop(() -> statements.get(1).reply(ids.get(2)));
    assertEquals(0L, reads.get(1).await(5, TimeUnit.SECONDS).pointsBalance());
    assertNull(reads.get(2).await(5, TimeUnit.SECONDS), "a missing customer is answered with null, only for its own read");
    assertEquals(2L, reads.get(3).await(5, TimeUnit.SECONDS).pointsBalance());
  }

  @Test
  void aStatementNeverMixesOrganizationsAndTheOldestWaitingOrganizationGoesFirst() throws Exception {
    CheckoutBatcher batcher = batcher(1, 64, 100, 10_000);
    UUID first = UUID.randomUUID();
    onLoop(() -> {
      batcher.read(ORG_A, first);
      batcher.read(ORG_B, UUID.randomUUID());
      batcher.read(ORG_A, UUID.randomUUID());
      batcher.read(ORG_B, UUID.randomUUID());
    });
    onLoop(() -> statements.get(0).reply());
    assertEquals(ORG_B, statements.get(1).org(), "B queued before A's second read");
    assertEquals(2, statements.get(1).ids().size());
    onLoop(() -> statements.get(1).reply());
    assertEquals(ORG_A, statements.get(2).org());
    assertEquals(1, statements.get(2).ids().size());
  }

  @Test
  void aBatchIsCappedAndTheRestWaitsItsTurn() throws Exception {
    CheckoutBatcher batcher = batcher(1, 3, 100, 10_000);
    onLoop(() -> {
      for (int i = 0; i < 8; i++) {
        batcher.read(ORG_A, UUID.randomUUID());
      }
    });
    onLoop(() -> statements.get(0).reply());
    onLoop(() -> statements.get(1).reply());
    onLoop(() -> statements.get(2).reply());
    assertEquals(List.of(1, 3, 3, 1), statements.stream().map(s -> s.ids().size()).toList());
  }

  @Test
  void aFailedStatementFailsExactlyItsReadsAndFreesItsSlot() throws Exception {
    CheckoutBatcher batcher = batcher(1, 64, 100, 10_000);
    List<Future<CheckoutView>> reads = onLoop(() -> List.of(batcher.read(ORG_A, UUID.randomUUID()),
        batcher.read(ORG_A, UUID.randomUUID()), batcher.read(ORG_A, UUID.randomUUID())));
    onLoop(() -> statements.get(0).answer().fail(new IllegalStateException("connection reset")));
    assertTrue(reads.get(0).failed());
    onLoop(() -> statements.get(1).reply());
    assertEquals(1L, reads.get(2).await(5, TimeUnit.SECONDS).pointsBalance(), "the next batch still runs");
  }

  @Test
  void aStatementThatNeverAnswersTimesOutAsUnavailableAndALateAnswerIsIgnored() throws Exception {
    CheckoutBatcher batcher = batcher(1, 64, 100, 200);
    Future<CheckoutView> stuck = onLoop(() -> batcher.read(ORG_A, UUID.randomUUID()));
    Future<CheckoutView> queued = onLoop(() -> batcher.read(ORG_A, UUID.randomUUID()));
    Throwable failure = stuck.transform(ar -> Future.succeededFuture(ar.cause())).await(5, TimeUnit.SECONDS);
    assertInstanceOf(Unavailable.class, failure);
    onLoop(() -> statements.get(0).reply());
    assertEquals(2, statements.size(), "the slot was freed by the timeout, not by the late answer");
    onLoop(() -> statements.get(1).reply());
    assertEquals(0L, queued.await(5, TimeUnit.SECONDS).pointsBalance());
  }

  @Test
  void aFullQueueRefusesAsUnavailableInsteadOfGrowingWithoutBound() throws Exception {
    CheckoutBatcher batcher = batcher(1, 64, 2, 10_000);
    List<Future<CheckoutView>> reads = onLoop(() -> {
      List<Future<CheckoutView>> r = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        r.add(batcher.read(ORG_A, UUID.randomUUID()));
      }
      return r;
    });
    assertTrue(reads.get(3).failed());
    assertInstanceOf(Unavailable.class, reads.get(3).cause());
    assertTrue(!reads.get(1).isComplete() && !reads.get(2).isComplete(), "the two that fit still wait");
  }

  @Test
  void readsFromAnotherThreadAreServedOnTheBatchersLoop() throws Exception {
    CheckoutBatcher batcher = batcher(2, 64, 100, 10_000);
    Future<CheckoutView> read = batcher.read(ORG_A, UUID.randomUUID());
    onLoop(() -> statements.get(0).reply());
    assertEquals(0L, read.await(5, TimeUnit.SECONDS).pointsBalance());
  }
}
