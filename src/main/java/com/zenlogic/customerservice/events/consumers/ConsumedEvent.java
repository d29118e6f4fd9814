package com.zenlogic.customerservice.events.consumers;

import com.zenlogic.customerservice.infra.DomainException;
import com.zenlogic.customerservice.infra.Ids;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * An event from another service, in the same envelope as ours: {event_id, event_type, occurred_at,
 * organization_id, correlation_id, data}. The tenant is the envelope's organization_id, else data's.
 */
public record ConsumedEvent(String messageId, String eventType, UUID organizationId, String correlationId, String occurredAt,
                            JsonObject data) {

  /** Reads a delivery; anything unusable is a permanent failure naming what is wrong. */
  public static ConsumedEvent parse(String amqpMessageId, String routingKey, Buffer body) {
    JsonObject envelope;
    try {
      envelope = body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw DomainException.invalid("body", "is not a JSON object");
    }
    JsonObject data = envelope.getValue("data") instanceof JsonObject d ? d : null;
    if (data == null) {
      throw DomainException.invalid("data", "is missing");
    }
    String org = envelope.getString("organization_id", data.getString("organization_id"));
    if (org == null) {
      throw DomainException.invalid("organization_id", "is missing from the envelope and data");
    }
    String messageId = amqpMessageId != null ? amqpMessageId : envelope.getString("event_id");
    if (messageId == null || messageId.isBlank()) {
      throw DomainException.invalid("event_id", "is missing (and the message has no message_id)");
    }
    String type = envelope.getString("event_type", routingKey);
    return new ConsumedEvent(messageId, type, Ids.parse("organization_id", org), envelope.getString("correlation_id", messageId),
        envelope.getString("occurred_at"), data);
  }

  public String text(String field) {
    Object v = data.getValue(field);
    if (v == null || v.toString().isBlank()) {
      throw DomainException.invalid("data." + field, "is required");
    }
    return v.toString();
  }

  public UUID customerId() {
    return Ids.parse("data.customer_id", text("customer_id"));
  }
}
