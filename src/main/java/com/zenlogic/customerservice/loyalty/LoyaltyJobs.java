package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.platform.tracing.Redact;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.metrics.JobMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled loyalty work: expired holds every minute; point expiry, the expiring-points notices
 * (loyalty.points.expiring, once per lot) and tier review soon after start and then periodically.
 *
 * <p>Why it is shaped like this: each run walks the organizations in bounded batches (one
 * transaction per batch of accounts, caches dropped after each commit), so a large organization
 * never keeps every account locked for the whole run. One run at a time: a flag in this process,
 * and across processes a session advisory lock held on a connection of its own for the run (if the
 * process dies, the session ends and the lock with it). A restart runs the work within a minute,
 * so a service restarted more often than the period still expires points.
 */
public final class LoyaltyJobs {
  static final int DEFAULT_BATCH = 500;
  private static final Logger LOG = LoggerFactory.getLogger(LoyaltyJobs.class);
  private static final long RUN_LOCK = 0x10ca1_7e5L;

  /** When the work runs and how much one transaction takes. */
  public record Schedule(long holdSweepMillis, long firstRunMillis, long intervalMillis, int batchSize) {}

  /** What one run did; ran is false when another run (here or in another process) held the lock. */
  public record Run(boolean ran, long pointsExpired, int tiersChanged, int batches) {
    static final Run SKIPPED = new Run(false, 0, 0, 0);
  }

  private final Vertx vertx;
  private final LoyaltyService loyalty;
  private final PgConnectOptions lockConnection;
  private final Schedule schedule;
  // Test threads may start a run too, so the guard is atomic rather than confined to the event loop.
  private final AtomicBoolean running = new AtomicBoolean();
  private boolean sweeping;
  private JobLease holdLease;
  private JobLease runLease;

  public LoyaltyJobs(Vertx vertx, LoyaltyService loyalty, DbUrl runtimeDb, Schedule schedule) {
    this.vertx = vertx;
    this.loyalty = loyalty;
    this.schedule = schedule;
    this.lockConnection = new PgConnectOptions().setHost(runtimeDb.host()).setPort(runtimeDb.port())
        .setDatabase(runtimeDb.database()).setUser(runtimeDb.user()).setPassword(runtimeDb.password());
  }

  static Caller system(UUID org) {
    return new Caller(org, "system", null, Set.of(), "job-" + UUID.randomUUID());
  }

  /**
   * Arms the timers; call from the owning verticle's context. In a cluster each timer fires on
   * every node, and only the holder of the job's lease (platform/jobs/JobLease) does the work.
   */
  public void schedule(Pool leases) {
    holdLease = JobLease.of(vertx, leases, "loyalty.hold-expiry").start();
    runLease = JobLease.of(vertx, leases, "loyalty.points-expiry-and-tier-review").start();
    vertx.setPeriodic(schedule.holdSweepMillis(), id -> {
      if (holdLease.held()) {
        sweepHolds();
      }
    });
    vertx.setTimer(schedule.firstRunMillis(), first -> {
      runLease.runIfHeld(this::runOnce);
      vertx.setPeriodic(schedule.intervalMillis(), id -> runLease.runIfHeld(this::runOnce));
    });
  }

  /** Gives the leases back, so another node runs the jobs at its next try. */
  public Future<Void> stop() {
    return Future.join(holdLease == null ? Future.succeededFuture() : holdLease.stop(),
        runLease == null ? Future.succeededFuture() : runLease.stop()).mapEmpty();
  }

  /** Point expiry then tier review over every organization, unless a run is already going on. */
  public Future<Run> runOnce() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(Run.SKIPPED);
    }
    return PgConnection.connect(vertx, lockConnection)
        .compose(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(RUN_LOCK))
            .compose(rows -> !rows.iterator().next().getBoolean(0) ? Future.succeededFuture(Run.SKIPPED) : allTenants())
            // Closing the session releases the advisory lock, whatever happened above.
            .eventually(conn::close))
        .onComplete(ar -> running.set(false))
        .onFailure(e -> LOG.warn("Loyalty run failed: {}", Redact.failure(e)));
  }

  private Future<Run> allTenants() {
    return loyalty.tenants().compose(orgs -> {
      Future<Run> chain = Future.succeededFuture(new Run(true, 0, 0, 0));
      for (UUID org : orgs) {
        // Pending points first: released points may expire in the same run, and the review sees them.
        chain = chain.compose(run -> batches(org, null, loyalty::releasePendingPointsBatch, run, false, false)
            .compose(released -> batches(org, null, loyalty::expirePointsBatch, released, true, false))
            .compose(afterExpiry -> loyalty.notifyExpiringPoints(org, schedule.batchSize()).map(afterExpiry))
            .compose(afterExpiry -> batches(org, null, loyalty::reviewTiersBatch, afterExpiry, false, true))
            .recover(e -> {
              LOG.warn("Loyalty run failed for organization {}: {}", org, Redact.failure(e));
              return Future.succeededFuture(run);
            }));
      }
      return chain;
    });
  }

  private interface BatchWork {
    Future<LoyaltyService.Batch> apply(UUID org, UUID after, int size);
  }

  private Future<Run> batches(UUID org, UUID after, BatchWork work, Run run, boolean expiry, boolean tiers) {
    int size = schedule.batchSize();
    return work.apply(org, after, size).compose(b -> {
      Run next = new Run(true, run.pointsExpired() + (expiry ? b.count() : 0), run.tiersChanged() + (tiers ? (int) b.count() : 0),
          run.batches() + 1);
      return b.examined() < size ? Future.succeededFuture(next) : batches(org, b.last(), work, next, expiry, tiers);
    });
  }

  private void sweepHolds() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    JobMetrics.timed(holdLease.name(), () -> loyalty.tenants().compose(orgs -> forEach(orgs, (org, v) -> loyalty.expireHolds(org)
            .<Void>mapEmpty()
            .recover(e -> {
              LOG.warn("Expiring holds failed for organization {}: {}", org, Redact.failure(e));
              return Future.succeededFuture();
            }))))
        .onComplete(ar -> sweeping = false);
  }

  private static Future<Void> forEach(List<UUID> orgs, BiFunction<UUID, Void, Future<Void>> work) {
    Future<Void> chain = Future.succeededFuture();
    for (UUID org : orgs) {
      chain = chain.compose(v -> work.apply(org, v));
    }
    return chain;
  }
}
