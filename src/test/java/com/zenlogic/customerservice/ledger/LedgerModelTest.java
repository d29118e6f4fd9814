package com.zenlogic.customerservice.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zenlogic.customerservice.credit.CreditMessages;
import com.zenlogic.customerservice.credit.CreditService;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyProgram;
import com.zenlogic.customerservice.loyalty.LoyaltyService;
import com.zenlogic.customerservice.support.MutableClock;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model-based test of the points and credit ledgers: seeded random sequences of earn, redeem,
 * hold, capture, cancel, clock moves with the expiry jobs, reverse, adjust, transfer, credit use, release
 * and payment, with keys reused across customers and pairs of requests sent at the same moment
 * (duplicates, the same key for two customers, independent requests), run against LoyaltyService
 * and CreditService on the real PostgreSQL and against {@link LedgerModel}.
 *
 * <p>After every step the answers must equal the model's (for a concurrent pair: the model's in one
 * of the two orders), the balances must equal the model's, and SQL must show Σ ledger = balance,
 * Σ open holds = held ≤ balance, Σ lots = balance, outstanding = Σ credit ledger = Σ open charges,
 * and the last credit entry (by the line's own order) = outstanding.
 *
 * <p>Replay a failure with the seed it prints: {@code -Dmodel.seed=<seed> -Dmodel.sequences=1}.
 * {@code -Dmodel.sequences} (default 10,000) and {@code -Dmodel.parallel} (default 8) size a run.
 */
class LedgerModelTest {
  static final long SEED = Long.getLong("model.seed", new Random().nextLong());
  static final int SEQUENCES = Integer.getInteger("model.sequences", 10_000);
  static final int PARALLEL = Integer.getInteger("model.parallel", 8);
  static final long GOLDEN = 0x9E3779B97F4A7C15L;
  static final Instant START = Instant.parse("2026-01-05T09:00:00Z");
  /** The default program with transfers on (the model's rules). */
  static final LoyaltyProgram WITH_TRANSFERS = LoyaltyProgram.DEFAULT.withTransfers(true, null);

  /** How often each kind of answer came, printed with the figures so a run shows what it covered. */
  static final Map<String, AtomicLong> OUTCOMES = new ConcurrentHashMap<>();

  static TestApp app;
  static Vertx vertx;
  static Db db;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start("ledger_model");
    // Ten thousand sequences commit about a hundred thousand transactions: waiting for each WAL
    // flush would measure the disk, not the ledgers. Locks, isolation and constraints are unchanged.
    try (java.sql.Connection c = app.db.connectAs(app.db.owner().user(), app.db.owner().password());
         java.sql.Statement st = c.createStatement()) {
      st.execute("ALTER DATABASE " + app.db.owner().database() + " SET synchronous_commit = off");
    }
    // Its own Vert.x: the pool is shared per instance, and this one is sized for the lanes, not for the app.
    vertx = Vertx.vertx();
    db = Db.create(vertx, DbUrl.parse("DB_URL", app.config.dbUrl()).as(app.config.dbAppUser(), app.config.dbAppPassword()),
        PARALLEL);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    app.close();
  }

  // ---- operations --------------------------------------------------------------------------------

  sealed interface Op permits Earn, Redeem, HoldOp, Close, Advance, Reverse, Adjust, Transfer, Use, Release, Pay {}

  record Earn(int c, String txn, BigDecimal amount) implements Op {}

  record Redeem(int c, String ref, long points) implements Op {}

  record HoldOp(int c, String ref, long points) implements Op {}

  /** Capture or cancel the {@code slot}-th hold the sequence has seen (modulo; slot 7 = an unknown hold). */
  record Close(int slot, boolean capture, UUID id) implements Op {}

  /** Move the clock, then run the hold sweep and/or the points expiry job. */
  record Advance(Duration by, boolean sweepHolds, boolean expirePoints) implements Op {}

  /** returnId null: a void; else a return of amount (partial returns, issue #16). */
  record Reverse(String txn, String returnId, BigDecimal amount) implements Op {}

  record Adjust(int c, String key, long points) implements Op {}

  record Transfer(String id, int from, int to, long points) implements Op {}

  record Use(int c, String order, BigDecimal amount) implements Op {}

  record Release(int c, String order, BigDecimal amount) implements Op {}

  record Pay(int c, String ref, BigDecimal amount) implements Op {}

  /** An answer as text, and the id of a hold the engine created or named. */
  record Answer(String text, UUID holdId) {}

  /** One generated sequence: a seed, its operations (pairs run at the same moment). */
  static final class Sequence {
    final long seed;
    final Random rnd;
    final Map<String, Object[]> lastUse = new java.util.HashMap<>();

    final int focus;
    boolean holdPlanned;

    Sequence(long seed) {
      this.seed = seed;
      this.rnd = new Random(seed);
      this.focus = rnd.nextInt(2);
    }

    /** Half the requests are for one customer, so short sequences still build on what came before. */
    int customer() {
      int r = rnd.nextInt(100);
      return r < 50 ? focus : r < 70 ? 0 : r < 85 ? 1 : r < 95 ? 2 : 3;
    }

    BigDecimal cents(int maxCents) {
      return BigDecimal.valueOf(rnd.nextInt(maxCents) + 1, 2);
    }

    /** A key from a small pool; a key seen before comes back with its customer and value most of the time. */
    Object[] keyed(String kind, int pool, Supplier<Object> value) {
      String key = kind + rnd.nextInt(pool);
      Object[] seen = lastUse.get(key);
      Object[] use = seen != null && rnd.nextInt(100) < 60 ? seen : new Object[] {key, customer(), value.get()};
      if (seen != null && use != seen && rnd.nextBoolean()) {
        use = new Object[] {key, seen[1], value.get()};   // same customer, another amount
      }
      lastUse.put(key, use);
      return use;
    }

    Op next() {
      int r = rnd.nextInt(100);
      if (r < 16) {
        Object[] k = keyed("t", 3, () -> rnd.nextInt(4) == 0 ? BigDecimal.valueOf(rnd.nextInt(3) * 100L).setScale(2) : cents(60000));
        return new Earn((int) k[1], (String) k[0], (BigDecimal) k[2]);
      }
      if (r < 26) {
        Object[] k = keyed("r", 2, () -> (long) (50 + 50 * rnd.nextInt(6)));
        return new Redeem((int) k[1], (String) k[0], (long) k[2]);
      }
      if (r < 34 || r < 42 && !holdPlanned) {
        holdPlanned = true;
        Object[] k = keyed("h", 3, () -> (long) (100 + 50 * rnd.nextInt(4)));
        return new HoldOp((int) k[1], (String) k[0], (long) k[2]);
      }
      if (r < 42) {
        return new Close(rnd.nextInt(8), rnd.nextBoolean(), null);
      }
      if (r < 50) {
        Duration[] steps = {Duration.ofMinutes(1), Duration.ofMinutes(16), Duration.ofMinutes(16), Duration.ofDays(31),
            Duration.ofDays(200), Duration.ofDays(400)};
        int jobs = rnd.nextInt(4);   // none (a hold past its time that no sweep has seen), holds, points, both
        Duration by = holdPlanned && rnd.nextBoolean() ? Duration.ofMinutes(15) : steps[rnd.nextInt(steps.length)];
        return new Advance(by, (jobs & 1) != 0, (jobs & 2) != 0);
      }
      if (r < 58) {
        List<String> earned = lastUse.keySet().stream().filter(k -> k.startsWith("t")).sorted().toList();
        String txn = !earned.isEmpty() && rnd.nextInt(4) > 0 ? earned.get(rnd.nextInt(earned.size())) : "t" + rnd.nextInt(3);
        if (rnd.nextInt(3) == 0) {
          return new Reverse(txn, null, null);
        }
        // A small pool of return ids, so a retry (same amount) and a conflict (another amount) both come up.
        // Its own prefix: the transfers' "x" pool keeps other values (long[]) under the same keys.
        Object[] k = keyed("ret", 3, () -> cents(30000));
        return new Reverse(txn, (String) k[0], (BigDecimal) k[2]);
      }
      if (r < 62) {
        Object[] k = rnd.nextInt(5) == 0 ? new Object[] {null, customer(), 0L}
            : keyed("a", 2, () -> (long) ((rnd.nextBoolean() ? 1 : -1) * (50 + 100 * rnd.nextInt(4))));
        long points = k[0] == null ? (rnd.nextBoolean() ? 150L : -150L) : (long) k[2];
        return new Adjust((int) k[1], (String) k[0], points);
      }
      if (r < 66) {
        // The receiver relative to the sender: mostly another known customer, sometimes itself or the unknown one.
        Object[] k = keyed("x", 2, () -> new long[] {rnd.nextInt(10) == 0 ? 3 * rnd.nextInt(2) : 1 + rnd.nextInt(2),
            50 + 50 * rnd.nextInt(6)});
        int from = (int) k[1];
        long[] offsetAndPoints = (long[]) k[2];
        int offset = (int) offsetAndPoints[0];
        int to = offset == 0 ? from : offset == 3 ? LedgerModel.UNKNOWN : (from + offset) % LedgerModel.UNKNOWN;
        return new Transfer((String) k[0], from, to, offsetAndPoints[1]);
      }
      if (r < 79) {
        Object[] k = keyed("o", 3, () -> cents(40000));
        return new Use((int) k[1], (String) k[0], (BigDecimal) k[2]);
      }
      if (r < 87) {
        Object[] k = keyed("o", 3, () -> cents(40000));
        BigDecimal part = rnd.nextBoolean() ? null : new BigDecimal[] {new BigDecimal("10.00"), new BigDecimal("25.50"),
            new BigDecimal("100.00")}[rnd.nextInt(3)];
        return new Release(rnd.nextInt(4) == 0 ? customer() : (int) k[1], (String) k[0], part);
      }
      Object[] k = keyed("p", 2, () -> new BigDecimal[] {new BigDecimal("20.00"), new BigDecimal("75.25"), new BigDecimal("150.00"),
          new BigDecimal("500.00")}[rnd.nextInt(4)]);
      return new Pay((int) k[1], (String) k[0], (BigDecimal) k[2]);
    }

    /** The same request again, or the same key for another customer, or something unrelated. */
    Op partner(Op a) {
      int r = rnd.nextInt(3);
      if (r == 0) {
        return a;
      }
      if (r == 1) {
        int other = (customerOf(a) + 1 + rnd.nextInt(2)) % 3;
        if (a instanceof Earn e) {
          return new Earn(other, e.txn(), e.amount());
        } else if (a instanceof Redeem x) {
          return new Redeem(other, x.ref(), x.points());
        } else if (a instanceof HoldOp h) {
          return new HoldOp(other, h.ref(), h.points());
        } else if (a instanceof Adjust j) {
          return new Adjust(other, j.key() == null ? "a9" : j.key(), j.points());
        } else if (a instanceof Transfer x) {
          return new Transfer(x.id(), other, x.to(), x.points());
        } else if (a instanceof Use u) {
          return new Use(other, u.order(), u.amount());
        } else if (a instanceof Release l) {
          return new Release(other, l.order(), l.amount());
        } else if (a instanceof Pay p) {
          return new Pay(other, p.ref(), p.amount());
        }
        return a;
      }
      Op b = next();
      return b instanceof Advance ? a : b;
    }

    static int customerOf(Op op) {
      if (op instanceof Earn e) {
        return e.c();
      } else if (op instanceof Redeem r) {
        return r.c();
      } else if (op instanceof HoldOp h) {
        return h.c();
      } else if (op instanceof Adjust a) {
        return a.c();
      } else if (op instanceof Transfer x) {
        return x.from();
      } else if (op instanceof Use u) {
        return u.c();
      } else if (op instanceof Release l) {
        return l.c();
      } else if (op instanceof Pay p) {
        return p.c();
      }
      return 0;
    }
  }

  /** One organization under test: its customers, clock, engines and model. */
  final class Run {
    final Sequence seq;
    final UUID org = UUID.randomUUID();
    final UUID[] ids = new UUID[LedgerModel.CUSTOMERS];
    final MutableClock clock = new MutableClock(START);
    final LoyaltyService loyalty = new LoyaltyService(db, CustomerChangeListener.NONE, clock);
    final CreditService credit = new CreditService(db, CustomerChangeListener.NONE, clock);
    final Caller caller = new Caller(org, "model", null, Set.of("loyalty:admin"), "test");
    final List<UUID> holds = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    LedgerModel model = new LedgerModel(START);

    Run(Sequence seq) {
      this.seq = seq;
      for (int i = 0; i < ids.length; i++) {
        ids[i] = UUID.randomUUID();
      }
    }

    Future<Void> setUp() {
      List<Tuple> customers = new ArrayList<>();
      List<Tuple> lines = new ArrayList<>();
      for (int i = 0; i < LedgerModel.UNKNOWN; i++) {
        customers.add(Tuple.of(org, ids[i], "Cliente " + i));
        if (LedgerModel.LIMITS[i] != null) {
          lines.add(Tuple.of(org, ids[i], LedgerModel.LIMITS[i]));
        }
      }
      return db.withTenant(org, conn -> conn.preparedQuery(
              "INSERT INTO customers (organization_id, id, customer_type, legal_name) VALUES ($1, $2, 'company', $3)")
          .executeBatch(customers)
          .compose(v -> conn.preparedQuery("""
              INSERT INTO credit_lines (organization_id, customer_id, credit_limit, currency, terms_days, status, approved_by, approved_at)
              VALUES ($1, $2, $3, 'CLP', 30, 'approved', 'model', now())""").executeBatch(lines))
          .mapEmpty())
          .compose(v -> loyalty.saveProgram(caller, WITH_TRANSFERS)).mapEmpty();
    }

    /** Slot 7 (or no hold yet) names a hold that does not exist. */
    UUID holdFor(int slot) {
      return slot == 7 || holds.isEmpty() ? new UUID(slot, 42) : holds.get(slot % holds.size());
    }

    Future<Answer> engine(Op op) {
      Future<Answer> answer;
      try {
        answer = call(op);
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      return answer.recover(e -> Future.succeededFuture(new Answer(e instanceof DomainException d ? LedgerModel.error(d.code())
          : "crash " + e, null)));
    }

    private Future<Answer> call(Op op) {
      if (op instanceof Earn e) {
        return loyalty.earn(new LoyaltyMessages.Earn(caller, ids[e.c()], e.txn(), e.amount(), null, "pos", List.of()))
            .map(r -> new Answer(LedgerModel.earned(r.pointsEarned(), r.pointsBalance(), r.replayed()), null));
      } else if (op instanceof Redeem r) {
        return loyalty.redeem(new LoyaltyMessages.Redeem(caller, ids[r.c()], r.points(), r.ref(), "model"))
            .map(x -> new Answer(LedgerModel.redeemed(x.pointsRedeemed(), x.discountAmount(), x.pointsBalance()), null));
      } else if (op instanceof HoldOp h) {
        return loyalty.hold(new LoyaltyMessages.HoldPoints(caller, ids[h.c()], h.points(), h.ref()))
            .map(x -> new Answer(LedgerModel.held(x.holdId(), x.pointsHeld(), x.discountAmount(), x.expiresAt(), x.pointsBalance()),
                x.holdId()));
      } else if (op instanceof Close c) {
        LoyaltyMessages.CloseHold close = new LoyaltyMessages.CloseHold(caller, c.id());
        return (c.capture() ? loyalty.capture(close) : loyalty.cancel(close))
            .map(x -> new Answer(LedgerModel.closed(x.holdId(), x.status(), x.pointsBalance()), null));
      } else if (op instanceof Advance a) {
        clock.advance(a.by());
        Future<String> holdsSwept = a.sweepHolds() ? loyalty.expireHolds(org).map(n -> "holds expired " + n) : Future.succeededFuture("");
        return holdsSwept.compose(h -> (a.expirePoints() ? loyalty.expirePoints(org).map(n -> "points expired " + n)
            : Future.succeededFuture("")).map(p -> new Answer((h + " " + p).trim(), null)));
      } else if (op instanceof Reverse r) {
        return loyalty.reverse(new LoyaltyMessages.Reverse(caller, r.txn(), "void", r.returnId(), r.amount(), List.of()))
            .map(x -> new Answer(LedgerModel.reversed(indexOf(x.customerId()), x.pointsReversed(), x.shortfall(), x.pointsBalance()), null));
      } else if (op instanceof Adjust a) {
        return loyalty.adjust(new LoyaltyMessages.Adjust(caller, ids[a.c()], a.points(), "model", a.key()))
            .map(x -> new Answer(LedgerModel.adjusted(x.points(), x.pointsBalance(), x.replayed()), null));
      } else if (op instanceof Transfer x) {
        return loyalty.transfer(new LoyaltyMessages.Transfer(caller, x.id(), ids[x.from()], ids[x.to()], x.points(), "model"))
            .map(t -> new Answer(LedgerModel.transferred(t.points(), t.fromPointsBalance(), t.toPointsBalance(), t.replayed()), null));
      } else if (op instanceof Use u) {
        return credit.use(new CreditMessages.Use(caller, ids[u.c()], u.order(), u.amount()))
            .map(x -> new Answer(LedgerModel.used(x.approved(), x.availableAmount(), x.dueDate(), x.reasonCode()), null));
      } else if (op instanceof Release l) {
        return credit.release(new CreditMessages.Release(caller, ids[l.c()], l.order(), l.amount()))
            .map(x -> new Answer(LedgerModel.balanceOf(x.availableAmount(), x.outstanding(), x.creditBalance()), null));
      } else if (op instanceof Pay p) {
        return credit.recordPayment(new CreditMessages.Payment(caller, ids[p.c()], p.ref(), p.amount()))
            .map(x -> new Answer(LedgerModel.balanceOf(x.availableAmount(), x.outstanding(), x.creditBalance()), null));
      }
      throw new IllegalArgumentException(op.toString());
    }

    int indexOf(UUID id) {
      for (int i = 0; i < ids.length; i++) {
        if (ids[i].equals(id)) {
          return i;
        }
      }
      return -1;
    }

    String model(LedgerModel m, Op op, Answer engine) {
      if (op instanceof Earn e) {
        return m.earn(e.c(), e.txn(), e.amount());
      } else if (op instanceof Redeem r) {
        return m.redeem(r.c(), r.ref(), r.points());
      } else if (op instanceof HoldOp h) {
        return m.hold(h.c(), h.ref(), h.points(), engine.holdId());
      } else if (op instanceof Close c) {
        return m.close(c.id(), c.capture() ? "captured" : "cancelled");
      } else if (op instanceof Advance a) {
        m.now = m.now.plus(a.by());
        String h = a.sweepHolds() ? m.expireHolds() : "";
        String p = a.expirePoints() ? m.expirePoints() : "";
        return (h + " " + p).trim();
      } else if (op instanceof Reverse r) {
        return m.reverse(r.txn(), r.returnId(), r.amount());
      } else if (op instanceof Adjust a) {
        return m.adjust(a.c(), a.key(), a.points());
      } else if (op instanceof Transfer x) {
        return m.transfer(x.id(), x.from(), x.to(), x.points());
      } else if (op instanceof Use u) {
        return m.use(u.c(), u.order(), u.amount());
      } else if (op instanceof Release l) {
        return m.release(l.c(), l.order(), l.amount());
      } else if (op instanceof Pay p) {
        return m.pay(p.c(), p.ref(), p.amount());
      }
      throw new IllegalArgumentException(op.toString());
    }

    /** One step: a single operation, or two sent at the same moment; null when all agreed. */
    Future<String> step(List<Op> planned) {
      // Which hold a close names is fixed before anything runs: the holds this very step creates do not count.
      List<Op> ops = planned.stream().map(o -> o instanceof Close c ? new Close(c.slot(), c.capture(), holdFor(c.slot())) : o).toList();
      List<Future<Answer>> answers = ops.stream().map(this::engine).toList();
      return Future.join(answers).otherwiseEmpty().compose(v -> snapshot()).map(state -> {
        List<Answer> got = answers.stream().map(Future::result).toList();
        for (int i = 0; i < ops.size(); i++) {
          String[] words = got.get(i).text().split(" ");
          String kind = ops.get(i).getClass().getSimpleName() + " " + (words[0].equals("error") || words[0].equals("use")
              ? words[0] + " " + words[1] : words[0].equals("closed") ? words[2] : "ok");
          OUTCOMES.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        }
        got.forEach(a -> {
          if (a.holdId() != null && !holds.contains(a.holdId())) {
            holds.add(a.holdId());
          }
        });
        String invariant = invariants(state);
        List<List<Integer>> orders = ops.size() == 1 ? List.of(List.of(0)) : List.of(List.of(0, 1), List.of(1, 0));
        List<String> tried = new ArrayList<>();
        for (List<Integer> order : orders) {
          LedgerModel m = model.copy();
          String[] expected = new String[ops.size()];
          for (int i : order) {
            expected[i] = model(m, ops.get(i), got.get(i));
          }
          List<String> wanted = List.of(expected);
          List<String> engineSaid = got.stream().map(Answer::text).toList();
          String stateDiff = compare(m, state);
          if (wanted.equals(engineSaid) && stateDiff == null) {
            model = m;
            log.add(ops + " -> " + engineSaid);
            return invariant;
          }
          tried.add("order " + order + ": model said " + wanted + (stateDiff == null ? "" : "; state " + stateDiff));
        }
        log.add(ops + " -> " + got.stream().map(Answer::text).toList());
        return "divergence: engines said " + got.stream().map(Answer::text).toList() + "; " + String.join(" | ", tried)
            + (invariant == null ? "" : "; " + invariant);
      });
    }

    Future<List<Row>> snapshot() {
      return db.withTenant(org, conn -> conn.preparedQuery(STATE).execute(Tuple.of(org)).map(rows -> {
        List<Row> out = new ArrayList<>();
        rows.forEach(out::add);
        return out;
      }));
    }

    String invariants(List<Row> state) {
      for (Row r : state) {
        int c = indexOf(r.getUUID("id"));
        long balance = r.getLong("balance");
        long held = r.getLong("held");
        if (balance != r.getLong("ledger_points")) {
          return "c" + c + " balance " + balance + " but Σ ledger " + r.getLong("ledger_points");
        }
        if (held != r.getLong("ledger_held")) {
          return "c" + c + " held " + held + " but Σ held deltas " + r.getLong("ledger_held");
        }
        if (held != r.getLong("open_holds")) {
          return "c" + c + " held " + held + " but Σ open holds " + r.getLong("open_holds");
        }
        if (held < 0 || held > balance) {
          return "c" + c + " held " + held + " outside 0.." + balance;
        }
        if (balance != r.getLong("lots")) {
          return "c" + c + " balance " + balance + " but Σ lots " + r.getLong("lots");
        }
        BigDecimal outstanding = r.getBigDecimal("outstanding");
        if (outstanding == null) {
          continue;
        }
        if (outstanding.compareTo(r.getBigDecimal("credit_ledger")) != 0) {
          return "c" + c + " outstanding " + outstanding + " but Σ credit ledger " + r.getBigDecimal("credit_ledger");
        }
        if (r.getBigDecimal("credit_balance").compareTo(r.getBigDecimal("credit_deltas")) != 0) {
          return "c" + c + " credit balance " + r.getBigDecimal("credit_balance") + " but Σ deltas " + r.getBigDecimal("credit_deltas");
        }
        if (outstanding.compareTo(r.getBigDecimal("open_charges")) != 0) {
          return "c" + c + " outstanding " + outstanding + " but Σ open charges " + r.getBigDecimal("open_charges");
        }
        BigDecimal last = r.getBigDecimal("last_outstanding");
        if (last != null && outstanding.compareTo(last) != 0) {
          return "c" + c + " outstanding " + outstanding + " but the last entry in line order says " + last;
        }
      }
      return null;
    }

    String compare(LedgerModel m, List<Row> state) {
      for (Row r : state) {
        int c = indexOf(r.getUUID("id"));
        if (r.getLong("balance") != m.balance[c] || r.getLong("held") != m.held[c]) {
          return "c" + c + " points " + r.getLong("balance") + "/" + r.getLong("held") + ", model " + m.balance[c] + "/" + m.held[c];
        }
        BigDecimal outstanding = r.getBigDecimal("outstanding");
        BigDecimal creditBalance = r.getBigDecimal("credit_balance");
        if (outstanding != null && (outstanding.compareTo(m.outstanding[c]) != 0 || creditBalance.compareTo(m.creditBalance[c]) != 0)) {
          return "c" + c + " credit " + outstanding + "/" + creditBalance + ", model " + m.outstanding[c] + "/" + m.creditBalance[c];
        }
      }
      return null;
    }
  }

  static final String STATE = """
      SELECT c.id, coalesce(a.balance, 0) AS balance, coalesce(a.held, 0) AS held, pl.ledger_points, pl.ledger_held,
        (SELECT coalesce(sum(remaining), 0) FROM loyalty_lots l WHERE l.organization_id = $1 AND l.customer_id = c.id) AS lots,
        (SELECT coalesce(sum(points), 0) FROM loyalty_holds h WHERE h.organization_id = $1 AND h.customer_id = c.id
           AND h.status = 'open') AS open_holds,
        cl.outstanding, cl.credit_balance, ce.credit_ledger, ce.credit_deltas,
        (SELECT coalesce(sum(amount - paid - released), 0) FROM credit_charges x WHERE x.organization_id = $1
           AND x.customer_id = c.id) AS open_charges,
        (SELECT outstanding_after FROM credit_ledger e WHERE e.organization_id = $1 AND e.customer_id = c.id
           ORDER BY line_seq DESC LIMIT 1) AS last_outstanding
      FROM customers c
      LEFT JOIN loyalty_accounts a ON a.organization_id = c.organization_id AND a.customer_id = c.id
      LEFT JOIN credit_lines cl ON cl.organization_id = c.organization_id AND cl.customer_id = c.id
      CROSS JOIN LATERAL (SELECT coalesce(sum(points), 0) AS ledger_points, coalesce(sum(held_delta), 0) AS ledger_held
                          FROM loyalty_ledger l WHERE l.organization_id = $1 AND l.customer_id = c.id) pl
      CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS credit_ledger, coalesce(sum(credit_delta), 0) AS credit_deltas
                          FROM credit_ledger e WHERE e.organization_id = $1 AND e.customer_id = c.id) ce
      WHERE c.organization_id = $1""";

  /** Runs one sequence to its end or its first failure; completes with null or the failure. */
  Future<String> runSequence(long seed, AtomicLong steps, AtomicLong pairs) {
    Sequence seq = new Sequence(seed);
    Run run = new Run(seq);
    int length = 3 + seq.rnd.nextInt(6);
    List<List<Op>> plan = new ArrayList<>();
    // Points and an order to work on first, so the short sequences reach redemptions, holds, releases.
    Earn first = new Earn(seq.focus, "t0", BigDecimal.valueOf(20000 + seq.rnd.nextInt(60000), 2));
    seq.lastUse.put("t0", new Object[] {"t0", first.c(), first.amount()});
    plan.add(List.of(first));
    if (seq.rnd.nextBoolean()) {
      Use order = new Use(seq.focus, "o0", BigDecimal.valueOf(5000 + seq.rnd.nextInt(30000), 2));
      seq.lastUse.put("o0", new Object[] {"o0", order.c(), order.amount()});
      plan.add(List.of(order));
    }
    for (int i = plan.size(); i < length; i++) {
      Op a = seq.next();
      boolean pair = !(a instanceof Advance) && seq.rnd.nextInt(100) < 30;
      plan.add(pair ? List.of(a, seq.partner(a)) : List.of(a));
    }
    Future<String> chain = run.setUp().map((String) null);
    for (List<Op> ops : plan) {
      chain = chain.compose(failure -> {
        if (failure != null) {
          return Future.succeededFuture(failure);
        }
        steps.incrementAndGet();
        if (ops.size() > 1) {
          pairs.incrementAndGet();
        }
        return run.step(ops).map(f -> f == null ? null : "step " + run.log.size() + " " + ops + ": " + f);
      });
    }
    return chain.recover(e -> Future.succeededFuture("crash " + e)).map(failure -> failure == null ? null
        : "seed " + seed + " (replay: -Dmodel.seed=" + seed + " -Dmodel.sequences=1)\n  " + failure + "\n  steps so far:\n    "
            + String.join("\n    ", run.log));
  }

  @Test
  void tenThousandRandomSequencesAgreeWithTheModelAndKeepEveryInvariant() throws Exception {
    long started = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    AtomicLong steps = new AtomicLong();
    AtomicLong pairs = new AtomicLong();
    Map<Long, String> failures = new ConcurrentHashMap<>();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(PARALLEL);
    for (int lane = 0; lane < PARALLEL; lane++) {
      lane(next, steps, pairs, failures, running, done);
    }
    done.future().await(15, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("LedgerModelTest: seed %d, %d sequences, %d steps (%d concurrent pairs), %d failing, %.1f s%n",
        SEED, next.get() > SEQUENCES ? SEQUENCES : next.get(), steps.get(), pairs.get(), failures.size(), seconds);
    System.out.println("LedgerModelTest answers: " + new TreeMap<>(OUTCOMES));
    Map<Long, String> sorted = new TreeMap<>(failures);
    sorted.values().stream().limit(3).forEach(System.out::println);
    assertTrue(failures.isEmpty(), failures.size() + " of " + SEQUENCES + " sequences diverged or broke an invariant; first:\n"
        + sorted.values().stream().findFirst().orElse(""));
    assertEquals(Collections.emptyMap(), failures);
  }

  private void lane(AtomicInteger next, AtomicLong steps, AtomicLong pairs, Map<Long, String> failures, AtomicInteger running,
                    Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= SEQUENCES) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    long seed = SEED + i * GOLDEN;
    Future<String> sequence;
    try {
      sequence = runSequence(seed, steps, pairs);
    } catch (RuntimeException e) {
      // A generator bug thrown here would otherwise end the lane silently and leave `done` open until the timeout.
      sequence = Future.failedFuture(e);
    }
    sequence.onComplete(r -> {
      if (r.failed()) {
        failures.put((long) i, "seed " + seed + ": " + r.cause());
      } else if (r.result() != null) {
        failures.put((long) i, r.result());
      }
      lane(next, steps, pairs, failures, running, done);
    });
  }
}
