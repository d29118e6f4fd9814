package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.auth.Caller;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/** The credit verticle's event-bus addresses and the typed records it exchanges (by reference within a node, versioned JSON across nodes: see platform/bus). */
public final class CreditMessages {
  public static final Address<Check, CheckResult> CHECK =
      Address.of("credit.check", Check.class, CheckResult.class).idempotent();
  public static final Address<Use, UseDecision> USE =
      Address.of("credit.use", Use.class, UseDecision.class).idempotent();
  public static final Address<Release, Balance> RELEASE =
      Address.of("credit.release", Release.class, Balance.class).idempotent();
  public static final Address<Payment, Balance> PAYMENT =
      Address.of("credit.payment", Payment.class, Balance.class).idempotent();
  public static final Address<CustomerQuery, Summary> SUMMARY =
      Address.of("credit.summary", CustomerQuery.class, Summary.class).idempotent();
  public static final Address<StatementQuery, Statement> STATEMENT =
      Address.of("credit.statement", StatementQuery.class, Statement.class).idempotent();
  public static final Address<AgingQuery, Aging> AGING =
      Address.of("credit.aging", AgingQuery.class, Aging.class).idempotent();
  public static final Address<StandingsQuery, Standings> STANDINGS =
      Address.of("credit.standings", StandingsQuery.class, Standings.class).idempotent();
  public static final Address<LineChange, Summary> LINE_CHANGE =
      Address.of("credit.line.change", LineChange.class, Summary.class);
  public static final Address<PolicyQuery, Policy> POLICY_GET =
      Address.of("credit.policy.get", PolicyQuery.class, Policy.class).idempotent();
  public static final Address<PolicyUpdate, Policy> POLICY_PUT =
      Address.of("credit.policy.put", PolicyUpdate.class, Policy.class);

  /** Why credit was refused: a business decision with a code the POS can show, not an error. */
  public static final String INSUFFICIENT_CREDIT = "INSUFFICIENT_CREDIT";
  public static final String LINE_SUSPENDED = "LINE_SUSPENDED";
  public static final String OVERDUE = "OVERDUE";
  public static final String NO_CREDIT_LINE = "NO_CREDIT_LINE";
  public static final String CUSTOMER_BLOCKED = "CUSTOMER_BLOCKED";

  private CreditMessages() {}

  public record Check(Caller caller, UUID customerId, BigDecimal amount) implements Bus.Local {}

  public record CheckResult(boolean available, BigDecimal availableAmount, BigDecimal creditLimit) implements Bus.Local {}

  public record Use(Caller caller, UUID customerId, String orderId, BigDecimal amount) implements Bus.Local {}

  public record UseDecision(boolean approved, BigDecimal availableAmount, LocalDate dueDate, String reasonCode, String reason)
      implements Bus.Local {}

  /** amount null releases what is left of the order. */
  public record Release(Caller caller, UUID customerId, String orderId, BigDecimal amount) implements Bus.Local {}

  public record Payment(Caller caller, UUID customerId, String paymentReference, BigDecimal amount) implements Bus.Local {}

  public record Balance(UUID customerId, BigDecimal availableAmount, BigDecimal outstanding, BigDecimal creditBalance)
      implements Bus.Local {}

  public record CustomerQuery(Caller caller, UUID customerId) implements Bus.Local {}

  public record Summary(UUID customerId, String status, BigDecimal creditLimit, String currency, int termsDays,
                        BigDecimal outstanding, BigDecimal available, BigDecimal creditBalance, BigDecimal utilisationPercent,
                        BigDecimal overdueAmount, LocalDate oldestDueDate, String approvedBy, Instant approvedAt, String notes)
      implements Bus.Local {}

  /** Several customers' credit at once (a salesperson's route): those without a line are absent from the answer. */
  public record StandingsQuery(Caller caller, List<UUID> customerIds) implements Bus.Local {}

  /** Where a customer stands today: the line's status and figures, what is overdue and since when. */
  public record Standing(UUID customerId, String status, String currency, BigDecimal creditLimit, BigDecimal outstanding,
                         BigDecimal available, BigDecimal overdueAmount, LocalDate oldestOverdueDueDate) {}

  public record Standings(List<Standing> standings) implements Bus.Local {}

  public record StatementQuery(Caller caller, UUID customerId, Instant from, Instant to) implements Bus.Local {}

  public record StatementLine(Instant at, String type, String reference, BigDecimal amount, BigDecimal runningOutstanding,
                              BigDecimal creditBalanceAfter) {}

  public record Statement(UUID customerId, BigDecimal openingOutstanding, List<StatementLine> lines, BigDecimal closingOutstanding)
      implements Bus.Local {}

  /** customerId null: the whole organization. */
  public record AgingQuery(Caller caller, UUID customerId) implements Bus.Local {}

  public record Aging(BigDecimal current, BigDecimal days1to30, BigDecimal days31to60, BigDecimal days61to90,
                      BigDecimal over90, BigDecimal total, LocalDate asOf) implements Bus.Local {}

  /** A credit manager's change: create, approve, change the limit or terms, suspend, reactivate or close. */
  public record LineChange(Caller caller, UUID customerId, String action, BigDecimal creditLimit, String currency,
                           Integer termsDays, String notes) implements Bus.Local {}

  public record Policy(int overdueToleranceDays, int graceDays) implements Bus.Local {}

  public record PolicyQuery(Caller caller) implements Bus.Local {}

  public record PolicyUpdate(Caller caller, Policy policy) implements Bus.Local {}
}
