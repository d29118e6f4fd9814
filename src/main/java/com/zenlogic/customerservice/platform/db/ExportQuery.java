package com.zenlogic.customerservice.platform.db;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;

/**
 * A query streamed out as a file: its name (the file's), its columns (the API's snake_case field
 * names, in order), the SQL and its parameters, and one row's values in column order.
 *
 * <p>Values are null, String, Long or Integer (points, counts), BigDecimal (money, already at its
 * scale), Boolean, a List of String (tags), Instant or LocalDate; the file format decides how each is written.
 */
public record ExportQuery(String name, List<String> columns, String sql, Tuple params, Function<Row, Object[]> values) {
  public ExportQuery {
    columns = List.copyOf(columns);
  }
}
