package com.zenlogic.customerservice.platform.db;

import com.zenlogic.customerservice.platform.auth.Actor;
import com.zenlogic.customerservice.platform.tracing.Correlation;
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

  // set_config(..., true) is transaction-local: it ends with the transaction that set it. The actor
  // and correlation id ride in the same statement (no extra round trip) for the audit triggers (V16).
  private static final String SET_TENANT = "SELECT set_config('app.organization_id', $1, true), "
      + "set_config('app.actor', $2, true), set_config('app.correlation_id', $3, true)";

  // Must be the transaction's first statement; the snapshot is then taken by the next one.
  private static final String SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  private static final String SET_TENANT_AT = "SELECT set_config('app.organization_id', $1, true), "
      + "set_config('app.actor', $2, true), set_config('app.correlation_id', $3, true), now() AS snapshot_at";

  /**
   * A paused export leaves its session idle in a transaction (holding back vacuum); PostgreSQL ends
   * it after this long even if the HTTP connection somehow stays open.
   */
  private static final String EXPORT_IDLE_IN_TRANSACTION_MS = "600000";

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

  /**
   * The streamed exports' pool, shared by the HTTP instances: each export holds one connection for
   * as long as its client reads, so exports never take the API's connections. An export beyond
   * {@code maxConcurrent} waits at most {@value #EXPORT_WAIT_SECONDS} s for one to finish (a burst of
   * small files goes through), then is refused (503) rather than queue behind a download that may
   * take minutes.
   */
  public static Db createExports(Vertx vertx, DbUrl url, int maxConcurrent) {
    return create(vertx, url, maxConcurrent, "customer-db-exports-", Map.of("idle_in_transaction_session_timeout", EXPORT_IDLE_IN_TRANSACTION_MS),
        options -> options.setMaxWaitQueueSize(EXPORT_MAX_WAITING).setConnectionTimeout(EXPORT_WAIT_SECONDS)
            .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS));
  }

  private static final int EXPORT_MAX_WAITING = 16;
  private static final int EXPORT_WAIT_SECONDS = 2;

  private static Db create(Vertx vertx, DbUrl url, int poolSize, String name, Map<String, String> settings) {
    return create(vertx, url, poolSize, name, settings, options -> { });
  }

  private static Db create(Vertx vertx, DbUrl url, int poolSize, String name, Map<String, String> settings,
                           java.util.function.Consumer<PoolOptions> tune) {
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
    tune.accept(options);
    Pool pool = PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
    return new Db(pool);
  }

  public Pool pool() {
    return pool;
  }

  /** The actor and correlation id of the current handling (platform/auth/Actor, platform/tracing/Correlation) go with the tenant. */
  public <T> Future<T> withTenant(UUID organizationId, Function<SqlConnection, Future<T>> work) {
    Tuple settings = Tuple.of(organizationId.toString(), nullToEmpty(Actor.current()), nullToEmpty(Correlation.current()));
    // PERF: the work's first statements go out behind SET_TENANT without waiting for its answer
    // (pipelined on the connection, executed in order by the server, so they run under the tenant):
    // one round trip less per unit of work. Should SET_TENANT fail, the transaction is aborted and
    // everything after it fails with it.
    return pool.withTransaction(conn -> {
      Future<?> tenant = conn.preparedQuery(SET_TENANT).execute(settings);
      Future<T> result = work.apply(conn);
      return tenant.compose(ignored -> result);
    });
  }

  /**
   * A read-only unit of work on one consistent snapshot (REPEATABLE READ): every statement sees the
   * database as it was at {@code snapshot_at}, whatever commits meanwhile. For exports that stream
   * a whole table through a cursor; the tenant is set as in {@link #withTenant}.
   */
  public <T> Future<T> withSnapshot(UUID organizationId, java.util.function.BiFunction<SqlConnection, java.time.Instant, Future<T>> work) {
    Tuple settings = Tuple.of(organizationId.toString(), nullToEmpty(Actor.current()), nullToEmpty(Correlation.current()));
    return pool.withTransaction(conn -> conn.query(SNAPSHOT).execute()
        .compose(ignored -> conn.preparedQuery(SET_TENANT_AT).execute(settings))
        .compose(rows -> work.apply(conn, rows.iterator().next().getOffsetDateTime("snapshot_at").toInstant())));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
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
