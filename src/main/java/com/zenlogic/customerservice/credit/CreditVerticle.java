package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.function.Supplier;

/** The credit engine as a verticle: serves the credit addresses for the API verticles and consumers. */
public final class CreditVerticle extends VerticleBase {
  private final DbUrl runtimeDb;
  private final int poolSize;
  private final Supplier<CustomerCache> caches;
  private Db db;
  private CustomerCache cache;

  public CreditVerticle(DbUrl runtimeDb, int poolSize, Supplier<CustomerCache> caches) {
    this.runtimeDb = runtimeDb;
    this.poolSize = poolSize;
    this.caches = caches;
  }

  @Override
  public Future<?> start() {
    db = Db.create(vertx, runtimeDb, poolSize, "credit");
    cache = caches.get();
    CreditService credit = new CreditService(db, cache::invalidate, Clock.systemUTC());
    CreditEventHandlers.register(vertx, db, credit, cache);
    CreditMessages.CHECK.serve(vertx, credit::check);
    CreditMessages.USE.serve(vertx, credit::use);
    CreditMessages.RELEASE.serve(vertx, credit::release);
    CreditMessages.PAYMENT.serve(vertx, credit::recordPayment);
    CreditMessages.SUMMARY.serve(vertx, q -> credit.summary(q.caller(), q.customerId()));
    CreditMessages.STATEMENT.serve(vertx, credit::statement);
    CreditMessages.STANDINGS.serve(vertx, credit::standings);
    CreditMessages.AGING.serve(vertx, credit::aging);
    CreditMessages.LINE_CHANGE.serve(vertx, credit::changeLine);
    CreditMessages.POLICY_GET.serve(vertx, q -> credit.policy(q.caller()));
    CreditMessages.POLICY_PUT.serve(vertx, q -> credit.savePolicy(q.caller(), q.policy()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return (cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }
}
