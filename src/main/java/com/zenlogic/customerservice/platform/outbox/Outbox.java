package com.zenlogic.customerservice.platform.outbox;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;

/**
 * The single publishing hook: a state change records its event here, on the same connection and
 * so in the same transaction as the change. Either both commit or neither does.
 */
public final class Outbox {
  private static final String INSERT = """
      INSERT INTO outbox (event_id, organization_id, aggregate_id, event_type, schema_version, correlation_id, payload, occurred_at,
        traceparent)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      """;

  private static final String STATS = """
      SELECT count(*) AS depth, extract(epoch FROM now() - min(occurred_at)) AS oldest_seconds,
        count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
        (SELECT event_id::text || ' ' || event_type || ': ' || coalesce(last_error, '') FROM outbox
          WHERE published_at IS NULL AND parked_at IS NOT NULL ORDER BY id LIMIT 1) AS first_parked
      FROM outbox WHERE published_at IS NULL""";

  // Parked rows go back to the relay with a fresh attempt count (their event ids are kept).
  private static final String RETRY_PARKED = """
      UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt_at = NULL
      WHERE published_at IS NULL AND parked_at IS NOT NULL AND ($1::uuid IS NULL OR event_id = $1)""";

  private Outbox() {}

  /**
   * For set-based writers (the RFM batch scores a whole organization in one statement): a
   * data-modifying CTE body that records one event per row of {@code rows}, with the same columns
   * and the same envelope as {@link #record}. {@code rows} is a relation of the caller's statement
   * with the columns event_id uuid, organization_id uuid, aggregate_id uuid, correlation_id text,
   * occurred_at timestamptz and data jsonb. Only the outbox names its table and builds its envelope.
   */
  public static String insertEachRowOf(String rows, String eventType, int schemaVersion) {
    if (!eventType.matches("[a-z][a-z._]*")) {
      throw new IllegalArgumentException("event type " + eventType);
    }
    return """
        INSERT INTO outbox (event_id, organization_id, aggregate_id, event_type, schema_version, correlation_id, payload, occurred_at)
        SELECT e.event_id, e.organization_id, e.aggregate_id, '%1$s', %2$d, e.correlation_id,
          jsonb_build_object('event_id', e.event_id, 'event_type', '%1$s', 'schema_version', %2$d,
            'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'organization_id', e.organization_id, 'source', '%3$s', 'correlation_id', e.correlation_id, 'data', e.data),
          e.occurred_at
        FROM %4$s e
        RETURNING 1""".formatted(eventType, schemaVersion, DomainEvent.SOURCE, rows);
  }

  /** Unpublished events across organizations, the age of the oldest, and the parked ones, for /health/ready and alerts. */
  public static Future<JsonObject> stats(io.vertx.sqlclient.Pool pool) {
    return pool.withTransaction(conn -> conn.query("SELECT set_config('app.outbox_relay', 'on', true)").execute()
        .compose(v -> conn.query(STATS).execute())
        .map(rows -> {
          io.vertx.sqlclient.Row r = rows.iterator().next();
          Object age = r.getValue("oldest_seconds");
          return new JsonObject().put("depth", r.getLong("depth"))
              .put("oldest_age_seconds", age == null ? 0 : (long) Math.floor(Double.parseDouble(age.toString())))
              .put("parked", r.getLong("parked"))
              .put("first_parked", r.getString("first_parked"));
        }));
  }

  /** Puts parked events (one, or all when eventId is null) back in the relay's queue; answers how many. */
  public static Future<Integer> retryParked(io.vertx.sqlclient.Pool pool, UUID eventId) {
    return pool.withTransaction(conn -> conn.query("SELECT set_config('app.outbox_relay', 'on', true)").execute()
        .compose(v -> conn.preparedQuery(RETRY_PARKED).execute(Tuple.of(eventId)))
        .map(io.vertx.sqlclient.SqlResult::rowCount));
  }

  public static Future<DomainEvent> record(SqlConnection conn, Caller caller, String eventType, UUID aggregateId, JsonObject data) {
    DomainEvent event = new DomainEvent(Ids.newId(), eventType, 1, Instant.now(), caller.organizationId(),
        aggregateId, caller.correlationId(), data);
    return conn.preparedQuery(INSERT)
        .execute(Tuple.from(new Object[] {
            event.eventId(), event.organizationId(), event.aggregateId(), event.eventType(), event.schemaVersion(),
            event.correlationId(), event.envelope(), event.occurredAt().atOffset(java.time.ZoneOffset.UTC),
            Tracing.currentTraceparent()}))
        .onSuccess(rows -> OutboxSignal.afterCommit(conn))
        .map(event);
  }
}
