package com.zenlogic.customerservice.credit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for the credit tables; runs inside the caller's tenant transaction. */
final class CreditBook {
  private static final String LINE_COLUMNS = """
      customer_id, credit_limit, currency, terms_days, status, outstanding, credit_balance, approved_by, approved_at, notes""";

  private static final String LINE = "SELECT " + LINE_COLUMNS + " FROM credit_lines WHERE organization_id = $1 AND customer_id = $2";
  private static final String LOCK_LINE = LINE + " FOR UPDATE";

  private static final String INSERT_LINE = """
      INSERT INTO credit_lines (organization_id, customer_id, credit_limit, currency, terms_days, status, notes)
      VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT DO NOTHING RETURNING customer_id""";

  private static final String UPDATE_LINE = """
      UPDATE credit_lines SET credit_limit = $3, currency = $4, terms_days = $5, status = $6, notes = $7,
        approved_by = $8, approved_at = $9, updated_at = now()
      WHERE organization_id = $1 AND customer_id = $2""";

  // Runs under the line lock: the entry it is for takes the line's next number, and a time that never
  // goes back from the previous entry (another instance's clock may lag), so a statement follows the lock.
  private static final String MOVE_BALANCES = """
      UPDATE credit_lines SET outstanding = outstanding + $3, credit_balance = credit_balance + $4, entries = entries + 1,
        last_entry_at = greatest(coalesce(last_entry_at, $5), $5), updated_at = now()
      WHERE organization_id = $1 AND customer_id = $2
      RETURNING outstanding, credit_balance, entries, last_entry_at""";

  private static final String AUDIT = """
      INSERT INTO credit_line_audit (organization_id, customer_id, action, before, after, actor) VALUES ($1, $2, $3, $4, $5, $6)""";

  private static final String ENTRY = """
      INSERT INTO credit_ledger (organization_id, customer_id, entry_type, amount, credit_delta, outstanding_after,
        credit_balance_after, reference, idempotency_key, request_hash, actor, reason, created_at, line_seq)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      ON CONFLICT (organization_id, idempotency_key) DO NOTHING RETURNING id""";

  private static final String ENTRY_BY_KEY = """
      SELECT customer_id, amount, credit_delta, outstanding_after, credit_balance_after, request_hash, reference, created_at
      FROM credit_ledger WHERE organization_id = $1 AND idempotency_key = $2""";

  private static final String INSERT_CHARGE = """
      INSERT INTO credit_charges (organization_id, customer_id, order_id, amount, paid, due_date, charged_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (organization_id, order_id) DO NOTHING RETURNING id""";

  private static final String CHARGE_BY_ORDER = """
      SELECT id, customer_id, amount, paid, released, due_date FROM credit_charges
      WHERE organization_id = $1 AND order_id = $2 FOR UPDATE""";

  // Oldest due first: payments settle what has waited longest.
  private static final String OPEN_CHARGES = """
      SELECT id, customer_id, amount, paid, released, due_date FROM credit_charges
      WHERE organization_id = $1 AND customer_id = $2 AND paid + released < amount ORDER BY due_date, id FOR UPDATE""";

  private static final String SETTLE = """
      UPDATE credit_charges SET paid = paid + $3, released = released + $4 WHERE organization_id = $1 AND id = $2""";

  private static final String OLDEST_OVERDUE = """
      SELECT min(due_date) FROM credit_charges
      WHERE organization_id = $1 AND customer_id = $2 AND paid + released < amount AND due_date < $3""";

  private static final String OVERDUE = """
      SELECT coalesce(sum(amount - paid - released), 0.00) AS overdue, min(due_date) AS oldest FROM credit_charges
      WHERE organization_id = $1 AND customer_id = $2 AND paid + released < amount AND due_date < $3""";

  // One statement for a page of customers: each line with what is unpaid past its due date.
  private static final String STANDINGS = "SELECT " + LINE_COLUMNS + """
      , coalesce(o.overdue, 0.00) AS overdue, o.oldest FROM credit_lines l
      LEFT JOIN LATERAL (SELECT sum(c.amount - c.paid - c.released) AS overdue, min(c.due_date) AS oldest FROM credit_charges c
                         WHERE c.organization_id = l.organization_id AND c.customer_id = l.customer_id
                           AND c.paid + c.released < c.amount AND c.due_date < $3) o ON true
      WHERE l.organization_id = $1 AND l.customer_id = ANY($2::uuid[])""";

