package com.zenlogic.customerservice.imports;

import com.zenlogic.customerservice.customer.CustomerFields;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A spooled upload read one row at a time (blocking: on a worker thread only). Each row comes out
 * as the customer's fields ({@link CustomerFields.Source}) or as the reason it cannot be read.
 * Row numbers count the data rows from 1 (the CSV header is not a row; blank lines are skipped).
 */
final class ImportFile implements Closeable {
  static final String OPENING_POINTS = "opening_points";
  static final Set<String> COLUMNS;
  /**
   * Columns an export of customers carries that the service sets itself: accepted and ignored, so an
   * export (GET /api/v1/exports/customers) imports as it is, e.g. into another organization.
   */
  static final Set<String> READ_ONLY = Set.of("id", "created_at", "updated_at", "deleted_at", "erased_at", "version");
  /** The last line of an export (CSV "# rows=N ...", NDJSON {"_summary": ...}): the end of the file, not a row. */
  static final String CSV_SUMMARY = "# rows=";
  static final String NDJSON_SUMMARY = "_summary";
  private static final int MAX_LINE = 64 * 1024;

  static {
    Set<String> columns = new HashSet<>(CustomerFields.NAMES);
    columns.add(OPENING_POINTS);
    COLUMNS = Set.copyOf(columns);
  }

  /** One row as read: its fields, or the field and reason it is rejected for before any rule runs. */
  record RawRow(long number, CustomerFields.Source fields, String externalId, Object openingPoints, String field, String problem) {
    boolean readable() {
      return problem == null;
    }

    static RawRow rejected(long number, String externalId, String field, String problem) {
      return new RawRow(number, null, externalId, null, field, problem);
    }
  }

  private final ImportFormat format;
  private final CountingStream counted;
  private final Reader reader;
  private final Map<String, Integer> header;
  private final int columns;
  private long rows;
  private boolean ended;
  private final StringBuilder line = new StringBuilder();

  private ImportFile(ImportFormat format, CountingStream counted, Reader reader, List<String> headerRow) {
    this.format = format;
    this.counted = counted;
    this.reader = reader;
    this.header = new HashMap<>();
    if (headerRow != null) {
      for (int i = 0; i < headerRow.size(); i++) {
        header.put(headerRow.get(i), i);
      }
    }
    this.columns = headerRow == null ? 0 : headerRow.size();
  }

