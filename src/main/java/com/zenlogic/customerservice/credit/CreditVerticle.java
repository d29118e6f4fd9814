package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.platform.bus.Bus;
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
    Bus.serve(vertx, CreditMessages.CHECK, credit::check);
    Bus.serve(vertx, CreditMessages.USE, credit::use);
    Bus.serve(vertx, CreditMessages.RELEASE, credit::release);
    Bus.serve(vertx, CreditMessages.PAYMENT, credit::recordPayment);
    Bus.<CreditMessages.CustomerQuery>serve(vertx, CreditMessages.SUMMARY, q -> credit.summary(q.caller(), q.customerId()));
    Bus.serve(vertx, CreditMessages.STATEMENT, credit::statement);
    Bus.serve(vertx, CreditMessages.AGING, credit::aging);
    Bus.serve(vertx, CreditMessages.LINE_CHANGE, credit::changeLine);
    Bus.<CreditMessages.PolicyQuery>serve(vertx, CreditMessages.POLICY_GET, q -> credit.policy(q.caller()));
    Bus.<CreditMessages.PolicyUpdate>serve(vertx, CreditMessages.POLICY_PUT, q -> credit.savePolicy(q.caller(), q.policy()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return (cache == null ? Future.succeededFuture() : cache.close())
        .eventually(() -> db == null ? Future.succeededFuture() : db.close());
  }
}