  private static final String OLDEST_OPEN = """
      SELECT min(due_date) FROM credit_charges WHERE organization_id = $1 AND customer_id = $2 AND paid + released < amount""";

  private static final String POLICY = "SELECT overdue_tolerance_days, grace_days FROM credit_policies WHERE organization_id = $1";

  private static final String SAVE_POLICY = """
      INSERT INTO credit_policies (organization_id, overdue_tolerance_days, grace_days) VALUES ($1, $2, $3)
      ON CONFLICT (organization_id) DO UPDATE SET overdue_tolerance_days = EXCLUDED.overdue_tolerance_days,
        grace_days = EXCLUDED.grace_days, updated_at = now()""";

  private static final String STATEMENT = """
      SELECT created_at, entry_type, reference, amount, outstanding_after, credit_balance_after FROM credit_ledger
      WHERE organization_id = $1 AND customer_id = $2 AND created_at >= $3 AND created_at < $4 ORDER BY line_seq""";

  private static final String OUTSTANDING_BEFORE = """
      SELECT outstanding_after FROM credit_ledger WHERE organization_id = $1 AND customer_id = $2 AND created_at < $3
      ORDER BY line_seq DESC LIMIT 1""";

  // Days past due of what is still owed, bucketed; a null customer means the whole organization.
  private static final String AGING = """
      SELECT
        coalesce(sum(amount - paid - released) FILTER (WHERE $2 - due_date <= 0), 0.00) AS current,
        coalesce(sum(amount - paid - released) FILTER (WHERE $2 - due_date BETWEEN 1 AND 30), 0.00) AS d1_30,
        coalesce(sum(amount - paid - released) FILTER (WHERE $2 - due_date BETWEEN 31 AND 60), 0.00) AS d31_60,
        coalesce(sum(amount - paid - released) FILTER (WHERE $2 - due_date BETWEEN 61 AND 90), 0.00) AS d61_90,
        coalesce(sum(amount - paid - released) FILTER (WHERE $2 - due_date > 90), 0.00) AS over90
      FROM credit_charges WHERE organization_id = $1 AND paid + released < amount AND ($3::uuid IS NULL OR customer_id = $3)""";

  record Charge(long id, UUID customerId, BigDecimal amount, BigDecimal paid, BigDecimal released, LocalDate dueDate) {
    BigDecimal remaining() {
      return amount.subtract(paid).subtract(released);
    }
  }

  record Entry(UUID customerId, BigDecimal amount, BigDecimal creditDelta, BigDecimal outstandingAfter, BigDecimal creditBalanceAfter,
               String requestHash, String reference, Instant createdAt) {}

  Future<CreditLine> line(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(LINE).execute(Tuple.of(org, customerId)).map(rows -> rows.size() == 0 ? null : line(rows.iterator().next()));
  }

  Future<CreditLine> lockLine(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(LOCK_LINE).execute(Tuple.of(org, customerId))
        .map(rows -> rows.size() == 0 ? null : line(rows.iterator().next()));
  }

  /** Opens a pending line; false when the customer already has one (a concurrent create committed first). */
  Future<Boolean> insertLine(SqlConnection conn, UUID org, UUID customerId, BigDecimal limit, String currency, int terms, String notes) {
    return conn.preparedQuery(INSERT_LINE).execute(Tuple.of(org, customerId, limit, currency, terms, notes)).map(rows -> rows.size() > 0);
  }

  Future<Void> updateLine(SqlConnection conn, UUID org, CreditLine l) {
    return conn.preparedQuery(UPDATE_LINE).execute(Tuple.of(org, l.customerId(), l.creditLimit(), l.currency(), l.termsDays(), l.status().code())
        .addValue(l.notes()).addValue(l.approvedBy()).addValue(l.approvedAt() == null ? null : utc(l.approvedAt()))).mapEmpty();
  }