  /** Opens the file; a CSV's header is read and checked here (INVALID naming the column). */
  static ImportFile open(Path path, ImportFormat format) throws IOException {
    CountingStream counted = new CountingStream(Files.newInputStream(path));
    // Malformed UTF-8 becomes U+FFFD rather than an exception: the row's value then fails its own rule.
    Reader reader = new InputStreamReader(counted, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
    if (format != ImportFormat.CSV) {
      return new ImportFile(format, counted, new java.io.BufferedReader(reader, 64 * 1024), null);
    }
    try {
      CsvRecords records = new CsvRecords(reader);
      List<String> headerRow;
      try {
        headerRow = records.next();
      } catch (CsvRecords.MalformedException e) {
        throw DomainException.invalid("header", "the header row " + e.getMessage());
      }
      // The header was read through the same reader: hand the reader on with the records object.
      return new ImportFile(format, counted, reader, checkHeader(headerRow)).continuing(records);
    } catch (RuntimeException | IOException e) {
      reader.close();
      throw e;
    }
  }

  private CsvRecords carried;

  private ImportFile continuing(CsvRecords records) {
    this.carried = records;
    return this;
  }

  /** The header's column names (trimmed, without a byte-order mark), or INVALID naming the problem. */
  static List<String> checkHeader(List<String> headerRow) {
    if (headerRow == null) {
      throw DomainException.invalid("header", "the file is empty: a header row of field names comes first");
    }
    Set<String> seen = new HashSet<>();
    List<String> names = new ArrayList<>(headerRow.size());
    for (String raw : headerRow) {
      String name = raw.strip();
      if (name.startsWith("\uFEFF")) {
        name = name.substring(1);
      }
      Text.checked("header", name);
      if (!COLUMNS.contains(name) && !READ_ONLY.contains(name)) {
        throw DomainException.invalid("header", "unknown column '" + shorten(name) + "'; columns are the API's field names: "
            + String.join(", ", CustomerFields.NAMES) + ", " + OPENING_POINTS);
      }
      if (!seen.add(name)) {
        throw DomainException.invalid("header", "column '" + name + "' appears twice");
      }
      names.add(name);
    }
    for (String required : List.of("external_id", "customer_type")) {
      if (!seen.contains(required)) {
        throw DomainException.invalid("header", "column '" + required + "' is required");
      }
    }
    return names;
  }

  /** The next row, or null at the end of the file. */
  RawRow next() throws IOException {
    if (ended) {
      return null;
    }
    return format == ImportFormat.CSV ? nextCsv() : nextNdjson();
  }

  /** Bytes consumed from the file so far (read ahead by at most one buffer). */
  long bytesRead() {
    return counted.count;
  }

  private RawRow nextCsv() throws IOException {
    List<String> cells;
    try {
      cells = carried.next();
    } catch (CsvRecords.MalformedException e) {
      // Where the next record starts is unknown after a broken quote: the rest of the file is this row.
      ended = true;
      return RawRow.rejected(++rows, null, "row", e.getMessage() + "; the rest of the file was not read");
    }
    if (cells == null || cells.size() == 1 && cells.get(0).startsWith(CSV_SUMMARY)) {
      ended = true;
      return null;
    }
    long number = ++rows;
    if (cells.size() != columns) {
      String ext = header.containsKey("external_id") && header.get("external_id") < cells.size()
          ? blankToNull(cells.get(header.get("external_id"))) : null;
      return RawRow.rejected(number, ext, "row", "has " + cells.size() + " values, the header has " + columns + " columns");
    }
    CustomerFields.Source source = new CsvSource(header, cells);
    return readable(number, source, source.text(OPENING_POINTS));
  }

  private RawRow nextNdjson() throws IOException {
    String text;
    boolean tooLong;
    do {
      line.setLength(0);
      tooLong = false;
      int c;
      while ((c = reader.read()) != -1 && c != '\n') {
        if (line.length() < MAX_LINE) {
          line.append((char) c);
        } else {
          tooLong = true;
        }
      }
      if (c == -1 && line.length() == 0) {
        ended = true;
        return null;
      }
      text = line.toString().strip();
    } while (text.isEmpty() && !tooLong);
    long number = ++rows;
    if (tooLong) {
      return RawRow.rejected(number, null, "row", "is longer than " + MAX_LINE + " characters");
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return RawRow.rejected(number, null, "row", "is not a JSON object");
    }
    if (json.size() == 1 && json.containsKey(NDJSON_SUMMARY)) {
      ended = true;
      return null;
    }
    Object ext = json.getValue("external_id");
    String externalId = ext instanceof String s ? blankToNull(s) : null;
    for (String key : json.fieldNames()) {
      if (!COLUMNS.contains(key) && !READ_ONLY.contains(key)) {
        return RawRow.rejected(number, externalId, shorten(Text.problem(key) == null ? key : "?"), "is not a customer field");
      }
    }
    Object openingPoints = json.getValue(OPENING_POINTS);
    if (openingPoints instanceof String) {
      // Text is a CSV cell's only form; in JSON a number is a number, as the API's own bodies require.
      return RawRow.rejected(number, externalId, OPENING_POINTS, "must be a JSON integer, not a string");
    }
    return readable(number, new JsonSource(json), openingPoints);
  }

  private static RawRow readable(long number, CustomerFields.Source source, Object openingPoints) {
    String externalId;
    try {
      externalId = blankToNull(source.text("external_id"));
    } catch (DomainException e) {
      return RawRow.rejected(number, null, e.field(), e.getMessage());
    }
    if (externalId == null) {
      return RawRow.rejected(number, null, "external_id", "is required to import a customer");
    }
    return new RawRow(number, source, externalId, openingPoints, null, null);
  }

  private static String blankToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  /**
   * A CSV row: a column in the header is present and an empty cell is null (it clears the field),
   * except for fields that cannot be empty (status, customer_type), where an empty cell is absent.
   * Tags are separated by '|'.
   */
  private record CsvSource(Map<String, Integer> header, List<String> cells) implements CustomerFields.Source {
    private static final Set<String> NEVER_EMPTY = Set.of("status", "customer_type");

    @Override
    public boolean has(String name) {
      return header.containsKey(name) && (!NEVER_EMPTY.contains(name) || text(name) != null);
    }

    @Override
    public String text(String name) {
      Integer i = header.get(name);
      if (i == null) {
        return null;
      }
      String v = cells.get(i);
      return v.isEmpty() ? null : v;
    }

    @Override
    public List<String> list(String name) {
      String v = text(name);
      if (v == null || v.isBlank()) {
        return List.of();
      }
      return Arrays.asList(v.split("\\|", -1));
    }
  }

  /** An NDJSON line: a present key is present (null clears); a text field must be a JSON string. */
  private record JsonSource(JsonObject json) implements CustomerFields.Source {
    @Override
    public boolean has(String name) {
      return json.containsKey(name);
    }

    @Override
    public String text(String name) {
      Object v = json.getValue(name);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      throw DomainException.invalid(name, "must be a string");
    }

    @Override
    public List<String> list(String name) {
      Object v = json.getValue(name);
      if (v == null) {
        return null;
      }
      if (!(v instanceof JsonArray array)) {
        throw DomainException.invalid(name, "must be an array of strings");
      }
      List<String> out = new ArrayList<>(array.size());
      for (Object o : array) {
        if (!(o instanceof String s)) {
          throw DomainException.invalid(name, "must be an array of strings");
        }
        out.add(s);
      }
      return out;
    }
  }

  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b != -1) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
