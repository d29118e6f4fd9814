package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.infra.Bus;
import com.zenlogic.customerservice.infra.Db;
import com.zenlogic.customerservice.infra.DbUrl;
import com.zenlogic.customerservice.infra.cache.CustomerCache;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.CreatePunchProgram;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.CustomerQuery;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.LiabilityQuery;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ProgramQuery;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.ProgramUpdate;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.RedeemReward;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loyalty engine as a verticle: serves the loyalty addresses for the API verticles and runs the
 * periodic work (expired holds every minute; point expiry and tier review every hour).
 */
public final class LoyaltyVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LoyaltyVerticle.class);

  private final DbUrl runtimeDb;
  private final int poolSize;
  private final Supplier<CustomerCache> caches;
  private final long holdSweepMillis;
  private final long dailyWorkMillis;
  private Db db;
  private CustomerCache cache;

  public LoyaltyVerticle(DbUrl runtimeDb, int poolSize, Supplier<CustomerCache> caches, long holdSweepMillis, long dailyWorkMillis) {
    this.runtimeDb = runtimeDb;
    this.poolSize = poolSize;
    this.caches = caches;
    this.holdSweepMillis = holdSweepMillis;
    this.dailyWorkMillis = dailyWorkMillis;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, poolSize);
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

    vertx.setPeriodic(holdSweepMillis, id -> forEachTenant(loyalty, loyalty::expireHolds, "expire holds"));
    vertx.setPeriodic(dailyWorkMillis, id -> forEachTenant(loyalty, org -> loyalty.expirePoints(org)
        .compose(n -> loyalty.reviewTiers(org)), "expire points and review tiers"));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return (cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }

  private <Q> void serve(String address, Function<Q, Future<?>> handler) {
    Bus.serve(vertx, address, handler);
  }

  private static void forEachTenant(LoyaltyService loyalty, Function<UUID, Future<?>> work, String what) {
    loyalty.tenants().compose(orgs -> {
      Future<Void> chain = Future.succeededFuture();
      for (UUID org : orgs) {
        chain = chain.compose(v -> work.apply(org).<Void>mapEmpty()
            .recover(e -> {
              LOG.warn("Loyalty job '{}' failed for organization {}: {}", what, org, e.toString());
              return Future.succeededFuture();
            }));
      }
      return chain;
    });
  }
}
