package com.zenlogic.customerservice.events;

import com.zenlogic.customerservice.infra.Caller;
import com.zenlogic.customerservice.infra.Ids;
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
      INSERT INTO outbox (event_id, organization_id, aggregate_id, event_type, schema_version, correlation_id, payload, occurred_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      """;

  private Outbox() {}

  public static Future<DomainEvent> record(SqlConnection conn, Caller caller, String eventType, UUID aggregateId, JsonObject data) {
    DomainEvent event = new DomainEvent(Ids.newId(), eventType, 1, Instant.now(), caller.organizationId(),
        aggregateId, caller.correlationId(), data);
    return conn.preparedQuery(INSERT)
        .execute(Tuple.from(new Object[] {
            event.eventId(), event.organizationId(), event.aggregateId(), event.eventType(), event.schemaVersion(),
            event.correlationId(), event.envelope(), event.occurredAt().atOffset(java.time.ZoneOffset.UTC)}))
        .map(event);
  }
}
