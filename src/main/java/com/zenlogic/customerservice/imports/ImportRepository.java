package com.zenlogic.customerservice.imports;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for the import tables (V17). Runs inside the caller's tenant transaction, except the queue scan. */
final class ImportRepository {
  private static final String COLUMNS = """
      id, format, status, file_name, bytes_total, bytes_read, rows_read, created, updated, unchanged, rejected,
      opening_points, error, started_at, updated_at, finished_at, actor, correlation_id""";

  private static final String INSERT = """
      INSERT INTO customer_imports (organization_id, id, format, status, file_name, bytes_total, actor, correlation_id, started_at)
      VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, now())
      RETURNING""" + " " + COLUMNS;

  private static final String ENQUEUE = "INSERT INTO customer_import_queue (import_id, organization_id) VALUES ($1, $2)";

  private static final String DEQUEUE = "DELETE FROM customer_import_queue WHERE import_id = $1";

  private static final String QUEUED = "SELECT import_id, organization_id FROM customer_import_queue ORDER BY queued_at LIMIT 50";

  private static final String FIND = "SELECT " + COLUMNS + " FROM customer_imports WHERE organization_id = $1 AND id = $2";

  // Conditional on the count the batch was read after: a node that lost the import's lease and
  // still writes a batch finds no row here, and its transaction rolls back.
  private static final String ADVANCE = """
      UPDATE customer_imports SET rows_read = rows_read + $3, created = created + $4, updated = updated + $5,
        unchanged = unchanged + $6, rejected = rejected + $7, opening_points = opening_points + $8, bytes_read = $9,
        updated_at = now()
      WHERE organization_id = $1 AND id = $2 AND rows_read = $10 AND status = 'running'
      RETURNING rows_read""";

  private static final String FINISH = """
      UPDATE customer_imports SET status = $3, error = $4, finished_at = now(), updated_at = now(),
        bytes_read = CASE WHEN $3 = 'done' THEN bytes_total ELSE bytes_read END
      WHERE organization_id = $1 AND id = $2 AND status = 'running'
      RETURNING""" + " " + COLUMNS;

  private static final String INSERT_REJECTIONS = """
      INSERT INTO customer_import_rejections (organization_id, import_id, row_number, external_id, field, reason)
      SELECT $1, $2, r.row_number, r.external_id, r.field, r.reason
      FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS r(row_number, external_id, field, reason)""";

  private static final String REJECTIONS_PAGE = """
      SELECT row_number, external_id, field, reason FROM customer_import_rejections
      WHERE organization_id = $1 AND import_id = $2 AND row_number > $3 ORDER BY row_number LIMIT $4""";

  /** An import waiting for a node to run it. */
  record Queued(UUID importId, UUID organizationId) {}

  /** The stored import and who started it (for the summary event). */
  record Stored(ImportStatus status, String actor, String correlationId) {}

  Future<Stored> insert(SqlConnection conn, UUID org, UUID id, ImportFormat format, String fileName, long bytes, String actor,
                        String correlationId) {
    return conn.preparedQuery(INSERT).execute(Tuple.of(org, id, format.code(), fileName, bytes, actor, correlationId))
        .compose(rows -> conn.preparedQuery(ENQUEUE).execute(Tuple.of(id, org)).map(v -> stored(rows.iterator().next())));
  }

  Future<Stored> find(SqlConnection conn, UUID org, UUID id) {
    return conn.preparedQuery(FIND).execute(Tuple.of(org, id))
        .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
  }

  /** Answers whether the progress moved (false: another node moved it, or the import ended). */
  Future<Boolean> advance(SqlConnection conn, UUID org, UUID id, long rowsBefore, long rows, long created, long updated,
                          long unchanged, long rejected, long openingPoints, long bytesRead) {
    return conn.preparedQuery(ADVANCE).execute(Tuple.of(org, id, rows, created, updated, unchanged, rejected, openingPoints)
            .addValue(bytesRead).addValue(rowsBefore))
        .map(r -> r.rowCount() == 1);
  }

  Future<Stored> finish(SqlConnection conn, UUID org, UUID id, String status, String error) {
    return conn.preparedQuery(FINISH).execute(Tuple.of(org, id, status, error))
        .compose(rows -> conn.preparedQuery(DEQUEUE).execute(Tuple.of(id))
            .map(v -> rows.size() == 0 ? null : stored(rows.iterator().next())));
  }

  Future<Void> reject(SqlConnection conn, UUID org, UUID id, List<Rejection> rejections) {
    if (rejections.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = rejections.size();
    Long[] rows = new Long[n];
    String[] ext = new String[n];
    String[] field = new String[n];
    String[] reason = new String[n];
    for (int i = 0; i < n; i++) {
      Rejection r = rejections.get(i);
      rows[i] = r.rowNumber();
      ext[i] = r.externalId();
      field[i] = r.field();
      reason[i] = r.reason();
    }
    return conn.preparedQuery(INSERT_REJECTIONS).execute(Tuple.of(org, id, rows, ext, field, reason)).mapEmpty();
  }

  Future<List<Rejection>> rejections(SqlConnection conn, UUID org, UUID id, long afterRow, int limit) {
    return conn.preparedQuery(REJECTIONS_PAGE).execute(Tuple.of(org, id, afterRow, limit)).map(rows -> {
      List<Rejection> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new Rejection(r.getLong("row_number"), r.getString("external_id"), r.getString("field"), r.getString("reason")));
      }
      return out;
    });
  }

  /** Every import still running, across organizations (the queue holds ids only). */
  Future<List<Queued>> queued(Pool pool) {
    return pool.query(QUEUED).execute().map(rows -> {
      List<Queued> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Queued(r.getUUID("import_id"), r.getUUID("organization_id")));
      }
      return out;
    });
  }

  private static Stored stored(Row r) {
    return new Stored(new ImportStatus(r.getUUID("id"), ImportFormat.of(r.getString("format")), r.getString("status"),
        r.getString("file_name"), r.getLong("bytes_total"), r.getLong("bytes_read"), r.getLong("rows_read"), r.getLong("created"),
        r.getLong("updated"), r.getLong("unchanged"), r.getLong("rejected"), r.getLong("opening_points"), r.getString("error"),
        instant(r.getOffsetDateTime("started_at")), instant(r.getOffsetDateTime("updated_at")),
        instant(r.getOffsetDateTime("finished_at"))), r.getString("actor"), r.getString("correlation_id"));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
