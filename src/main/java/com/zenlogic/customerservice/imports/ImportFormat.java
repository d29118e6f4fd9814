package com.zenlogic.customerservice.imports;

import com.zenlogic.customerservice.platform.errors.ErrorCode;
import java.util.Locale;

/** What an upload is: a CSV with a header row of the API's field names, or one JSON customer object a line. */
public enum ImportFormat {
  CSV("csv", "text/csv"),
  NDJSON("ndjson", "application/x-ndjson");

  private final String code;
  private final String mediaType;

  ImportFormat(String code, String mediaType) {
    this.code = code;
    this.mediaType = mediaType;
  }

  public String code() {
    return code;
  }

  public String mediaType() {
    return mediaType;
  }

  /** The format a Content-Type names (UTF-8 only), or UNSUPPORTED_IMPORT_TYPE (415). */
  public static ImportFormat ofContentType(String contentType) {
    if (contentType != null) {
      String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
      String type = parts[0].trim();
      boolean utf8 = true;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("charset=")) {
          String cs = p.substring("charset=".length()).replace("\"", "");
          utf8 = cs.equals("utf-8") || cs.equals("utf8");
        }
      }
      for (ImportFormat f : values()) {
        if (f.mediaType.equals(type) && utf8) {
          return f;
        }
      }
    }
    throw ErrorCode.UNSUPPORTED_IMPORT_TYPE.exception(contentType == null ? "none" : contentType);
  }

  public static ImportFormat of(String code) {
    for (ImportFormat f : values()) {
      if (f.code.equals(code)) {
        return f;
      }
    }
    throw new IllegalArgumentException("import format " + code);
  }
}
