package com.zenlogic.customerservice.platform.jobs;

import com.zenlogic.customerservice.platform.metrics.JobMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a periodic job run on one node of the cluster at a time: a lease row in PostgreSQL
 * ({@code job_leases}), taken by one conditional upsert when it is free or expired, renewed by its
 * holder every third of the TTL, released when the holder stops. A holder killed without release
 * keeps its lease until it expires, so another node takes the job over within one TTL plus one
 * renewal period.
 *
 * <p>The database clock decides expiry (one clock for every node). A holder believes it holds the
 * lease only until its own last successful renewal plus the TTL minus a margin, so a node cut off
 * from PostgreSQL stops running the job before another can take it. The jobs themselves are
 * idempotent batches, so the rare overlap a stalled holder could still cause changes no figure.
 */
public final class JobLease {
  private static final Logger LOG = LoggerFactory.getLogger(JobLease.class);
  private static final String SETTINGS = "job-lease-settings";

  // Takes the row when absent, when expired, or when it is already ours (renewal); else changes nothing.
  private static final String ACQUIRE = """
      INSERT INTO job_leases (name, holder, acquired_at, renewed_at, expires_at)
      VALUES ($1, $2, now(), now(), now() + $3::bigint * interval '1 millisecond')
      ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder,
             acquired_at = CASE WHEN job_leases.holder = EXCLUDED.holder THEN job_leases.acquired_at ELSE now() END,
             renewed_at = now(),
             expires_at = EXCLUDED.expires_at,
             takeovers = job_leases.takeovers + CASE WHEN job_leases.holder = EXCLUDED.holder THEN 0 ELSE 1 END
       WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at < now()
      RETURNING holder""";
  private static final String RELEASE = "DELETE FROM job_leases WHERE name = $1 AND holder = $2";

  /** Who this node is and how long a lease lasts; set once per Vert.x instance at deployment. */
  public record Settings(String holder, Duration ttl) {
    public static Settings defaults() {
      return new Settings(ProcessHandle.current().pid() + "@local", Duration.ofSeconds(30));
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final String name;
  private final String holder;
  private final Duration ttl;
  private long timer = -1;
  private long heldUntilNanos;
  private boolean stopped;

  public JobLease(Vertx vertx, Pool pool, String name, String holder, Duration ttl) {
    this.vertx = vertx;
    this.pool = pool;
    this.name = name;
    this.holder = holder;
    this.ttl = ttl;
  }

  /** A lease for this job with the node's settings (see {@link #configure}). */
  public static JobLease of(Vertx vertx, Pool pool, String name) {
    Settings s = settings(vertx);
    return new JobLease(vertx, pool, name, s.holder(), s.ttl());
  }

  /** Called by the deployment before the verticles that run jobs start. */
  public static void configure(Vertx vertx, Settings settings) {
    LocalMap<String, Object> map = vertx.sharedData().getLocalMap(SETTINGS);
    map.put("holder", settings.holder());
    map.put("ttlMillis", settings.ttl().toMillis());
  }

  static Settings settings(Vertx vertx) {
    LocalMap<String, Object> map = vertx.sharedData().getLocalMap(SETTINGS);
    Object holder = map.get("holder");
    Object ttl = map.get("ttlMillis");
    Settings d = Settings.defaults();
    return new Settings(holder == null ? d.holder() : (String) holder, ttl == null ? d.ttl() : Duration.ofMillis((Long) ttl));
  }

  /** Tries at once, then every third of the TTL; call from the owning verticle's context. */
  public JobLease start() {
    tryAcquire();
    timer = vertx.setPeriodic(Math.max(100, ttl.toMillis() / 3), id -> tryAcquire());
    return this;
  }

  /** Whether this node holds the lease now (by its last successful renewal). */
  public boolean held() {
    return !stopped && System.nanoTime() < heldUntilNanos;
  }

  /**
   * Runs the work if this node holds the lease, else does nothing; answers whether it ran. The
   * periodic renewal keeps the lease while the work goes on.
   */
  public <T> Future<Boolean> runIfHeld(Supplier<Future<T>> work) {
    if (!held()) {
      return Future.succeededFuture(false);
    }
    // Counted under the lease's name: customer_job_runs_total / customer_job_duration_seconds{job}.
    return JobMetrics.timed(name, work).map(true);
  }

  /** One acquire-or-renew; answers whether this node holds the lease afterwards. */
  public Future<Boolean> tryAcquire() {
    if (stopped) {
      return Future.succeededFuture(false);
    }
    long started = System.nanoTime();
    return pool.preparedQuery(ACQUIRE).execute(Tuple.of(name, holder, ttl.toMillis()))
        .map(rows -> {
          boolean ours = rows.rowCount() == 1 && holder.equals(rows.iterator().next().getString("holder"));
          boolean was = held();
          // Counted from before the round trip, with a margin of one renewal period: the database may have started the TTL earlier.
          heldUntilNanos = ours ? started + ttl.toNanos() - ttl.toNanos() / 3 : 0;
          if (ours && !was) {
            LOG.info("Job lease {} taken by {}", name, holder);
          } else if (!ours && was) {
            LOG.warn("Job lease {} lost by {}", name, holder);
          }
          return ours;
        })
        .recover(e -> {
          LOG.warn("Job lease {}: cannot renew ({}); holding it until {} ms from the last renewal", name, e.toString(),
              ttl.toMillis() * 2 / 3);
          return Future.succeededFuture(held());
        });
  }

  /** Stops renewing without giving the lease back: what a killed node does (tests). */
  void abandon() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Stops renewing and gives the lease back, so another node takes it at its next try. */
  public Future<Void> stop() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    heldUntilNanos = 0;
    return pool.preparedQuery(RELEASE).execute(Tuple.of(name, holder)).<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** The current holder and expiry, for readiness detail and tests. */
  public static Future<Row> current(Pool pool, String name) {
    return pool.preparedQuery("SELECT name, holder, acquired_at, expires_at, takeovers FROM job_leases WHERE name = $1")
        .execute(Tuple.of(name)).map(rows -> rows.iterator().hasNext() ? rows.iterator().next() : null);
  }

  public String name() {
    return name;
  }
}
