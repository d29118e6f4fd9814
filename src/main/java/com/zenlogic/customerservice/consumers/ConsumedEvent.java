package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.values.Text;
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

  /** Larger bodies are refused unread: no event of the contract comes near it. */
  public static final int MAX_BODY_BYTES = 256 * 1024;
  private static final int MAX_TEXT = 200;

  /**
   * Reads a delivery; anything unusable is a permanent failure (a DomainException naming what is
   * wrong). Every string of the envelope and data, keys included, must be text PostgreSQL can
   * store (no U+0000, no lone surrogate): checked here once, before any SQL.
   */
  public static ConsumedEvent parse(String amqpMessageId, String routingKey, Buffer body) {
    return parse(amqpMessageId, routingKey, body, null);
  }

  /** As above; the correlation id is the envelope's correlation_id, else the AMQP correlation-id property, else the message id. */
  public static ConsumedEvent parse(String amqpMessageId, String routingKey, Buffer body, String amqpCorrelationId) {
    if (body == null || body.length() == 0) {
      throw DomainException.invalid("body", "is empty");
    }
    if (body.length() > MAX_BODY_BYTES) {
      throw DomainException.invalid("body", "is larger than " + MAX_BODY_BYTES + " bytes");
    }
    Text.checked("message_id", amqpMessageId);
    Text.checked("routing_key", routingKey);
    JsonObject envelope;
    try {
      envelope = body.toJsonObject();
    } catch (DecodeException | ClassCastException | IllegalStateException e) {
      throw DomainException.invalid("body", "is not a JSON object");
    }
    if (envelope == null) {
      throw DomainException.invalid("body", "is not a JSON object");
    }
    Text.checkJson("", envelope);
    JsonObject data = envelope.getValue("data") instanceof JsonObject d ? d : null;
    if (data == null) {
      throw DomainException.invalid("data", "is missing");
    }
    String org = string(envelope, "organization_id");
    if (org == null) {
      org = string(data, "organization_id");
    }
    if (org == null) {
      throw DomainException.invalid("organization_id", "is missing from the envelope and data");
    }
    String messageId = amqpMessageId != null && !amqpMessageId.isBlank() ? amqpMessageId : string(envelope, "event_id");
    if (messageId == null || messageId.isBlank()) {
      throw DomainException.invalid("event_id", "is missing (and the message has no message_id)");
    }
    if (messageId.length() > MAX_TEXT) {
      throw DomainException.invalid("event_id", "must be at most " + MAX_TEXT + " characters");
    }
    String type = string(envelope, "event_type");
    String correlation = usable(string(envelope, "correlation_id"));
    if (correlation == null) {
      correlation = usable(amqpCorrelationId);
    }
    return new ConsumedEvent(messageId, type != null ? type : routingKey, Ids.parse("organization_id", org),
        correlation != null ? correlation : messageId, string(envelope, "occurred_at"), data);
  }

  private static String usable(String correlation) {
    return correlation == null || correlation.isBlank() || correlation.length() > MAX_TEXT || Text.problem(correlation) != null
        || correlation.chars().anyMatch(Character::isISOControl) ? null : correlation;
  }

  /** A string field, or null when absent; another JSON type is a permanent failure naming the field. */
  private static String string(JsonObject json, String field) {
    Object v = json.getValue(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw DomainException.invalid(field, "must be a string");
  }

  /** A required identifier of data (order_id, transaction_id, ...): a string or a whole number, at most 200 characters. */
  public String text(String field) {
    Object v = data.getValue(field);
    String text = v instanceof String s ? s.trim()
        : v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger ? v.toString() : null;
    if (v != null && text == null) {
      throw DomainException.invalid("data." + field, "must be a string");
    }
    if (text == null || text.isEmpty()) {
      throw DomainException.invalid("data." + field, "is required");
    }
    if (text.length() > MAX_TEXT) {
      throw DomainException.invalid("data." + field, "must be at most " + MAX_TEXT + " characters");
    }
    return text;
  }

  public UUID customerId() {
    return Ids.parse("data.customer_id", text("customer_id"));
  }
}
