package com.zenlogic.customerservice.imports;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.nio.file.Path;
import java.util.List;

/**
 * Bulk import: where uploads are spooled (a directory every node that runs imports can read: see
 * docs/import.md), the largest upload, rows per committed batch, and whether each imported row also
 * publishes customer.created / customer.updated (off: one customer.import.completed per import).
 */
public record ImportConfig(Path spoolDir, long maxBytes, int batchRows, boolean rowEvents) {
  public static final List<String> KEYS = List.of("IMPORT_SPOOL_DIR", "IMPORT_MAX_BYTES", "IMPORT_BATCH_ROWS", "IMPORT_ROW_EVENTS");

  public static ImportConfig from(ConfigReader r) {
    Path dir = Path.of(r.text("IMPORT_SPOOL_DIR", "data/imports"));
    long maxBytes = r.number("IMPORT_MAX_BYTES", 2L * 1024 * 1024 * 1024);
    if (maxBytes < 1) {
      throw new ConfigException("IMPORT_MAX_BYTES", "must be a positive number of bytes");
    }
    int batch = r.positive("IMPORT_BATCH_ROWS", 2000);
    if (batch > 20_000) {
      throw new ConfigException("IMPORT_BATCH_ROWS", "at most 20000 rows per batch (one statement, one transaction)");
    }
    return new ImportConfig(dir, maxBytes, batch, r.bool("IMPORT_ROW_EVENTS", false));
  }
}
