package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How one row becomes a CSV line or an NDJSON object, without the service around it. */
class ExportFormatTest {
  static final List<String> COLUMNS = List.of("id", "text", "points", "amount", "tags", "day", "at", "none");
  static final Instant AT = Instant.parse("2026-12-03T10:15:30.123456Z");

  static Object[] row(String text) {
    return new Object[] {"c1", text, -150L, new BigDecimal("0.10"), List.of("vip", "mayorista"), LocalDate.of(1990, 4, 1), AT, null};
  }

  static List<List<String>> parse(String csv) throws Exception {
    try (MappingIterator<List<String>> it = new CsvMapper().readerForListOf(String.class).with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(csv)) {
      return it.readAll();
    }
  }

  @Test
  void csvQuotesOnlyWhatNeedsItAndEveryValueReadsBackExactly() throws Exception {
    ExportFormat.Writer w = ExportFormat.CSV.writer(COLUMNS);
    Buffer out = Buffer.buffer();
    String[] awkward = {"plain", "a,b", "say \"hi\"", "line\nbreak", "cr\r\nlf", " padded ", "#not a comment", "=1+1", "ñandú 🦜", ""};
    for (String text : awkward) {
      w.row(row(text), out);
    }
    w.summary(awkward.length, AT, out);
    String csv = out.toString();
    assertEquals("id,text,points,amount,tags,day,at,none\nc1,plain,-150,0.10,vip|mayorista,1990-04-01,2026-12-03T10:15:30.123456Z,\n"
        + "c1,\"a,b\",", csv.substring(0, csv.indexOf("c1,\"a,b\",") + 9), "unquoted unless needed; quoted when needed");
    assertEquals("# rows=10 snapshot_at=2026-12-03T10:15:30.123456Z\n", csv.substring(csv.lastIndexOf("# rows=")));
    List<List<String>> rows = parse(csv.substring(0, csv.lastIndexOf("# rows=")));
    assertEquals(COLUMNS, rows.get(0));
    for (int i = 0; i < awkward.length; i++) {
      assertEquals(awkward[i], rows.get(i + 1).get(1), "row " + i);
      assertEquals(List.of("c1", awkward[i], "-150", "0.10", "vip|mayorista", "1990-04-01", "2026-12-03T10:15:30.123456Z", ""), rows.get(i + 1));
    }
    assertEquals(awkward.length + 1, rows.size());
  }

  @Test
  void anEmptyCsvExportIsItsHeaderAndSummary() {
    Buffer out = Buffer.buffer();
    ExportFormat.CSV.writer(COLUMNS).summary(0, AT, out);
    assertEquals("id,text,points,amount,tags,day,at,none\n# rows=0 snapshot_at=2026-12-03T10:15:30.123456Z\n", out.toString());
  }

  @Test
  void ndjsonKeepsPointsAsNumbersMoneyAsStringsTagsAsArraysAndNullsAsNull() {
    ExportFormat.Writer w = ExportFormat.NDJSON.writer(COLUMNS);
    Buffer out = Buffer.buffer();
    w.row(row("a \"b\"\nc"), out);
    w.summary(1, AT, out);
    String[] lines = out.toString().split("\n");
    assertEquals(2, lines.length);
    JsonObject o = new JsonObject(lines[0]);
    assertEquals(COLUMNS, List.copyOf(o.fieldNames()));
    assertEquals("a \"b\"\nc", o.getString("text"));
    assertEquals(-150L, o.getLong("points"));
    assertEquals("0.10", o.getValue("amount"));
    assertEquals(new JsonArray().add("vip").add("mayorista"), o.getJsonArray("tags"));
    assertEquals("1990-04-01", o.getValue("day"));
    assertEquals("2026-12-03T10:15:30.123456Z", o.getValue("at"));
    assertEquals(true, o.containsKey("none") && o.getValue("none") == null);
    assertEquals(new JsonObject().put("_summary", new JsonObject().put("rows", 1).put("snapshot_at", AT.toString())), new JsonObject(lines[1]));
  }

  @Test
  void theFormatIsCsvByDefaultAndAnythingElseNamesTheField() {
    assertEquals(ExportFormat.CSV, ExportFormat.of(null));
    assertEquals(ExportFormat.NDJSON, ExportFormat.of("ndjson"));
    DomainException e = assertThrows(DomainException.class, () -> ExportFormat.of("json"));
    assertEquals("format", e.field());
  }
}
