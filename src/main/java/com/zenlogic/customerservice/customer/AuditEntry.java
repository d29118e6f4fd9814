package com.zenlogic.customerservice.customer;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * One change to a customer's profile, an address or the preferences, as the audit trigger (V16)
 * recorded it: the changed columns' values before and after (a creation has only after, a deletion
 * only before). The values are column snapshots, hence JSON; redacted once the customer was erased.
 */
public record AuditEntry(long id, String entity, UUID entityId, String action, JsonObject before, JsonObject after,
                         String actor, String correlationId, Instant occurredAt, boolean redacted) {}
