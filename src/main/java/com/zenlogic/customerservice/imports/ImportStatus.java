package com.zenlogic.customerservice.imports;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** An import as stored: its progress counts (committed with their rows) and when it ran. */
public record ImportStatus(
    UUID id,
    ImportFormat format,
    String status,
    String fileName,
    long bytesTotal,
    long bytesRead,
    long rowsRead,
    long created,
    long updated,
    long unchanged,
    long rejected,
    long openingPoints,
    String error,
    Instant startedAt,
    Instant updatedAt,
    Instant finishedAt) {

  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";

  /** Share of the file's bytes committed, 0 to 100 with one decimal (100 once done). */
  public double percent() {
    if (DONE.equals(status) || bytesTotal == 0) {
      return DONE.equals(status) ? 100.0 : 0.0;
    }
    return Math.min(100.0, Math.floor(bytesRead * 1000.0 / bytesTotal) / 10.0);
  }

  /** Rows per second from the start to the end (or to now while running). */
  public long rowsPerSecond(Instant now) {
    Instant end = finishedAt != null ? finishedAt : now;
    long millis = startedAt == null ? 0 : Duration.between(startedAt, end).toMillis();
    return millis <= 0 ? 0 : rowsRead * 1000 / millis;
  }
}
