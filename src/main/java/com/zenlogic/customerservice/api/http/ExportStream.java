package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.db.ExportQuery;
import com.zenlogic.customerservice.platform.tracing.Redact;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One export on its way to the client: a server-side cursor read {@value #FETCH_ROWS} rows at a
 * time inside one read-only snapshot, written as chunks, and paused whenever the response's write
 * queue is full, so a slow client holds back PostgreSQL instead of filling this process's memory.
 * What is held per export: one fetch of rows and one chunk of text.
 *
 * <p>Nothing is sent before the first chunk is full (or the end), so a query that fails at once
 * still gets a proper error answer. A failure after that cannot change the status any more: the
 * connection is reset, the file lacks its summary line, and the client sees a cut transfer.
 */
final class ExportStream {
  private static final Logger LOG = LoggerFactory.getLogger(ExportStream.class);
  static final int FETCH_ROWS = 1000;
  static final int CHUNK_BYTES = 32 * 1024;
  static final String ROW_COUNT_TRAILER = "X-Row-Count";
  private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final ExportQuery query;
  private final ExportFormat format;
  private final ExportFormat.Writer writer;
  private final Promise<Long> done = Promise.promise();
  private Buffer chunk = Buffer.buffer(CHUNK_BYTES + 1024);
  private RowStream<Row> rows;
  private long count;

  private ExportStream(RoutingContext ctx, ExportQuery query, ExportFormat format) {
    this.ctx = ctx;
    this.response = ctx.response();
    this.query = query;
    this.format = format;
    this.writer = format.writer(query.columns());
  }

  /** Streams the query's rows of the organization to the response, as of one snapshot. */
  static void send(RoutingContext ctx, Db db, UUID organizationId, ExportQuery query, ExportFormat format) {
    ExportStream export = new ExportStream(ctx, query, format);
    db.withSnapshot(organizationId, export::run)
        .onSuccess(n -> LOG.info("Export {} sent {} rows [{}]", query.name(), n, ctx.get(Requests.CORRELATION_ID)))
        .onFailure(export::failed);
  }

  private Future<Long> run(SqlConnection conn, Instant snapshotAt) {
    return conn.prepare(query.sql()).compose(statement -> stream(statement, snapshotAt)
        .eventually(() -> rows == null ? Future.succeededFuture() : rows.close())
        .eventually(statement::close));
  }

  private Future<Long> stream(PreparedStatement statement, Instant snapshotAt) {
    String filename = query.name() + "-" + FILE_TIME.format(snapshotAt) + "." + format.code;
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, format.contentType)
        .putHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"")
        .putHeader("X-Snapshot-At", snapshotAt.toString())
        .putHeader("Trailer", ROW_COUNT_TRAILER)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    // The client went away (or the idle timeout closed a stalled download): stop reading, roll back.
    response.closeHandler(v -> done.tryFail(new ClientGone()));
    response.exceptionHandler(done::tryFail);
    rows = statement.createStream(FETCH_ROWS, query.params());
    rows.exceptionHandler(done::tryFail);
    rows.endHandler(v -> done.tryComplete(count));
    rows.handler(this::write);
    return done.future().map(n -> {
      writer.summary(n, snapshotAt, chunk);
      response.putTrailer(ROW_COUNT_TRAILER, Long.toString(n));
      response.end(chunk);
      return n;
    });
  }

  private void write(Row row) {
    if (done.future().isComplete()) {
      return;
    }
    try {
      writer.row(query.values().apply(row), chunk);
    } catch (RuntimeException e) {
      done.tryFail(e);
      return;
    }
    count++;
    if (chunk.length() >= CHUNK_BYTES) {
      response.write(chunk);
      chunk = Buffer.buffer(CHUNK_BYTES + 1024);
      if (response.writeQueueFull()) {
        rows.pause();
        response.drainHandler(v -> rows.resume());
      }
    }
  }

  private void failed(Throwable failure) {
    if (!response.headWritten()) {
      // Nothing sent yet: an ordinary error answer, without the file's headers.
      for (CharSequence name : new CharSequence[] {HttpHeaders.CONTENT_TYPE, "Content-Disposition", "X-Snapshot-At", "Trailer", HttpHeaders.CACHE_CONTROL}) {
        response.headers().remove(name);
      }
      response.setChunked(false);
      ctx.fail(failure);
      return;
    }
    if (failure instanceof ClientGone) {
      LOG.info("Export {} stopped after {} rows: the client went away [{}]", query.name(), count, ctx.get(Requests.CORRELATION_ID));
    } else {
      LOG.warn("Export {} failed after {} rows [{}]: {}", query.name(), count, ctx.get(Requests.CORRELATION_ID), Redact.failure(failure));
    }
    // No way to change a 200 that is on the wire: cut the transfer so no client takes it as complete.
    if (!response.closed()) {
      ctx.request().connection().close();
    }
  }

  /** The HTTP connection closed before the export was sent. */
  private static final class ClientGone extends RuntimeException {
    ClientGone() {
      super("client closed the connection", null, false, false);
    }
  }
}
