package com.zenlogic.customerservice.ledger;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the points and credit engines must answer for one organization, written from the rules and
 * not from the code: a default program (1 point per $1 rounded down, 100 points = $1, minimum
 * redemption 100, 15-minute holds, points expire after 12 months, FIFO, transfers allowed), credit lines on net 30
 * with no overdue tolerance. Customers 0 and 1 have approved lines, 2 has none, 3 does not exist.
 *
 * <p>An operation that fails changes nothing (the engines roll back), with one exception the
 * rules ask for: closing a hold past its time releases it even when the answer is a refusal.
 */
final class LedgerModel {
  static final int CUSTOMERS = 4;
  static final int UNKNOWN = 3;
  static final int NO_LINE = 2;
  static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);
  static final BigDecimal[] LIMITS = {new BigDecimal("1000.00"), new BigDecimal("600.00"), null, null};
  static final long MIN_REDEMPTION = 100;
  static final Duration HOLD_TIME = Duration.ofMinutes(15);
  static final int EXPIRY_MONTHS = 12;
  static final int TERMS_DAYS = 30;

  static final class Lot {
    final long id;
    final int customer;
    final Instant earnedAt;
    final Instant expiresAt;
    long remaining;

    Lot(long id, int customer, Instant earnedAt, Instant expiresAt, long remaining) {
      this.id = id;
      this.customer = customer;
      this.earnedAt = earnedAt;
      this.expiresAt = expiresAt;
      this.remaining = remaining;
    }

    Lot copy() {
      return new Lot(id, customer, earnedAt, expiresAt, remaining);
    }
  }

  static final class Hold {
    final UUID id;
    final int customer;
    final long points;
    final String reference;
    final Instant expiresAt;
    String status = "open";

    Hold(UUID id, int customer, long points, String reference, Instant expiresAt) {
      this.id = id;
      this.customer = customer;
      this.points = points;
      this.reference = reference;
      this.expiresAt = expiresAt;
    }

    Hold copy() {
      Hold h = new Hold(id, customer, points, reference, expiresAt);
      h.status = status;
      return h;
    }
  }

  static final class Charge {
    final long seq;
    final int customer;
    final String orderId;
    final BigDecimal amount;
    final LocalDate due;
    BigDecimal paid;
    BigDecimal released = ZERO;

    Charge(long seq, int customer, String orderId, BigDecimal amount, BigDecimal paid, LocalDate due) {
      this.seq = seq;
      this.customer = customer;
      this.orderId = orderId;
      this.amount = amount;
      this.paid = paid;
      this.due = due;
    }

    BigDecimal remaining() {
      return amount.subtract(paid).subtract(released);
    }

    Charge copy() {
      Charge c = new Charge(seq, customer, orderId, amount, paid, due);
      c.released = released;
      return c;
    }
  }

  /** What an idempotency key stored: whose it is, what was asked, what was answered. */
  record Stored(int customer, String hash, long points, long balanceAfter, long shortfall, BigDecimal amount, long lot,
                BigDecimal outstandingAfter, BigDecimal creditAfter) {}

  Instant now;
  long nextLot = 1;
  long nextCharge = 1;
  final long[] balance = new long[CUSTOMERS];
  final long[] held = new long[CUSTOMERS];
  final BigDecimal[] outstanding = {ZERO, ZERO, ZERO, ZERO};
  final BigDecimal[] creditBalance = {ZERO, ZERO, ZERO, ZERO};
  final List<Lot> lots = new ArrayList<>();
  final List<Hold> holds = new ArrayList<>();
  final List<Charge> charges = new ArrayList<>();
  final Map<String, Stored> keys = new HashMap<>();

  LedgerModel(Instant now) {
    this.now = now;
  }

  LedgerModel copy() {
    LedgerModel m = new LedgerModel(now);
    m.nextLot = nextLot;
    m.nextCharge = nextCharge;
    System.arraycopy(balance, 0, m.balance, 0, CUSTOMERS);
    System.arraycopy(held, 0, m.held, 0, CUSTOMERS);
    System.arraycopy(outstanding, 0, m.outstanding, 0, CUSTOMERS);
    System.arraycopy(creditBalance, 0, m.creditBalance, 0, CUSTOMERS);
    lots.forEach(l -> m.lots.add(l.copy()));
    holds.forEach(h -> m.holds.add(h.copy()));
    charges.forEach(c -> m.charges.add(c.copy()));
    m.keys.putAll(keys);
    return m;
  }

  // ---- answers, formatted the same way for the engines and the model ----------------------------

  static String error(ErrorCode code) {
    return "error " + code.name();
  }

  static String earned(long points, long balance, boolean replayed) {
    return "earn " + points + " bal " + balance + (replayed ? " replayed" : "");
  }

  static String redeemed(long points, BigDecimal discount, long balance) {
    return "redeem " + points + " discount " + money(discount) + " bal " + balance;
  }

  static String held(UUID id, long points, BigDecimal discount, Instant expires, long balance) {
    return "hold " + id + " " + points + " discount " + money(discount) + " until " + expires + " bal " + balance;
  }

  static String closed(UUID id, String status, long balance) {
    return "closed " + id + " " + status + " bal " + balance;
  }

  static String reversed(int customer, long points, long shortfall, long balance) {
    return "reverse c" + customer + " " + points + " shortfall " + shortfall + " bal " + balance;
  }

  static String transferred(long points, long fromBalance, long toBalance, boolean replayed) {
    return "transfer " + points + " from bal " + fromBalance + " to bal " + toBalance + (replayed ? " replayed" : "");
  }

  static String adjusted(long points, long balance, boolean replayed) {
    return "adjust " + points + " bal " + balance + (replayed ? " replayed" : "");
  }

  static String used(boolean approved, BigDecimal available, LocalDate due, String reason) {
    return approved ? "use approved avail " + money(available) + " due " + due : "use refused " + reason + " avail " + money(available);
  }

  static String balanceOf(BigDecimal available, BigDecimal outstanding, BigDecimal credit) {
    return "balance avail " + money(available) + " out " + money(outstanding) + " credit " + money(credit);
  }

  static String money(BigDecimal m) {
    return m == null ? "null" : m.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
  }

  static BigDecimal discountFor(long points) {
    return BigDecimal.valueOf(points).divide(BigDecimal.valueOf(100), 2, RoundingMode.FLOOR);
  }

  // ---- points ------------------------------------------------------------------------------------

  long available(int c) {
    return balance[c] - held[c];
  }

  private Instant lotExpiry() {
    return now.atOffset(ZoneOffset.UTC).plusMonths(EXPIRY_MONTHS).toInstant();
  }

  /** Oldest points first (a named lot first), as redemption, capture, expiry and reversal take them. */
  private void consume(int c, long points, long preferredLot) {
    List<Lot> order = lots.stream().filter(l -> l.customer == c && l.remaining > 0)
        .sorted(Comparator.<Lot, Boolean>comparing(l -> l.id != preferredLot).thenComparing(l -> l.earnedAt).thenComparingLong(l -> l.id))
        .toList();
    long left = points;
    for (Lot l : order) {
      if (left == 0) {
        break;
      }
      long take = Math.min(left, l.remaining);
      l.remaining -= take;
      left -= take;
    }
  }

  String earn(int c, String txn, BigDecimal amount) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    String key = "earn:" + txn;
    String hash = c + "|" + amount.stripTrailingZeros().toPlainString();
    Stored s = keys.get(key);
    if (s != null) {
      return s.hash().equals(hash) ? earned(s.points(), s.balanceAfter(), true) : error(ErrorCode.IDEMPOTENCY_CONFLICT);
    }
    long points = amount.setScale(0, RoundingMode.FLOOR).longValueExact();
    long lot = 0;
    if (points > 0) {
      lot = nextLot++;
      lots.add(new Lot(lot, c, now, lotExpiry(), points));
    }
    balance[c] += points;
    keys.put(key, new Stored(c, hash, points, balance[c], 0, amount, lot, null, null));
    return earned(points, balance[c], false);
  }

  String redeem(int c, String ref, long points) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    if (points < MIN_REDEMPTION) {
      return error(ErrorCode.VALIDATION_FAILED);
    }
    String key = "redeem:" + ref;
    String hash = c + "|" + points;
    Stored s = keys.get(key);
    if (s != null) {
      return s.hash().equals(hash) ? redeemed(s.points(), s.amount(), s.balanceAfter()) : error(ErrorCode.IDEMPOTENCY_CONFLICT);
    }
    if (available(c) < points) {
      return error(ErrorCode.POINTS_INSUFFICIENT);
    }
    consume(c, points, -1);
    balance[c] -= points;
    keys.put(key, new Stored(c, hash, points, balance[c], 0, discountFor(points), 0, null, null));
    return redeemed(points, discountFor(points), balance[c]);
  }

  /** A hold; {@code engineId} is the id the engine gave the hold it created (ids are random). */
  String hold(int c, String ref, long points, UUID engineId) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    if (points < MIN_REDEMPTION) {
      return error(ErrorCode.VALIDATION_FAILED);
    }
    String key = "hold:" + ref;
    String hash = c + "|" + points;
    Stored s = keys.get(key);
    if (s != null) {
      if (!s.hash().equals(hash)) {
        return error(ErrorCode.IDEMPOTENCY_CONFLICT);
      }
      Hold h = holds.stream().filter(x -> x.reference.equals(ref)).findFirst().orElseThrow();
      return held(h.id, h.points, discountFor(h.points), h.expiresAt, s.balanceAfter());
    }
    if (available(c) < points) {
      return error(ErrorCode.POINTS_INSUFFICIENT);
    }
    Hold h = new Hold(engineId == null ? new UUID(0, 0) : engineId, c, points, ref, now.plus(HOLD_TIME));
    holds.add(h);
    held[c] += points;
    keys.put(key, new Stored(c, hash, points, balance[c], 0, null, 0, null, null));
    return held(h.id, points, discountFor(points), h.expiresAt, balance[c]);
  }

  String close(UUID id, String outcome) {
    Hold h = holds.stream().filter(x -> x.id.equals(id)).findFirst().orElse(null);
    if (h == null) {
      return error(ErrorCode.HOLD_NOT_FOUND);
    }
    if ("open".equals(h.status) && !"expired".equals(outcome) && !now.isBefore(h.expiresAt)) {
      settle(h, "expired");
      return "captured".equals(outcome) ? error(ErrorCode.HOLD_CLOSED) : closed(h.id, "expired", balance[h.customer]);
    }
    if (!"open".equals(h.status)) {
      boolean same = h.status.equals(outcome) || "cancelled".equals(outcome) && "expired".equals(h.status);
      return same ? closed(h.id, h.status, balance[h.customer]) : error(ErrorCode.HOLD_CLOSED);
    }
    settle(h, outcome);
    return closed(h.id, h.status, balance[h.customer]);
  }

  private void settle(Hold h, String status) {
    held[h.customer] -= h.points;
    if ("captured".equals(status)) {
      consume(h.customer, h.points, -1);
      balance[h.customer] -= h.points;
    }
    h.status = status;
  }

  /** The hold sweep: every open hold past its time gives its points back. */
  String expireHolds() {
    int n = 0;
    for (Hold h : holds) {
      if ("open".equals(h.status) && !h.expiresAt.isAfter(now)) {
        settle(h, "expired");
        n++;
      }
    }
    return "holds expired " + n;
  }

  /** The expiry job: each lot past its date loses what is not held, oldest first. */
  String expirePoints() {
    long total = 0;
    List<Lot> due = lots.stream().filter(l -> l.remaining > 0 && !l.expiresAt.isAfter(now))
        .sorted(Comparator.<Lot>comparingInt(l -> l.customer).thenComparing(l -> l.earnedAt).thenComparingLong(l -> l.id)).toList();
    for (Lot l : due) {
      long expire = Math.min(l.remaining, available(l.customer));
      if (expire <= 0) {
        continue;
      }
      consume(l.customer, expire, l.id);
      balance[l.customer] -= expire;
      total += expire;
    }
    return "points expired " + total;
  }

  String reverse(String txn) {
    return reverse(txn, null, null);
  }

  /**
   * A void (returnId null: the whole purchase, once) or one return of {@code amount}: its share of
   * the earned points, rounded down, never more than the purchase's returns left; the return that
   * completes the purchase amount takes the rest. Same return id, other amount: a conflict.
   */
  String reverse(String txn, String returnId, BigDecimal amount) {
    Stored earn = keys.get("earn:" + txn);
    if (earn == null) {
      return error(ErrorCode.TRANSACTION_NOT_FOUND);
    }
    int c = earn.customer();
    String key = returnId == null ? "reverse:" + txn : "reverse:" + txn + ":" + returnId;
    String hash = returnId == null ? null : amount.stripTrailingZeros().toPlainString();
    Stored done = keys.get(key);
    if (done != null) {
      if (returnId != null && !done.hash().equals(hash)) {
        return error(ErrorCode.IDEMPOTENCY_CONFLICT);
      }
      return reversed(c, done.points(), done.shortfall(), done.balanceAfter());
    }
    long before = 0;
    BigDecimal returnedBefore = BigDecimal.ZERO;
    for (Map.Entry<String, Stored> e : keys.entrySet()) {
      if (e.getKey().equals("reverse:" + txn) || e.getKey().startsWith("reverse:" + txn + ":")) {
        before += e.getValue().points() + e.getValue().shortfall();
        returnedBefore = returnedBefore.add(e.getValue().amount());
      }
    }
    long left = Math.max(0, earn.points() - before);
    long due = left;
    if (returnId != null && earn.amount().signum() > 0 && returnedBefore.add(amount).compareTo(earn.amount()) < 0) {
      due = Math.min(left, BigDecimal.valueOf(earn.points()).multiply(amount).divide(earn.amount(), 0, RoundingMode.FLOOR).longValueExact());
    }
    long inLot = lots.stream().filter(l -> l.id == earn.lot()).mapToLong(l -> l.remaining).findFirst().orElse(0);
    long take = Math.min(due, Math.min(inLot, available(c)));
    long shortfall = due - take;
    consume(c, take, earn.lot());
    balance[c] -= take;
    keys.put(key, new Stored(c, hash, take, balance[c], shortfall, returnId == null ? earn.amount() : amount, 0, null, null));
    return reversed(c, take, shortfall, balance[c]);
  }

  String adjust(int c, String idempotencyKey, long points) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    String key = "adjust:" + (idempotencyKey == null ? UUID.randomUUID() : idempotencyKey);
    String hash = c + "|" + points;
    Stored s = keys.get(key);
    if (s != null) {
      return s.hash().equals(hash) ? adjusted(s.points(), s.balanceAfter(), true) : error(ErrorCode.IDEMPOTENCY_CONFLICT);
    }
    if (points < 0 && available(c) < -points) {
      return error(ErrorCode.POINTS_INSUFFICIENT);
    }
    if (points > 0) {
      lots.add(new Lot(nextLot++, c, now, lotExpiry(), points));
    } else {
      consume(c, -points, -1);
    }
    balance[c] += points;
    keys.put(key, new Stored(c, hash, points, balance[c], 0, null, 0, null, null));
    return adjusted(points, balance[c], false);
  }

  /**
   * A transfer (the program allows them): the sender's available points, oldest lots first, each
   * arriving as a lot of the receiver with its earn and expiry dates; the same id again answers the first.
   */
  String transfer(String id, int from, int to, long points) {
    if (from == to) {
      return error(ErrorCode.VALIDATION_FAILED);
    }
    if (from == UNKNOWN || to == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    String key = "transfer:" + id;
    String hash = from + "|" + to + "|" + points;
    Stored s = keys.get(key);
    if (s != null) {
      return s.hash().equals(hash) ? transferred(s.points(), s.balanceAfter(), s.shortfall(), true) : error(ErrorCode.IDEMPOTENCY_CONFLICT);
    }
    if (available(from) < points) {
      return error(ErrorCode.POINTS_INSUFFICIENT);
    }
    List<Lot> order = lots.stream().filter(l -> l.customer == from && l.remaining > 0)
        .sorted(Comparator.<Lot, Instant>comparing(l -> l.earnedAt).thenComparingLong(l -> l.id)).toList();
    long left = points;
    for (Lot l : order) {
      if (left == 0) {
        break;
      }
      long take = Math.min(left, l.remaining);
      l.remaining -= take;
      left -= take;
      lots.add(new Lot(nextLot++, to, l.earnedAt, l.expiresAt, take));
    }
    balance[from] -= points;
    balance[to] += points;
    // Stored's shortfall slot carries the receiver's balance after.
    keys.put(key, new Stored(from, hash, points, balance[from], balance[to], null, 0, null, null));
    return transferred(points, balance[from], balance[to], false);
  }

  // ---- credit ------------------------------------------------------------------------------------

  BigDecimal creditAvailable(int c) {
    return LIMITS[c].subtract(outstanding[c]).add(creditBalance[c]).max(ZERO);
  }

  private LocalDate today() {
    return LocalDate.ofInstant(now, ZoneOffset.UTC);
  }

  private Charge charge(String orderId) {
    return charges.stream().filter(x -> x.orderId.equals(orderId)).findFirst().orElse(null);
  }

  String use(int c, String orderId, BigDecimal amount) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    String key = "charge:" + orderId;
    String hash = c + "|" + amount.toPlainString();
    Stored s = keys.get(key);
    if (s != null) {
      return s.hash().equals(hash) ? used(true, creditAvailable(c), charge(orderId).due, null) : error(ErrorCode.IDEMPOTENCY_CONFLICT);
    }
    if (LIMITS[c] == null) {
      return used(false, ZERO, null, CreditMessages.NO_CREDIT_LINE);
    }
    LocalDate today = today();
    boolean overdue = charges.stream().anyMatch(x -> x.customer == c && x.remaining().signum() > 0 && x.due.isBefore(today));
    if (overdue) {
      return used(false, creditAvailable(c), null, CreditMessages.OVERDUE);
    }
    if (creditAvailable(c).compareTo(amount) < 0) {
      return used(false, creditAvailable(c), null, CreditMessages.INSUFFICIENT_CREDIT);
    }
    BigDecimal prepaid = creditBalance[c].min(amount);
    LocalDate due = today.plusDays(TERMS_DAYS);
    charges.add(new Charge(nextCharge++, c, orderId, amount, prepaid, due));
    outstanding[c] = outstanding[c].add(amount.subtract(prepaid));
    creditBalance[c] = creditBalance[c].subtract(prepaid);
    keys.put(key, new Stored(c, hash, 0, 0, 0, amount, 0, outstanding[c], creditBalance[c]));
    return used(true, creditAvailable(c), due, null);
  }

  /** Frees what is left of an order, or {@code asked} of it. */
  String release(int c, String orderId, BigDecimal asked) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    Charge ch = charge(orderId);
    if (LIMITS[c] == null || ch == null || ch.customer != c) {
      return error(ErrorCode.ORDER_NOT_FOUND);
    }
    BigDecimal release = asked == null ? ch.remaining() : asked;
    if (release.compareTo(ch.remaining()) > 0) {
      return error(ErrorCode.VALIDATION_FAILED);
    }
    String key = "release:" + orderId + ":" + (asked == null ? "rest" : asked.toPlainString());
    if (keys.containsKey(key) || release.signum() == 0) {
      return balanceOf(creditAvailable(c), outstanding[c], creditBalance[c]);
    }
    ch.released = ch.released.add(release);
    outstanding[c] = outstanding[c].subtract(release);
    keys.put(key, new Stored(c, c + "|" + release.toPlainString(), 0, 0, 0, release, 0, outstanding[c], creditBalance[c]));
    return balanceOf(creditAvailable(c), outstanding[c], creditBalance[c]);
  }

  String pay(int c, String reference, BigDecimal amount) {
    if (c == UNKNOWN) {
      return error(ErrorCode.CUSTOMER_NOT_FOUND);
    }
    if (LIMITS[c] == null) {
      return error(ErrorCode.CREDIT_LINE_NOT_FOUND);
    }
    String key = "payment:" + reference;
    String hash = c + "|" + amount.toPlainString();
    Stored s = keys.get(key);
    if (s != null) {
      if (!s.hash().equals(hash)) {
        return error(ErrorCode.IDEMPOTENCY_CONFLICT);
      }
      return balanceOf(LIMITS[c].subtract(s.outstandingAfter()).add(s.creditAfter()).max(ZERO), s.outstandingAfter(), s.creditAfter());
    }
    BigDecimal left = amount;
    List<Charge> open = charges.stream().filter(x -> x.customer == c && x.remaining().signum() > 0)
        .sorted(Comparator.<Charge, LocalDate>comparing(x -> x.due).thenComparingLong(x -> x.seq)).toList();
    for (Charge ch : open) {
      if (left.signum() == 0) {
        break;
      }
      BigDecimal pay = left.min(ch.remaining());
      ch.paid = ch.paid.add(pay);
      left = left.subtract(pay);
    }
    outstanding[c] = outstanding[c].subtract(amount.subtract(left));
    creditBalance[c] = creditBalance[c].add(left);
    keys.put(key, new Stored(c, hash, 0, 0, 0, amount, 0, outstanding[c], creditBalance[c]));
    return balanceOf(creditAvailable(c), outstanding[c], creditBalance[c]);
  }
}
