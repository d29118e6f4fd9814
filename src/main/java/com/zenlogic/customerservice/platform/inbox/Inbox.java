package com.zenlogic.customerservice.platform.inbox;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * The inbox that makes a consumed message count once per engine: the engine that applies a message
 * inserts the row (organization, "consumer:engine", message id) in the same tenant transaction as
 * the effect, so the two commit or roll back together. A row already there means a redelivery:
 * nothing is applied and the answer is {@link Applied#BEFORE}.
 *
 * <p>Each engine has its own key, so a message with effects in two engines (a sale earns points and
 * enters the purchase history) is applied exactly once in each, even when one of them failed and
 * the message came back.
 */
public final class Inbox {
  private static final String INSERT = """
      INSERT INTO inbox (organization_id, consumer, message_id, event_type) VALUES ($1, $2, $3, $4)
      ON CONFLICT DO NOTHING RETURNING 1""";
  private static final String PRUNE = """
      DELETE FROM inbox WHERE ctid IN (SELECT ctid FROM inbox
        WHERE (consumer = $1 OR left(consumer, length($1) + 1) = $1 || ':')
          AND processed_at < now() - make_interval(days => $2) LIMIT $3)""";
  private static final int PRUNE_BATCH = 5000;

  private Inbox() {}

  /** The inbox key of one engine's share of a consumer's messages, e.g. customer_pos_consumer:loyalty. */
  public static String key(String consumer, String engine) {
    return engine == null ? consumer : consumer + ":" + engine;
  }

  /**
   * In one tenant transaction: the inbox row of (delivery, engine), then the effect; a row already
   * there skips the effect. Failures come out as the consumer must treat them (see {@link #forTheConsumer}).
   */
  public static Future<Applied> applyOnce(Db db, Delivery delivery, String engine, Function<SqlConnection, Future<?>> effect) {
    return db.withTenant(delivery.organizationId(), conn -> insert(conn, delivery, engine)
            .compose(isNew -> isNew ? effect.apply(conn).map(Applied.NOW) : Future.succeededFuture(Applied.BEFORE)))
        .recover(e -> Future.failedFuture(forTheConsumer(e)));
  }

  /** Inserts the row on the caller's connection; answers whether it is new. */
  public static Future<Boolean> insert(SqlConnection conn, Delivery delivery, String engine) {
    return conn.preparedQuery(INSERT)
        .execute(Tuple.of(delivery.organizationId(), key(delivery.consumer(), engine), delivery.messageId(), delivery.eventType()))
        .map(rows -> rows.size() > 0);
  }

  /**
   * A database failure as a domain error the bus carries: one that may pass (connection,
   * serialization, deadlock, resources, shutdown, lock timeout) as SERVICE_UNAVAILABLE, so the
   * consumer retries; any other (a constraint, bad data) as VALIDATION_FAILED with the SQLSTATE,
   * so the consumer dead-letters it with that reason. Everything else is left as it is.
   */
  public static Throwable forTheConsumer(Throwable e) {
    if (!(e instanceof PgException pg)) {
      return e;
    }
    if (isTransient(pg)) {
      return new DomainException(ErrorCode.SERVICE_UNAVAILABLE, "database busy or unreachable (SQLSTATE " + pg.getSqlState() + ")", null);
    }
    return new DomainException(ErrorCode.VALIDATION_FAILED,
        "database refused the change (SQLSTATE " + pg.getSqlState() + "): " + pg.getErrorMessage(), null);
  }

  /** PostgreSQL classes 08 (connection), 40 (serialization, deadlock), 53 (resources), 57 (operator intervention), 58 (system), lock timeouts. */
  public static boolean isTransient(PgException pg) {
    String state = pg.getSqlState() == null ? "" : pg.getSqlState();
    return state.startsWith("08") || state.startsWith("40") || state.startsWith("53") || state.startsWith("57")
        || state.startsWith("58") || state.equals("55P03");
  }

  /**
   * Deletes one consumer's inbox rows (its own and every engine's) older than the retention, across
   * organizations, in bounded batches; answers how many. A redelivery older than the retention would
   * count again, which is why the retention is days while a redelivery comes within minutes.
   */
  public static Future<Long> prune(Pool pool, String consumer, int retentionDays) {
    return pool.withTransaction(conn -> conn.query("SELECT set_config('app.inbox_prune', 'on', true)").execute()
            .compose(v -> conn.preparedQuery(PRUNE).execute(Tuple.of(consumer, retentionDays, PRUNE_BATCH))))
        .compose(r -> r.rowCount() == PRUNE_BATCH ? prune(pool, consumer, retentionDays).map(n -> n + PRUNE_BATCH)
            : Future.succeededFuture((long) r.rowCount()));
  }
}
