package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.CustomerRules;
import com.zenlogic.customerservice.imports.CustomerImports;
import com.zenlogic.customerservice.imports.ImportFormat;
import com.zenlogic.customerservice.imports.ImportStatus;
import com.zenlogic.customerservice.imports.Rejection;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * POST /api/v1/imports (a CSV or NDJSON file of customers, streamed to the spool, 202), GET
 * /api/v1/imports/{id} (progress) and GET /api/v1/imports/{id}/rejected (the rejected rows with
 * their reasons, as CSV or NDJSON, streamed page by page).
 */
final class ImportHandlers {
  static final String UPLOAD_PATH = "/api/v1/imports";
  private static final int REPORT_PAGE = 5000;

  private final CustomerImports imports;

  ImportHandlers(CustomerImports imports) {
    this.imports = imports;
  }

  /** The upload streams its body itself: the BodyHandler (which buffers, with the JSON size limit) skips it. */
  static boolean isUpload(RoutingContext ctx) {
    return ctx.request().method() == HttpMethod.POST && UPLOAD_PATH.equals(ctx.normalizedPath());
  }

  void create(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.WRITE);
    ImportFormat format = ImportFormat.ofContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.length() < 20 && length.chars().allMatch(Character::isDigit)
        && Long.parseLong(length) > imports.maxBytes()) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      throw ErrorCode.IMPORT_TOO_LARGE.exception(imports.maxBytes());
    }
    String fileName = CustomerRules.text("file_name", Text.checked("file_name", ctx.queryParams().get("file_name")), 200);
    imports.upload(caller, format, fileName == null ? "upload." + format.code() : fileName, ctx.request())
        .onSuccess(status -> ctx.response().setStatusCode(202)
            .putHeader(HttpHeaders.LOCATION, UPLOAD_PATH + "/" + status.id())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(json(status, Instant.now()).toBuffer()))
        .onFailure(e -> {
          if (e instanceof DomainException d && d.code() == ErrorCode.IMPORT_TOO_LARGE) {
            // The rest of the body is not read: the connection closes after the answer.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
          }
          ctx.fail(e);
        });
  }

  void get(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    Responses.reply(ctx, imports.status(caller, Requests.pathId(ctx, "id")).map(s -> json(s, Instant.now())));
  }

  void rejected(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, CustomerHandlers.READ);
    UUID id = Requests.pathId(ctx, "id");
    String format = Requests.query(ctx, "format");
    boolean ndjson = "ndjson".equals(format);
    if (format != null && !ndjson && !"csv".equals(format)) {
      throw DomainException.invalid("format", "must be csv or ndjson");
    }
    // The first page answers 404 before anything is written; the rest follow as chunks.
    imports.rejections(caller, id, 0, REPORT_PAGE).onSuccess(first -> {
      HttpServerResponse response = ctx.response().setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, ndjson ? "application/x-ndjson" : "text/csv; charset=utf-8")
          .putHeader("Content-Disposition", "attachment; filename=\"import-" + id + "-rejected." + (ndjson ? "ndjson" : "csv") + "\"");
      if (!ndjson) {
        response.write("row_number,external_id,field,reason\n");
      }
      page(ctx, caller, id, first, ndjson).onSuccess(v -> response.end()).onFailure(ctx::fail);
    }).onFailure(ctx::fail);
  }

  private Future<Void> page(RoutingContext ctx, Caller caller, UUID id, List<Rejection> rows, boolean ndjson) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Buffer chunk = Buffer.buffer(rows.size() * 64);
    for (Rejection r : rows) {
      if (ndjson) {
        chunk.appendBuffer(new JsonObject().put("row_number", r.rowNumber()).put("external_id", r.externalId())
            .put("field", r.field()).put("reason", r.reason()).toBuffer()).appendString("\n");
      } else {
        chunk.appendString(r.rowNumber() + "," + csv(r.externalId()) + "," + csv(r.field()) + "," + csv(r.reason()) + "\n");
      }
    }
    long last = rows.get(rows.size() - 1).rowNumber();
    return ctx.response().write(chunk)
        .compose(v -> rows.size() < REPORT_PAGE ? Future.succeededFuture(List.<Rejection>of())
            : imports.rejections(caller, id, last, REPORT_PAGE))
        .compose(next -> page(ctx, caller, id, next, ndjson));
  }

  static JsonObject json(ImportStatus s, Instant now) {
    return new JsonObject()
        .put("id", s.id().toString())
        .put("status", s.status())
        .put("format", s.format().code())
        .put("file_name", s.fileName())
        .put("bytes_total", s.bytesTotal())
        .put("bytes_read", s.bytesRead())
        .put("percent", s.percent())
        .put("rows_read", s.rowsRead())
        .put("created", s.created())
        .put("updated", s.updated())
        .put("unchanged", s.unchanged())
        .put("rejected", s.rejected())
        .put("opening_points", s.openingPoints())
        .put("rows_per_second", s.rowsPerSecond(now))
        .put("error", s.error())
        .put("started_at", s.startedAt() == null ? null : s.startedAt().toString())
        .put("updated_at", s.updatedAt() == null ? null : s.updatedAt().toString())
        .put("finished_at", s.finishedAt() == null ? null : s.finishedAt().toString())
        .put("rejected_report", UPLOAD_PATH + "/" + s.id() + "/rejected");
  }

  /** RFC 4180: quoted when it holds a comma, quote or line break; a quote is doubled. */
  private static String csv(String value) {
    if (value == null) {
      return "";
    }
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return "\"" + value.replace("\"", "\"\"") + "\"";
  }
}
