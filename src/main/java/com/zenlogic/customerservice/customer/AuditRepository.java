package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for customer_audit and customer_consent_history: read only, the V16 triggers write them. */
final class AuditRepository {
  private static final String AUDIT_PAGE = """
      SELECT id, entity, entity_id, action, before, after, actor, correlation_id, occurred_at, redacted_at
      FROM customer_audit
      WHERE organization_id = $1 AND customer_id = $2 AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4""";

  private static final String CONSENT_PAGE = """
      SELECT id, channel, granted, occurred_at, actor, correlation_id
      FROM customer_consent_history
      WHERE organization_id = $1 AND customer_id = $2 AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4""";

  private AuditRepository() {}

  /** Up to limit + 1 rows below beforeId: the extra one tells whether there is a next page. */
  static Future<List<AuditEntry>> audit(SqlConnection conn, UUID org, UUID customerId, Long beforeId, int limit) {
    return conn.preparedQuery(AUDIT_PAGE).execute(Tuple.of(org, customerId, beforeId, limit + 1)).map(rows -> {
      List<AuditEntry> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(auditFromRow(r)));
      return out;
    });
  }

  static Future<List<ConsentChange>> consents(SqlConnection conn, UUID org, UUID customerId, Long beforeId, int limit) {
    return conn.preparedQuery(CONSENT_PAGE).execute(Tuple.of(org, customerId, beforeId, limit + 1)).map(rows -> {
      List<ConsentChange> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(new ConsentChange(r.getLong("id"), r.getString("channel"), r.getBoolean("granted"),
          r.getOffsetDateTime("occurred_at").toInstant(), r.getString("actor"), r.getString("correlation_id"))));
      return out;
    });
  }

  private static AuditEntry auditFromRow(Row r) {
    return new AuditEntry(r.getLong("id"), r.getString("entity"), r.getUUID("entity_id"), r.getString("action"),
        (JsonObject) r.getValue("before"), (JsonObject) r.getValue("after"), r.getString("actor"), r.getString("correlation_id"),
        r.getOffsetDateTime("occurred_at").toInstant(), r.getValue("redacted_at") != null);
  }
}