  /** Moves outstanding and credit balance; answers them after the move. */
  /** The line's balances after a move, and the number and time its ledger entry takes. */
  record Moved(BigDecimal outstanding, BigDecimal creditBalance, long seq, Instant at) {}

  Future<Moved> move(SqlConnection conn, UUID org, UUID customerId, BigDecimal outstandingDelta, BigDecimal creditDelta, Instant now) {
    return conn.preparedQuery(MOVE_BALANCES).execute(Tuple.of(org, customerId, outstandingDelta, creditDelta, utc(now))).map(rows -> {
      Row r = rows.iterator().next();
      return new Moved(r.getBigDecimal("outstanding"), r.getBigDecimal("credit_balance"), r.getLong("entries"),
          r.getOffsetDateTime("last_entry_at").toInstant());
    });
  }

  Future<Void> audit(SqlConnection conn, UUID org, UUID customerId, String action, JsonObject before, JsonObject after, String actor) {
    return conn.preparedQuery(AUDIT).execute(Tuple.of(org, customerId, action, before, after, actor)).mapEmpty();
  }

  /** Appends a ledger row; false when its idempotency key was already taken. */
  Future<Boolean> append(SqlConnection conn, UUID org, UUID customerId, String type, BigDecimal amount, BigDecimal creditDelta,
                         Moved after, String reference, String key, String hash, String actor, String reason) {
    return conn.preparedQuery(ENTRY).execute(Tuple.of(org, customerId, type, amount, creditDelta, after.outstanding())
            .addValue(after.creditBalance()).addValue(reference).addValue(key).addValue(hash).addValue(actor).addValue(reason)
            .addValue(utc(after.at())).addValue(after.seq()))
        .map(rows -> rows.size() > 0);
  }

