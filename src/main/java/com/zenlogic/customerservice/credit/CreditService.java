package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.credit.CreditMessages.Balance;
import com.zenlogic.customerservice.credit.CreditMessages.CheckResult;
import com.zenlogic.customerservice.credit.CreditMessages.UseDecision;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.customer.CustomerDirectory;
import com.zenlogic.customerservice.customer.CustomerStatus;
import com.zenlogic.customerservice.platform.metrics.LedgerMetrics;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Commercial credit rules. Every change locks the customer's credit line row, appends to the
 * ledger under an idempotency key (order id, payment reference) and moves outstanding in the same
 * transaction, so concurrent orders can never push outstanding past the limit.
 */
public final class CreditService {
  private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);

  private final Db db;
  private final CreditBook book = new CreditBook();
  private final CustomerChangeListener listener;
  private final Clock clock;

  public CreditService(Db db, CustomerChangeListener listener, Clock clock) {
    this.db = db;
    this.listener = listener;
    this.clock = clock;
  }

  public Future<CheckResult> check(CreditMessages.Check r) {
    BigDecimal amount = money("amount", r.amount());
    UUID org = r.caller().organizationId();
    return db.withTenant(org, conn -> requireCustomer(conn, org, r.customerId()).compose(s -> book.line(conn, org, r.customerId())))
        .map(line -> {
          if (line == null || !line.status().usable()) {
            return new CheckResult(false, ZERO, line == null ? ZERO : line.creditLimit());
          }
          return new CheckResult(line.available().compareTo(amount) >= 0, line.available(), line.creditLimit());
        });
  }

  /** Charges an order to the customer's line, or answers a refusal with a reason the cashier can read. */
  public Future<UseDecision> use(CreditMessages.Use r) {
    BigDecimal amount = positive("amount", r.amount());
    String orderId = reference("order_id", r.orderId());
    UUID org = r.caller().organizationId();
    String key = "charge:" + orderId;
    String hash = r.customerId() + "|" + amount.toPlainString();
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    boolean[] wrote = {false};
    return LedgerMetrics.counted(LedgerMetrics.CREDIT, "use", wrote, d -> !d.approved(),
        changing(r.caller(), r.customerId(), conn -> requireCustomer(conn, org, r.customerId()).compose(status ->
        book.lockLine(conn, org, r.customerId()).compose(line -> book.entry(conn, org, key).compose(existing -> {
          if (existing != null) {
            if (!existing.requestHash().equals(hash)) {
              throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT.format("order_id " + orderId),
                  "order_id");
            }
            return book.chargeByOrder(conn, org, orderId).map(c -> new UseDecision(true, line.available(), c.dueDate(), null, null));
          }
          if (status == CustomerStatus.BLOCKED) {
            return refuse(CreditMessages.CUSTOMER_BLOCKED, "The customer is blocked: credit sales are not allowed.", line);
          }
          if (line == null || line.status() == CreditLineStatus.PENDING || line.status() == CreditLineStatus.CLOSED) {
            return refuse(CreditMessages.NO_CREDIT_LINE, "The customer has no approved credit line.", line);
          }
          if (line.status() == CreditLineStatus.SUSPENDED) {
            return refuse(CreditMessages.LINE_SUSPENDED, "The customer's credit line is suspended.", line);
          }
          return book.policy(conn, org).compose(policy ->
              book.oldestOverdue(conn, org, r.customerId(), today.minusDays(policy.overdueToleranceDays() + policy.graceDays())))
              .compose(overdueSince -> {
                if (overdueSince != null) {
                  return refuse(CreditMessages.OVERDUE, "Payment overdue since " + overdueSince + ": settle it to buy on credit again.", line);
                }
                if (line.available().compareTo(amount) < 0) {
                  return Outbox.record(conn, r.caller(), CreditEvents.LIMIT_EXCEEDED, r.customerId(), new JsonObject()
                          .put("customer_id", r.customerId().toString()).put("order_id", orderId)
                          .put("amount", amount.toPlainString()).put("available", line.available().toPlainString())
                          .put("credit_limit", line.creditLimit().toPlainString()))
                      .compose(e -> refuse(CreditMessages.INSUFFICIENT_CREDIT,
                          "Available credit is " + line.available().toPlainString() + " " + line.currency() + ", the order needs "
                              + amount.toPlainString() + ".", line));
                }
                // An overpayment left as credit balance pays for the next charges first.
                BigDecimal prepaid = line.creditBalance().min(amount);
                LocalDate due = today.plusDays(line.termsDays());
                return book.insertCharge(conn, org, r.customerId(), orderId, amount, prepaid, due, now)
                    .map(charged -> claimed(charged, "order_id", orderId))
                    .compose(v -> book.move(conn, org, r.customerId(), amount.subtract(prepaid), prepaid.negate(), now))
                    .compose(after -> book.append(conn, org, r.customerId(), "charge", amount.subtract(prepaid), prepaid.negate(),
                            after, orderId, key, hash, r.caller().userId(), null)
                        .map(ok -> wrote[0] = claimed(ok, "order_id", orderId))
                        .compose(ok -> Outbox.record(conn, r.caller(), CreditEvents.USED, r.customerId(), new JsonObject()
                            .put("customer_id", r.customerId().toString()).put("order_id", orderId)
                            .put("amount", amount.toPlainString()).put("due_date", due.toString())
                            .put("outstanding", after.outstanding().toPlainString())))
                        .map(e -> new UseDecision(true, available(line, after.outstanding(), after.creditBalance()), due, null, null)));
              });
        })))));
  }

  /** Frees credit of a cancelled order: all that is left of it, or part of it. */
  public Future<Balance> release(CreditMessages.Release r) {
    return changing(r.caller(), r.customerId(), conn -> releaseIn(conn, r));
  }

  /** Release inside the caller's tenant transaction (event consumers add their inbox row to it). */
  public Future<Balance> releaseIn(SqlConnection conn, CreditMessages.Release r) {
    String orderId = reference("order_id", r.orderId());
    BigDecimal asked = r.amount() == null ? null : positive("amount", r.amount());
    UUID org = r.caller().organizationId();
    Instant now = clock.instant();
    boolean[] wrote = {false};
    return LedgerMetrics.counted(LedgerMetrics.CREDIT, "release", wrote, null,
        requireCustomer(conn, org, r.customerId()).compose(s -> book.lockLine(conn, org, r.customerId())).compose(line -> {
      if (line == null) {
        throw ErrorCode.ORDER_NOT_FOUND.exception(orderId);
      }
      return book.chargeByOrder(conn, org, orderId).compose(charge -> {
        if (charge == null || !charge.customerId().equals(r.customerId())) {
          throw ErrorCode.ORDER_NOT_FOUND.exception(orderId);
        }
        BigDecimal release = asked == null ? charge.remaining() : asked;
        if (release.compareTo(charge.remaining()) > 0) {
          throw DomainException.invalid("amount", "only " + charge.remaining().toPlainString() + " of order " + orderId + " is still owed");
        }
        // A full release is idempotent by nature (nothing left the second time); a partial one by its amount.
        String key = "release:" + orderId + ":" + (asked == null ? "rest" : asked.toPlainString());
        return book.entry(conn, org, key).compose(existing -> {
          if (existing != null || release.signum() == 0) {
            return Future.succeededFuture(balance(line));
          }
          return book.settle(conn, org, charge.id(), ZERO, release)
              .compose(v -> book.move(conn, org, r.customerId(), release.negate(), ZERO, now))
              .compose(after -> book.append(conn, org, r.customerId(), "release", release.negate(), ZERO, after, orderId,
                      key, r.customerId() + "|" + release.toPlainString(), r.caller().userId(), null)
                  .map(ok -> wrote[0] = claimed(ok, "order_id", orderId))
                  .compose(ok -> Outbox.record(conn, r.caller(), CreditEvents.RELEASED, r.customerId(), new JsonObject()
                      .put("customer_id", r.customerId().toString()).put("order_id", orderId).put("amount", release.toPlainString())
                      .put("outstanding", after.outstanding().toPlainString())))
                  .map(e -> new Balance(r.customerId(), available(line, after.outstanding(), after.creditBalance()), after.outstanding(),
                      after.creditBalance())));
        });
      });
    }));
  }

  /**
   * A payment settles the oldest charges first; what is left over is kept as a credit balance that
   * the next charges use first. The same payment reference twice counts once.
   */
  public Future<Balance> recordPayment(CreditMessages.Payment r) {
    return changing(r.caller(), r.customerId(), conn -> recordPaymentIn(conn, r));
  }

  /** Record a payment inside the caller's tenant transaction (event consumers add their inbox row to it). */
  public Future<Balance> recordPaymentIn(SqlConnection conn, CreditMessages.Payment r) {
    BigDecimal amount = positive("amount", r.amount());
    String reference = reference("payment_reference", r.paymentReference());
    UUID org = r.caller().organizationId();
    String key = "payment:" + reference;
    String hash = r.customerId() + "|" + amount.toPlainString();
    Instant now = clock.instant();
    boolean[] wrote = {false};
    return LedgerMetrics.counted(LedgerMetrics.CREDIT, "payment", wrote, null, requireCustomer(conn, org, r.customerId())
        .compose(s -> book.lockLine(conn, org, r.customerId())).compose(line -> {
          if (line == null) {
            throw ErrorCode.CREDIT_LINE_NOT_FOUND.exception(r.customerId());
          }
          return book.entry(conn, org, key).compose(existing -> {
            if (existing != null) {
              if (!existing.requestHash().equals(hash)) {
                throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT,
                    ErrorCode.IDEMPOTENCY_CONFLICT.format("payment_reference " + reference), "payment_reference");
              }
              // The stored result: what the payment left, not what later entries made of it.
              return Future.succeededFuture(new Balance(r.customerId(),
                  available(line, existing.outstandingAfter(), existing.creditBalanceAfter()), existing.outstandingAfter(),
                  existing.creditBalanceAfter()));
            }
            return book.openCharges(conn, org, r.customerId()).compose(charges -> {
              BigDecimal left = amount;
              Future<Void> settled = Future.succeededFuture();
              for (CreditBook.Charge c : charges) {
                if (left.signum() == 0) {
                  break;
                }
                BigDecimal pay = left.min(c.remaining());
                left = left.subtract(pay);
                settled = settled.compose(v -> book.settle(conn, org, c.id(), pay, ZERO));
              }
              BigDecimal applied = amount.subtract(left);
              BigDecimal overpaid = left;
              return settled
                  .compose(v -> book.move(conn, org, r.customerId(), applied.negate(), overpaid, now))
                  .compose(after -> book.append(conn, org, r.customerId(), "payment", applied.negate(), overpaid, after,
                          reference, key, hash, r.caller().userId(), null)
                      .map(ok -> wrote[0] = claimed(ok, "payment_reference", reference))
                      .compose(ok -> Outbox.record(conn, r.caller(), CreditEvents.PAYMENT_RECORDED, r.customerId(), new JsonObject()
                          .put("customer_id", r.customerId().toString()).put("payment_reference", reference)
                          .put("amount", amount.toPlainString()).put("applied", applied.toPlainString())
                          .put("credit_balance", after.creditBalance().toPlainString())
                          .put("outstanding", after.outstanding().toPlainString())))
                      .map(e -> new Balance(r.customerId(), available(line, after.outstanding(), after.creditBalance()),
                          after.outstanding(), after.creditBalance())));
            });
          });
        }));
  }

  /** A credit manager's change to a line; every change is audited, approval emits credit.approved. */
  public Future<CreditMessages.Summary> changeLine(CreditMessages.LineChange r) {
    UUID org = r.caller().organizationId();
    Instant now = clock.instant();
    return changing(r.caller(), r.customerId(), conn -> requireCustomer(conn, org, r.customerId())
        .compose(s -> book.lockLine(conn, org, r.customerId())).compose(before -> {
          String action = r.action();
          if (CreditLineAction.CREATE.code().equals(action)) {
            if (before != null) {
              throw ErrorCode.CREDIT_LINE_EXISTS.exception(r.customerId());
            }
            BigDecimal limit = money("credit_limit", r.creditLimit());
            String currency = currency(r.currency());
            int terms = terms(r.termsDays() == null ? 30 : r.termsDays());
            return book.insertLine(conn, org, r.customerId(), limit, currency, terms, r.notes())
                .map(created -> {
                  if (!created) {
                    // A concurrent create committed between our look and our insert.
                    throw ErrorCode.CREDIT_LINE_EXISTS.exception(r.customerId());
                  }
                  return created;
                })
                .compose(v -> book.lockLine(conn, org, r.customerId()))
                .compose(after -> book.audit(conn, org, r.customerId(), action, null, json(after), r.caller().userId()).map(after));
          }
          if (before == null) {
            throw ErrorCode.CREDIT_LINE_NOT_FOUND.exception(r.customerId());
          }
          CreditLineAction act = CreditLineAction.of(action);
          CreditLine after = switch (act) {
            case APPROVE -> transition(before, act, r.caller().userId(), now);
            case SUSPEND -> transition(before, act, before.approvedBy(), before.approvedAt());
            case CLOSE -> {
              if (before.outstanding().signum() > 0) {
                throw new DomainException(ErrorCode.CREDIT_LINE_STATE, "A credit line with " + before.outstanding().toPlainString()
                    + " outstanding cannot be closed", "status");
              }
              yield transition(before, act, before.approvedBy(), before.approvedAt());
            }
            case CHANGE -> new CreditLine(before.customerId(),
                r.creditLimit() == null ? before.creditLimit() : money("credit_limit", r.creditLimit()),
                r.currency() == null ? before.currency() : currency(r.currency()),
                r.termsDays() == null ? before.termsDays() : terms(r.termsDays()), act.next(before.status()), before.outstanding(),
                before.creditBalance(), before.approvedBy(), before.approvedAt(), r.notes() == null ? before.notes() : r.notes());
            case CREATE -> throw ErrorCode.CREDIT_LINE_EXISTS.exception(r.customerId());
          };
          String event = act.event();
          return book.updateLine(conn, org, after)
              .compose(v -> book.audit(conn, org, r.customerId(), action, json(before), json(after), r.caller().userId()))
              .compose(v -> Outbox.record(conn, r.caller(), event, r.customerId(), json(after).put("customer_id", r.customerId().toString())
                  .put("changed_by", r.caller().userId())))
              .map(after);
        }))
        .compose(line -> summary(r.caller(), r.customerId()));
  }

  public Future<CreditMessages.Summary> summary(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    return db.withTenant(org, conn -> requireCustomer(conn, org, customerId).compose(s -> book.line(conn, org, customerId))
        .compose(line -> {
          if (line == null) {
            throw ErrorCode.CREDIT_LINE_NOT_FOUND.exception(customerId);
          }
          return book.overdue(conn, org, customerId, today).compose(overdue -> book.oldestOpen(conn, org, customerId).map(oldest -> {
            BigDecimal utilisation = line.creditLimit().signum() == 0 ? ZERO
                : line.outstanding().multiply(BigDecimal.valueOf(100)).divide(line.creditLimit(), 2, RoundingMode.HALF_UP);
            return new CreditMessages.Summary(customerId, line.status().code(), line.creditLimit(), line.currency(), line.termsDays(),
                line.outstanding(), line.available(), line.creditBalance(), utilisation, overdue.getBigDecimal("overdue"), oldest,
                line.approvedBy(), line.approvedAt(), line.notes());
          }));
        }));
  }

  /** The credit standing of each listed customer that has a line, as of today (UTC). */
  public Future<CreditMessages.Standings> standings(CreditMessages.StandingsQuery q) {
    if (q.customerIds().isEmpty()) {
      return Future.succeededFuture(new CreditMessages.Standings(List.of()));
    }
    UUID org = q.caller().organizationId();
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    return db.withTenant(org, conn -> book.standings(conn, org, q.customerIds(), today)).map(CreditMessages.Standings::new);
  }

  public Future<CreditMessages.Statement> statement(CreditMessages.StatementQuery q) {
    UUID org = q.caller().organizationId();
    return db.withTenant(org, conn -> requireCustomer(conn, org, q.customerId())
        .compose(s -> book.outstandingBefore(conn, org, q.customerId(), q.from()))
        .compose(opening -> book.statement(conn, org, q.customerId(), q.from(), q.to()).map(lines -> new CreditMessages.Statement(
            q.customerId(), opening, lines, lines.isEmpty() ? opening : lines.get(lines.size() - 1).runningOutstanding()))));
  }

  public Future<CreditMessages.Aging> aging(CreditMessages.AgingQuery q) {
    UUID org = q.caller().organizationId();
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    return db.withTenant(org, conn -> (q.customerId() == null ? Future.succeededFuture(CustomerStatus.ACTIVE) : requireCustomer(conn, org, q.customerId()))
        .compose(s -> book.aging(conn, org, q.customerId(), today)));
  }

  public Future<CreditMessages.Policy> policy(Caller caller) {
    return db.withTenant(caller.organizationId(), conn -> book.policy(conn, caller.organizationId()));
  }

  public Future<CreditMessages.Policy> savePolicy(Caller caller, CreditMessages.Policy p) {
    if (p.overdueToleranceDays() < 0 || p.graceDays() < 0 || p.overdueToleranceDays() > 365 || p.graceDays() > 365) {
      throw DomainException.invalid("overdue_tolerance_days", "days must be 0 to 365");
    }
    return db.withTenant(caller.organizationId(), conn -> book.savePolicy(conn, caller.organizationId(), p)).map(p);
  }

  private <T> Future<T> changing(Caller caller, UUID customerId, java.util.function.Function<SqlConnection, Future<T>> work) {
    return db.withTenant(caller.organizationId(), work)
        .compose(result -> listener.customerChanged(caller.organizationId(), customerId).map(result));
  }

  private Future<CustomerStatus> requireCustomer(SqlConnection conn, UUID org, UUID customerId) {
    return CustomerDirectory.require(conn, org, customerId);
  }

  private static Future<UseDecision> refuse(String code, String sentence, CreditLine line) {
    return Future.succeededFuture(new UseDecision(false, line == null || !line.status().usable() ? ZERO : line.available(),
        null, code, sentence));
  }

  private static CreditLine transition(CreditLine l, CreditLineAction action, String approvedBy, Instant approvedAt) {
    return new CreditLine(l.customerId(), l.creditLimit(), l.currency(), l.termsDays(), action.next(l.status()), l.outstanding(), l.creditBalance(),
        approvedBy, approvedAt, l.notes());
  }

  /**
   * An idempotency key the line lock did not protect (it was taken meanwhile for another customer,
   * whose line is another row) is a conflict; throwing rolls back what this request moved.
   */
  private static boolean claimed(boolean claimed, String field, String value) {
    if (!claimed) {
      throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT.format(field + " " + value), field);
    }
    return true;
  }

  private static BigDecimal available(CreditLine line, BigDecimal outstanding, BigDecimal creditBalance) {
    return line.creditLimit().subtract(outstanding).add(creditBalance).max(ZERO);
  }

  private static Balance balance(CreditLine line) {
    return new Balance(line.customerId(), line.available(), line.outstanding(), line.creditBalance());
  }

  private static JsonObject json(CreditLine l) {
    return new JsonObject().put("credit_limit", l.creditLimit().toPlainString()).put("currency", l.currency())
        .put("terms_days", l.termsDays()).put("status", l.status().code()).put("outstanding", l.outstanding().toPlainString())
        .put("notes", l.notes());
  }

  static BigDecimal money(String field, BigDecimal value) {
    return Decimals.money(field, value);
  }

  private static BigDecimal positive(String field, BigDecimal value) {
    BigDecimal m = money(field, value);
    if (m.signum() == 0) {
      throw DomainException.invalid(field, "must be greater than zero");
    }
    return m;
  }

  private static String reference(String field, String value) {
    if (value == null || value.isBlank() || value.length() > 100) {
      throw DomainException.invalid(field, "is required (at most 100 characters)");
    }
    return value;
  }

  private static String currency(String value) {
    String c = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
    try {
      java.util.Currency.getInstance(c);
      return c;
    } catch (IllegalArgumentException e) {
      throw DomainException.invalid("currency", "must be an ISO 4217 code such as CLP, MXN, USD");
    }
  }

  private static int terms(int days) {
    if (days < 0 || days > 365) {
      throw DomainException.invalid("terms_days", "must be 0 to 365 (net 30, 60, 90 ...)");
    }
    return days;
  }
}
