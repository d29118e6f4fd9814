package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.bus.Bus;
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
import java.util.function.Function;
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
    LoyaltyReports reports = new LoyaltyReports(db);
    serve(LoyaltyMessages.EARN, loyalty::earn);
    serve(LoyaltyMessages.REDEEM, loyalty::redeem);
    serve(LoyaltyMessages.HOLD, loyalty::hold);
    serve(LoyaltyMessages.CAPTURE, loyalty::capture);
    serve(LoyaltyMessages.CANCEL, loyalty::cancel);
    serve(LoyaltyMessages.REVERSE, loyalty::reverse);
    serve(LoyaltyMessages.ADJUST, loyalty::adjust);
    this.<CustomerQuery>serve(LoyaltyMessages.TIER, q -> loyalty.tier(q.caller(), q.customerId()));
    this.<CustomerQuery>serve(LoyaltyMessages.ACCOUNT, q -> loyalty.account(q.caller(), q.customerId()));
    serve(LoyaltyMessages.LEDGER, loyalty::ledger);
    this.<ProgramQuery>serve(LoyaltyMessages.PROGRAM_GET, q -> loyalty.program(q.caller()).map(LoyaltyMessages.ProgramView::new));
    this.<ProgramUpdate>serve(LoyaltyMessages.PROGRAM_PUT,
        q -> loyalty.saveProgram(q.caller(), q.program()).map(LoyaltyMessages.ProgramView::new));
    this.<LiabilityQuery>serve(LoyaltyMessages.LIABILITY, q -> reports.liability(q.caller(), q.from(), q.to()));
    PunchCards punch = loyalty.punchCards();
    this.<CreatePunchProgram>serve(LoyaltyMessages.PUNCH_PROGRAM_CREATE, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.create(conn, q.caller().organizationId(), q.program())));
    this.<ProgramQuery>serve(LoyaltyMessages.PUNCH_PROGRAMS, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.programs(conn, q.caller().organizationId()).map(LoyaltyMessages.PunchPrograms::new)));
    this.<CustomerQuery>serve(LoyaltyMessages.PUNCH_CARDS, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.cards(conn, q.caller().organizationId(), q.customerId()).map(LoyaltyMessages.PunchCards::new)));
    this.<RedeemReward>serve(LoyaltyMessages.PUNCH_REDEEM, q -> db.withTenant(q.caller().organizationId(),
        conn -> punch.redeemReward(conn, q.caller().organizationId(), q.customerId(), q.programId(), q.reference()))
        .compose(card -> cache.invalidate(q.caller().organizationId(), q.customerId()).map(card)));

    jobs = new LoyaltyJobs(vertx, loyalty, runtimeDb, schedule);
    jobs.schedule(db.pool());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return (jobs == null ? Future.succeededFuture() : jobs.stop())
        .eventually(() -> cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }

  private <Q> void serve(String address, Function<Q, Future<?>> handler) {
    Bus.serve(vertx, address, handler);
  }
}