  Future<Entry> entry(SqlConnection conn, UUID org, String key) {
    return conn.preparedQuery(ENTRY_BY_KEY).execute(Tuple.of(org, key)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Entry(r.getUUID("customer_id"), r.getBigDecimal("amount"), r.getBigDecimal("credit_delta"),
          r.getBigDecimal("outstanding_after"), r.getBigDecimal("credit_balance_after"), r.getString("request_hash"),
          r.getString("reference"), r.getOffsetDateTime("created_at").toInstant());
    });
  }

  /** Records the charge of an order; false when the order id is already charged (to another customer: the line lock is not theirs). */
  Future<Boolean> insertCharge(SqlConnection conn, UUID org, UUID customerId, String orderId, BigDecimal amount, BigDecimal prepaid,
                               LocalDate due, Instant at) {
    return conn.preparedQuery(INSERT_CHARGE).execute(Tuple.of(org, customerId, orderId, amount, prepaid, due).addValue(utc(at)))
        .map(rows -> rows.size() > 0);
  }

  Future<Charge> chargeByOrder(SqlConnection conn, UUID org, String orderId) {
    return conn.preparedQuery(CHARGE_BY_ORDER).execute(Tuple.of(org, orderId))
        .map(rows -> rows.size() == 0 ? null : charge(rows.iterator().next()));
  }

  Future<List<Charge>> openCharges(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(OPEN_CHARGES).execute(Tuple.of(org, customerId)).map(rows -> {
      List<Charge> out = new ArrayList<>();
      rows.forEach(r -> out.add(charge(r)));
      return out;
    });
  }

  Future<Void> settle(SqlConnection conn, UUID org, long chargeId, BigDecimal paid, BigDecimal released) {
    return conn.preparedQuery(SETTLE).execute(Tuple.of(org, chargeId, paid, released)).mapEmpty();
  }

  /** The oldest due date of an unpaid charge due before the given day, or null. */
  Future<LocalDate> oldestOverdue(SqlConnection conn, UUID org, UUID customerId, LocalDate dueBefore) {
    return conn.preparedQuery(OLDEST_OVERDUE).execute(Tuple.of(org, customerId, dueBefore))
        .map(rows -> rows.iterator().next().getLocalDate(0));
  }

  Future<Row> overdue(SqlConnection conn, UUID org, UUID customerId, LocalDate today) {
    return conn.preparedQuery(OVERDUE).execute(Tuple.of(org, customerId, today)).map(rows -> rows.iterator().next());
  }

  Future<List<CreditMessages.Standing>> standings(SqlConnection conn, UUID org, List<UUID> customerIds, LocalDate today) {
    return conn.preparedQuery(STANDINGS).execute(Tuple.of(org, customerIds.toArray(UUID[]::new), today)).map(rows -> {
      List<CreditMessages.Standing> out = new ArrayList<>();
      rows.forEach(r -> {
        CreditLine line = line(r);
        out.add(new CreditMessages.Standing(line.customerId(), line.status().code(), line.currency(), line.creditLimit(),
            line.outstanding(), line.available(), r.getBigDecimal("overdue").setScale(2), r.getLocalDate("oldest")));
      });
      return out;
    });
  }

  Future<LocalDate> oldestOpen(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(OLDEST_OPEN).execute(Tuple.of(org, customerId)).map(rows -> rows.iterator().next().getLocalDate(0));
  }

  Future<CreditMessages.Policy> policy(SqlConnection conn, UUID org) {
    return conn.preparedQuery(POLICY).execute(Tuple.of(org)).map(rows -> rows.size() == 0 ? new CreditMessages.Policy(0, 0)
        : new CreditMessages.Policy(rows.iterator().next().getInteger(0), rows.iterator().next().getInteger(1)));
  }

  Future<Void> savePolicy(SqlConnection conn, UUID org, CreditMessages.Policy p) {
    return conn.preparedQuery(SAVE_POLICY).execute(Tuple.of(org, p.overdueToleranceDays(), p.graceDays())).mapEmpty();
  }

  Future<List<CreditMessages.StatementLine>> statement(SqlConnection conn, UUID org, UUID customerId, Instant from, Instant to) {
    return conn.preparedQuery(STATEMENT).execute(Tuple.of(org, customerId, utc(from), utc(to))).map(rows -> {
      List<CreditMessages.StatementLine> out = new ArrayList<>();
      rows.forEach(r -> out.add(new CreditMessages.StatementLine(r.getOffsetDateTime("created_at").toInstant(), r.getString("entry_type"),
          r.getString("reference"), r.getBigDecimal("amount"), r.getBigDecimal("outstanding_after"),
          r.getBigDecimal("credit_balance_after"))));
      return out;
    });
  }

  Future<BigDecimal> outstandingBefore(SqlConnection conn, UUID org, UUID customerId, Instant at) {
    return conn.preparedQuery(OUTSTANDING_BEFORE).execute(Tuple.of(org, customerId, utc(at)))
        .map(rows -> rows.size() == 0 ? BigDecimal.ZERO.setScale(2) : rows.iterator().next().getBigDecimal(0));
  }

  Future<CreditMessages.Aging> aging(SqlConnection conn, UUID org, UUID customerId, LocalDate asOf) {
    return conn.preparedQuery(AGING).execute(Tuple.of(org, asOf, customerId)).map(rows -> {
      Row r = rows.iterator().next();
      BigDecimal current = r.getBigDecimal("current");
      BigDecimal d30 = r.getBigDecimal("d1_30");
      BigDecimal d60 = r.getBigDecimal("d31_60");
      BigDecimal d90 = r.getBigDecimal("d61_90");
      BigDecimal over = r.getBigDecimal("over90");
      return new CreditMessages.Aging(current, d30, d60, d90, over, current.add(d30).add(d60).add(d90).add(over), asOf);
    });
  }

  static CreditLine line(Row r) {
    OffsetDateTime approved = r.getOffsetDateTime("approved_at");
    return new CreditLine(r.getUUID("customer_id"), r.getBigDecimal("credit_limit"), r.getString("currency"), r.getInteger("terms_days"),
        CreditLineStatus.of(r.getString("status")), r.getBigDecimal("outstanding"), r.getBigDecimal("credit_balance"), r.getString("approved_by"),
        approved == null ? null : approved.toInstant(), r.getString("notes"));
  }

  private static Charge charge(Row r) {
    return new Charge(r.getLong("id"), r.getUUID("customer_id"), r.getBigDecimal("amount"), r.getBigDecimal("paid"),
        r.getBigDecimal("released"), r.getLocalDate("due_date"));
  }

  static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
