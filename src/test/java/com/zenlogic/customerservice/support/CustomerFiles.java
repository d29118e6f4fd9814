package com.zenlogic.customerservice.support;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a customers file for the bulk import: N rows (persons with a unique external id, email,
 * phone and valid RUT, some tags and opening points), of which a controllable share is bad, the
 * kinds of bad taking turns. Deterministic for the same arguments; knows what a correct import
 * must report: the bad rows by number and kind, the valid rows, their opening points.
 */
public final class CustomerFiles {
  /** The kinds of bad row, and the field the import must name for each. */
  public enum Bad {
    EMAIL("email"),
    RUT("document_number"),
    NUL("first_name"),
    DUPLICATE_EXTERNAL_ID("external_id"),
    UNKNOWN_COLUMN("row"),
    MISSING_REQUIRED("last_name"),
    PHONE_COLLISION("phone");

    public final String field;

    Bad(String field) {
      this.field = field;
    }
  }

  public enum Format { CSV, NDJSON }

  /** What the file holds. */
  public record Expected(long rows, long valid, Map<Bad, Long> badByKind, Map<Long, Bad> badRows, long openingPoints,
                         long bytes) {
    public long bad() {
      return rows - valid;
    }
  }

  static final String HEADER = "external_id,customer_type,first_name,last_name,email,phone,document_type,document_number,tags,opening_points";

  private CustomerFiles() {}

  /**
   * {@code prefix} keeps the external ids, emails and phones of two files apart (a different
   * {@code phoneBlock} 0..9 each); {@code collidingPhone} is an existing customer's phone.
   */
  public static Expected write(Path path, Format format, int rows, double badShare, String prefix, int phoneBlock,
                               String collidingPhone) throws IOException {
    int every = badShare <= 0 ? Integer.MAX_VALUE : Math.max(2, (int) Math.round(1 / badShare));
    Map<Bad, Long> byKind = new EnumMap<>(Bad.class);
    Map<Long, Bad> badRows = new LinkedHashMap<>();
    long valid = 0;
    long points = 0;
    int badCount = 0;
    try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
      if (format == Format.CSV) {
        out.write(HEADER);
        out.write('\n');
      }
      for (int i = 1; i <= rows; i++) {
        Bad bad = i % every == 0 ? Bad.values()[badCount++ % Bad.values().length] : null;
        String ext = prefix + i;
        if (bad == Bad.DUPLICATE_EXTERNAL_ID) {
          ext = prefix + (i - 1);
        }
        String first = bad == Bad.NUL ? "Na\u0000me" + i : "Name" + i;
        String last = bad == Bad.MISSING_REQUIRED ? "" : "Last" + i;
        String email = bad == Bad.EMAIL ? "not-an-email-" + i : prefix.toLowerCase() + i + "@example.com";
        String phone = bad == Bad.PHONE_COLLISION ? collidingPhone : "+5699" + phoneBlock + String.format("%06d", i % 1_000_000);
        long body = 10_000_000L + phoneBlock * 1_000_000L + i;
        String rut = body + "-" + (bad == Bad.RUT ? wrongDigit(rutDigit(body)) : rutDigit(body));
        String tags = i % 10 == 0 ? "vip|web" : "";
        long opening = i % 5 == 0 ? (i % 1000) + 1 : 0;
        if (bad == null) {
          valid++;
          points += opening;
        } else {
          byKind.merge(bad, 1L, Long::sum);
          badRows.put((long) i, bad);
        }
        if (format == Format.CSV) {
          out.write(String.join(",", ext, "person", first, last, email, phone, "rut", rut, tags, opening == 0 ? "" : Long.toString(opening)));
          if (bad == Bad.UNKNOWN_COLUMN) {
            out.write(",surplus");
          }
        } else {
          StringBuilder json = new StringBuilder("{\"external_id\":\"").append(ext).append("\",\"customer_type\":\"person\",\"first_name\":\"")
              .append(first.replace("\u0000", "\\u0000")).append("\",\"last_name\":\"").append(last).append("\",\"email\":\"").append(email)
              .append("\",\"phone\":\"").append(phone).append("\",\"document_type\":\"rut\",\"document_number\":\"").append(rut).append('"');
          if (!tags.isEmpty()) {
            json.append(",\"tags\":[\"vip\",\"web\"]");
          }
          if (opening > 0) {
            json.append(",\"opening_points\":").append(opening);
          }
          if (bad == Bad.UNKNOWN_COLUMN) {
            json.append(",\"nickname\":\"x\"");
          }
          out.write(json.append('}').toString());
        }
        out.write('\n');
      }
    }
    return new Expected(rows, valid, byKind, badRows, points, Files.size(path));
  }

  static char rutDigit(long body) {
    String digits = Long.toString(body);
    int sum = 0;
    int factor = 2;
    for (int i = digits.length() - 1; i >= 0; i--) {
      sum += (digits.charAt(i) - '0') * factor;
      factor = factor == 7 ? 2 : factor + 1;
    }
    int d = 11 - (sum % 11);
    return d == 11 ? '0' : d == 10 ? 'K' : (char) ('0' + d);
  }

  private static char wrongDigit(char right) {
    return right == '1' ? '2' : '1';
  }
}
