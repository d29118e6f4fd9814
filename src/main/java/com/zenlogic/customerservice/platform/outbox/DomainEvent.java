package com.zenlogic.customerservice.platform.outbox;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * An event as published on customer_events. The id is fixed when the change is recorded so every
 * delivery attempt carries the same id and consumers can deduplicate. data is the wire form.
 */
public record DomainEvent(
    UUID eventId,
    String eventType,
    int schemaVersion,
    Instant occurredAt,
    UUID organizationId,
    UUID aggregateId,
    String correlationId,
    JsonObject data) {

  public static final String SOURCE = "customer-service";

  /** The envelope every consumer of customer_events reads. */
  public JsonObject envelope() {
    return new JsonObject()
        .put("event_id", eventId.toString())
        .put("event_type", eventType)
        .put("schema_version", schemaVersion)
        .put("occurred_at", occurredAt.toString())
        .put("organization_id", organizationId.toString())
        .put("source", SOURCE)
        .put("correlation_id", correlationId)
        .put("data", data);
  }
}
