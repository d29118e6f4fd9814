package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.CreatePunchProgram;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.CustomerQuery;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.LiabilityQuery;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ProgramQuery;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ProgramUpdate;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.RedeemReward;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The loyalty engine as a verticle: serves the loyalty addresses for the API verticles and runs the
 * periodic work (LoyaltyJobs: expired holds every minute; point expiry and tier review soon after
 * start, then periodically, in bounded batches).
 */
public final class LoyaltyVerticle extends VerticleBase {
  private final DbUrl runtimeDb;
  private final int poolSize;
  private final Supplier<CustomerCache> caches;
  /** Null on every instance but the one that runs the periodic jobs. */
  private final LoyaltyJobs.Schedule schedule;
  private Db db;
  private LoyaltyJobs jobs;
  private CustomerCache cache;

  public LoyaltyVerticle(DbUrl runtimeDb, int poolSize, Supplier<CustomerCache> caches, LoyaltyJobs.Schedule schedule) {
    this.runtimeDb = runtimeDb;
    this.poolSize = poolSize;
    this.caches = caches;
    this.schedule = schedule;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, poolSize, "loyalty");
    cache = caches.get();
    LoyaltyService loyalty = new LoyaltyService(db, cache::invalidate, Clock.systemUTC());
    LoyaltyEventHandlers.register(vertx, db, loyalty, cache);
    LoyaltyReports reports = new LoyaltyReports(db);
    LoyaltyMessages.EARN.serve(vertx, loyalty::earn);
    LoyaltyMessages.REDEEM.serve(vertx, loyalty::redeem);
    LoyaltyMessages.HOLD.serve(vertx, loyalty::hold);
    LoyaltyMessages.CAPTURE.serve(vertx, loyalty::capture);
    LoyaltyMessages.CANCEL.serve(vertx, loyalty::cancel);
    LoyaltyMessages.REVERSE.serve(vertx, loyalty::reverse);
    LoyaltyMessages.ADJUST.serve(vertx, loyalty::adjust);
    LoyaltyMessages.TRANSFER.serve(vertx, loyalty::transfer);
    LoyaltyMessages.TIER.serve(vertx, q -> loyalty.tier(q.caller(), q.customerId()));
    LoyaltyMessages.ACCOUNT.serve(vertx, q -> loyalty.account(q.caller(), q.customerId()));
    LoyaltyMessages.LEDGER.serve(vertx, loyalty::ledger);
    LoyaltyMessages.PROGRAM_GET.serve(vertx, q -> loyalty.program(q.caller()).map(LoyaltyMessages.ProgramView::new));
    LoyaltyMessages.PROGRAM_PUT.serve(vertx, q -> loyalty.saveProgram(q.caller(), q.program()).map(LoyaltyMessages.ProgramView::new));
    LoyaltyMessages.PREVIEW.serve(vertx, loyalty::preview);
    LoyaltyMessages.RULES.serve(vertx, q -> loyalty.earningRules(q.caller()).map(LoyaltyMessages.EarningRules::new));
    LoyaltyMessages.RULE_SAVE.serve(vertx, q -> loyalty.saveEarningRule(q.caller(), q.ruleId(), q.rule()).map(LoyaltyMessages.RuleView::new));
    LoyaltyMessages.RULE_DELETE.serve(vertx, q -> loyalty.deleteEarningRule(q.caller(), q.ruleId())
        .map(v -> new LoyaltyMessages.RuleDeleted(q.ruleId())));
    LoyaltyMessages.LIABILITY.serve(vertx, q -> reports.liability(q.caller(), q.from(), q.to()));
    PunchCards punch = loyalty.punchCards();
    LoyaltyMessages.PUNCH_PROGRAM_CREATE.serve(vertx, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.create(conn, q.caller().organizationId(), q.program())));
    LoyaltyMessages.PUNCH_PROGRAMS.serve(vertx, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.programs(conn, q.caller().organizationId()).map(LoyaltyMessages.PunchPrograms::new)));
    LoyaltyMessages.PUNCH_CARDS.serve(vertx, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.cards(conn, q.caller().organizationId(), q.customerId()).map(LoyaltyMessages.PunchCards::new)));
    LoyaltyMessages.PUNCH_REDEEM.serve(vertx, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.redeemReward(conn, q.caller().organizationId(), q.customerId(), q.programId(), q.reference()))
        .compose(card -> cache.invalidate(q.caller().organizationId(), q.customerId()).map(card)));

    if (schedule != null) {
      jobs = new LoyaltyJobs(vertx, loyalty, runtimeDb, schedule);
      jobs.schedule(db.pool());
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return (jobs == null ? Future.succeededFuture() : jobs.stop())
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }
}
