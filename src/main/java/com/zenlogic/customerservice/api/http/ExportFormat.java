package com.zenlogic.customerservice.api.http;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * How an export is written. Both end with a summary a script can check and a spreadsheet can
 * ignore: the row count and the snapshot's time; a file without it was cut short.
 *
 * <ul>
 *   <li>CSV (RFC 4180 quoting by Jackson's CSV writer): a header of the columns, one line per row,
 *       empty for null, tags joined by {@code |}, and a last line {@code # rows=N snapshot_at=...}.
 *       No data line can start with {@code #}: every export's first column is an id.</li>
 *   <li>NDJSON: one JSON object per row (points as numbers, money as strings, tags as an array),
 *       then {@code {"_summary":{"rows":N,"snapshot_at":"..."}}}.</li>
 * </ul>
 */
enum ExportFormat {
  CSV("csv", "text/csv; charset=utf-8"),
  NDJSON("ndjson", "application/x-ndjson");

  static final String TAG_SEPARATOR = "|";

  private static final CsvMapper CSV_MAPPER = CsvMapper.builder()
      .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
      .build();

  final String code;
  final String contentType;

  ExportFormat(String code, String contentType) {
    this.code = code;
    this.contentType = contentType;
  }

  /** The format the query names; CSV when none. */
  static ExportFormat of(String raw) {
    if (raw == null) {
      return CSV;
    }
    for (ExportFormat f : values()) {
      if (f.code.equals(raw)) {
        return f;
      }
    }
    throw DomainException.invalid("format", "must be csv or ndjson");
  }

  /** A writer for one export: not thread-safe, one per response. */
  Writer writer(List<String> columns) {
    return this == CSV ? new CsvWriter(columns) : new NdjsonWriter(columns);
  }

  interface Writer {
    void row(Object[] values, Buffer out);

    void summary(long rows, Instant snapshotAt, Buffer out);
  }

  private static final class CsvWriter implements Writer {
    private final List<String> columns;
    private final StringWriter text = new StringWriter(16 * 1024);
    private final SequenceWriter rows;
    private final String[] cells;

    CsvWriter(List<String> columns) {
      this.columns = columns;
      CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
      columns.forEach(schema::addColumn);
      this.cells = new String[columns.size()];
      try {
        this.rows = CSV_MAPPER.writerFor(String[].class).with(schema.build()).writeValues(text);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void row(Object[] values, Buffer out) {
      for (int i = 0; i < cells.length; i++) {
        cells[i] = cell(values[i]);
      }
      try {
        rows.write(cells);
        rows.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      drain(out);
    }

    @Override
    public void summary(long rowCount, Instant snapshotAt, Buffer out) {
      // Jackson writes the header with the first row; an empty export still gets one.
      if (rowCount == 0) {
        out.appendString(String.join(",", columns)).appendString("\n");
      }
      out.appendString("# rows=" + rowCount + " snapshot_at=" + snapshotAt + "\n");
    }

    private void drain(Buffer out) {
      StringBuffer written = text.getBuffer();
      out.appendString(written.toString());
      written.setLength(0);
    }

    /** CSV has no null: an empty cell (the import reads it back as none). Jackson would drop a null array element. */
    private static String cell(Object v) {
      if (v == null) {
        return "";
      }
      if (v instanceof BigDecimal d) {
        return d.toPlainString();
      }
      if (v instanceof List<?> list) {
        StringBuilder joined = new StringBuilder();
        for (Object o : list) {
          if (joined.length() > 0) {
            joined.append(TAG_SEPARATOR);
          }
          joined.append(o);
        }
        return joined.toString();
      }
      return v.toString();
    }
  }

  private static final class NdjsonWriter implements Writer {
    private final List<String> columns;

    NdjsonWriter(List<String> columns) {
      this.columns = columns;
    }

    @Override
    public void row(Object[] values, Buffer out) {
      JsonObject line = new JsonObject();
      for (int i = 0; i < values.length; i++) {
        line.put(columns.get(i), json(values[i]));
      }
      out.appendString(line.encode()).appendString("\n");
    }

    @Override
    public void summary(long rows, Instant snapshotAt, Buffer out) {
      out.appendString(new JsonObject().put("_summary", new JsonObject().put("rows", rows).put("snapshot_at", snapshotAt.toString()))
          .encode()).appendString("\n");
    }

    private static Object json(Object v) {
      if (v == null || v instanceof String || v instanceof Long || v instanceof Integer || v instanceof Boolean) {
        return v;
      }
      if (v instanceof BigDecimal d) {
        return d.toPlainString();
      }
      if (v instanceof List<?> list) {
        return new JsonArray(List.copyOf(list));
      }
      return v.toString();
    }
  }
}
