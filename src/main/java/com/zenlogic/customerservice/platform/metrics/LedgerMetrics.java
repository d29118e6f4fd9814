package com.zenlogic.customerservice.platform.metrics;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import java.util.function.Predicate;

/**
 * customer_ledger_operations_total{ledger, type, outcome}: every operation on the points and the
 * credit ledgers, by what it did. Counted where the operation's outcome is decided, inside its
 * transaction (a commit that fails afterwards is rare and shows as the caller's error).
 */
public final class LedgerMetrics {
  /** A new ledger row was written. */
  public static final String APPLIED = "applied";
  /** The same request again (same idempotency key and request): the stored answer, nothing written. */
  public static final String REPLAYED = "replayed";
  /** The idempotency key was used before for a different request. */
  public static final String CONFLICT = "conflict";
  /** A rule said no (insufficient points or credit, blocked customer, ...). */
  public static final String REFUSED = "refused";
  /** Anything else (the database, a timeout). */
  public static final String ERROR = "error";

  public static final CounterFamily LOYALTY = family("loyalty");
  public static final CounterFamily CREDIT = family("credit");

  private LedgerMetrics() {}

  private static CounterFamily family(String ledger) {
    return new CounterFamily("customer_ledger_operations", "Ledger operations by type and outcome",
        Tags.of("ledger", ledger), "type", "outcome");
  }

  /**
   * Counts {@code op} when it completes: a failure by {@link #outcomeOf}, an answer {@code refused}
   * says no to as refused, one for which {@code wrote[0]} was set (the ledger row was appended) as
   * applied, any other answer (the stored result again) as replayed.
   */
  public static <T> Future<T> counted(CounterFamily family, String type, boolean[] wrote, Predicate<T> refused, Future<T> op) {
    return op.andThen(ar -> family.increment(type, ar.failed() ? outcomeOf(ar.cause())
        : refused != null && refused.test(ar.result()) ? REFUSED : wrote[0] ? APPLIED : REPLAYED));
  }

  /** The outcome a failed operation counts as. */
  public static String outcomeOf(Throwable failure) {
    if (failure instanceof DomainException d) {
      return d.code() == ErrorCode.IDEMPOTENCY_CONFLICT ? CONFLICT : d.code().httpStatus() < 500 ? REFUSED : ERROR;
    }
    return ERROR;
  }
}
