package com.zenlogic.customerservice.platform.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The database pool and the one way to run a unit of work: inside a transaction with the tenant
 * set for that transaction only, so RLS applies and nothing leaks to the next user of the connection.
 */
public final class Db {
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String SERIALIZATION_FAILURE = "40001";

  // set_config(..., true) is transaction-local: it ends with the transaction that set it.
  private static final String SET_TENANT = "SELECT set_config('app.organization_id', $1, true)";

  private final Pool pool;

  private Db(Pool pool) {
    this.pool = pool;
  }

  /** The API verticles' pool: one shared pool per Vert.x instance, whatever number of verticle instances ask for it. */
  public static Db create(Vertx vertx, DbUrl url, int poolSize) {
    return create(vertx, url, poolSize, "api");
  }

  /**
   * One shared pool per purpose (api, loyalty, credit, ...). A shared pool takes the size of its
   * first creator, so two purposes under one name would silently get one size for both.
   */
  public static Db create(Vertx vertx, DbUrl url, int poolSize, String purpose) {
    return create(vertx, url, poolSize, "customer-db-" + purpose + "-", Map.of());
  }

  /**
   * The POS checkout's pool, one per gRPC verticle instance and not shared: its connections live on
   * that instance's event loop, so an answer never crosses threads on its way to the caller.
   * PERF: its statements always use their generic plan. Under
   * the default plan_cache_mode PostgreSQL re-plans a prepared statement at every execution when
   * its custom plans look cheaper than the generic one, which the batched read by ids always does
   * (the generic plan assumes 10 array elements): profiled at about 500 µs of parsing and planning
   * per statement against 40 µs of execution. The checkout statements are index lookups whose
   * best plan does not depend on the values, so the generic plan is the right one.
   */
  public static Db createCheckout(Vertx vertx, DbUrl url, int poolSize) {
    // A cashier cannot wait longer than this anyway; PostgreSQL cancels, and the read fails fast.
    return create(vertx, url, poolSize, null, Map.of("plan_cache_mode", "force_generic_plan", "statement_timeout", "2000"));
  }

  private static Db create(Vertx vertx, DbUrl url, int poolSize, String name, Map<String, String> settings) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(url.host())
        .setPort(url.port())
        .setDatabase(url.database())
        .setUser(url.user())
        .setPassword(url.password())
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        // A client span per statement inside a traced request (nothing when tracing is off).
        .setTracingPolicy(io.vertx.core.tracing.TracingPolicy.PROPAGATE);
    settings.forEach(connect::addProperty);
    PoolOptions options = new PoolOptions()
        .setMaxSize(poolSize)
        .setShared(name != null)
        .setName(name == null ? "customer-checkout" : name + url.database())
        .setMaxWaitQueueSize(4096);
    Pool pool = PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
    return new Db(pool);
  }

  public Pool pool() {
    return pool;
  }

  public <T> Future<T> withTenant(UUID organizationId, Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(conn -> conn.preparedQuery(SET_TENANT)
        .execute(Tuple.of(organizationId.toString()))
        .compose(ignored -> work.apply(conn)));
  }

  /**
   * The start of a statement that sets the tenant for itself: {@code WITH t AS MATERIALIZED (...) } with the
   * organization as {@code t.org}, from parameter $1. See {@link #readInOneStatement}.
   */
  public static final String TENANT_CTE = "WITH t AS MATERIALIZED (SELECT set_config('app.organization_id', $1, true)::uuid AS org) ";

  /**
   * PERF: a read in one round trip instead of four (BEGIN, set_config, the query, COMMIT). The statement
   * starts with {@link #TENANT_CTE} and reads every table in a LATERAL subquery of {@code t}, so no scan can
   * run before the tenant is set; the setting is transaction-local, and a lone statement is its own
   * transaction, so it ends with the statement. RLS still filters every scan (an unset tenant matches
   * nothing). For reads only: a write belongs in {@link #withTenant} with whatever else that sets.
   * {@code parameters} are $2, $3, ... of the statement.
   */
  public Future<RowSet<Row>> readInOneStatement(UUID organizationId, String statement, Tuple parameters) {
    Tuple all = Tuple.tuple().addString(organizationId.toString());
    for (int i = 0; i < parameters.size(); i++) {
      all.addValue(parameters.getValue(i));
    }
    return pool.preparedQuery(statement).execute(all);
  }

  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  public Future<Void> close() {
    return pool.close();
  }

  /** The unique index a failed insert or update collided with, or null if it was another failure. */
  public static String violatedConstraint(Throwable failure) {
    if (failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
      return pg.getConstraint();
    }
    return null;
  }
}
