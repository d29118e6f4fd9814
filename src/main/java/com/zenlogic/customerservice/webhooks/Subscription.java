package com.zenlogic.customerservice.webhooks;

import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** A webhook subscription as the API shows it: never its secret. circuitOpen: the dispatcher stopped calling it for now. */
public record Subscription(UUID id, String url, List<String> eventTypes, String description, boolean enabled, boolean circuitOpen,
                           Instant createdAt, Instant updatedAt) {
  static final String COLUMNS = "id, url, event_types, description, enabled, circuit_opened_at, created_at, updated_at";

  static Subscription fromRow(Row r) {
    return new Subscription(r.getUUID("id"), r.getString("url"), Arrays.asList(r.getArrayOfStrings("event_types")),
        r.getString("description"), r.getBoolean("enabled"), r.getValue("circuit_opened_at") != null,
        r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant());
  }
}
