package com.zenlogic.customerservice.imports;

import com.zenlogic.customerservice.platform.cache.CustomerCache;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the queued imports, one at a time on this node: every second it looks for an import no live
 * node holds (a new one, or one whose node died or stopped) and takes its lease
 * ({@code customer-import:<id>}, platform/jobs/JobLease); the holder runs it and renews the lease
 * while it does. Another node takes over within one lease TTL after the holder dies.
 */
public final class ImportsVerticle extends VerticleBase {
  static final long SCAN_MILLIS = 1000;

  private final DbUrl runtimeDb;
  private final Supplier<CustomerCache> caches;
  private final ImportConfig config;
  private final String phoneRegion;
  private final ImportRepository imports = new ImportRepository();
  private Db db;
  private CustomerCache cache;
  private long timer = -1;
  private ImportRun current;
  private Future<Void> running = Future.succeededFuture();
  private boolean scanning;

  public ImportsVerticle(DbUrl runtimeDb, Supplier<CustomerCache> caches, ImportConfig config, String phoneRegion) {
    this.runtimeDb = runtimeDb;
    this.caches = caches;
    this.config = config;
    this.phoneRegion = phoneRegion;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, 3, "imports");
    cache = caches.get();
    timer = vertx.setPeriodic(SCAN_MILLIS, id -> scan());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    if (current != null) {
      current.stop();
    }
    return running.eventually(() -> cache.close()).eventually(() -> db.close());
  }

  private void scan() {
    if (current != null || scanning) {
      return;
    }
    scanning = true;
    imports.queued(db.pool())
        .compose(this::takeFirstFree)
        .onComplete(ar -> scanning = false);
  }

  private Future<Void> takeFirstFree(List<ImportRepository.Queued> queued) {
    if (queued.isEmpty() || current != null) {
      return Future.succeededFuture();
    }
    ImportRepository.Queued q = queued.get(0);
    JobLease lease = JobLease.of(vertx, db.pool(), "customer-import:" + q.importId());
    return lease.tryAcquire().compose(held -> {
      if (!held) {
        return takeFirstFree(queued.subList(1, queued.size()));
      }
      lease.start();
      ImportRun run = new ImportRun(vertx, db, imports, cache, config, phoneRegion, q.organizationId(), q.importId(), lease);
      current = run;
      running = run.run().eventually(lease::stop).onComplete(ar -> current = null);
      return Future.succeededFuture();
    });
  }
}
