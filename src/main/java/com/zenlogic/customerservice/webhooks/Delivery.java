package com.zenlogic.customerservice.webhooks;

import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One event for one subscription: its state, how often it was tried and what the receiver last answered. */
public record Delivery(long id, UUID eventId, String eventType, String status, int attempts, Instant nextAttemptAt,
                       Instant lastAttemptAt, String lastError, Integer responseCode, Instant createdAt, Instant deliveredAt,
                       Instant deadAt, Instant discardedAt) {
  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String DEAD = "dead";
  public static final String DISCARDED = "discarded";

  static final String COLUMNS = """
      id, event_id, event_type, status, attempts, next_attempt_at, last_attempt_at, last_error, response_code, created_at,
      delivered_at, dead_at, discarded_at""";

  static Delivery fromRow(Row r) {
    return new Delivery(r.getLong("id"), r.getUUID("event_id"), r.getString("event_type"), r.getString("status"),
        r.getInteger("attempts"), instant(r.getOffsetDateTime("next_attempt_at")), instant(r.getOffsetDateTime("last_attempt_at")),
        r.getString("last_error"), r.getInteger("response_code"), instant(r.getOffsetDateTime("created_at")),
        instant(r.getOffsetDateTime("delivered_at")), instant(r.getOffsetDateTime("dead_at")),
        instant(r.getOffsetDateTime("discarded_at")));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
