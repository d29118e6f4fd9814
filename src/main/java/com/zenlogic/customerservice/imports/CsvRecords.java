package com.zenlogic.customerservice.imports;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records read one at a time from a stream: comma-separated, a field may be quoted with
 * {@code "} (a doubled quote inside is one quote, and commas and line breaks inside are data),
 * records end at LF or CRLF. Only the current record is in memory. Blank lines are skipped.
 */
final class CsvRecords {
  /** A record that cannot be read as CSV: reported on its row, and the file stops there. */
  static final class MalformedException extends IOException {
    MalformedException(String message) {
      super(message);
    }
  }

  private static final int MAX_FIELD = 64 * 1024;

  private final Reader in;
  private final StringBuilder field = new StringBuilder();
  private final char[] buffer = new char[64 * 1024];
  private int position;
  private int limit;
  private int pushedBack = -2;

  CsvRecords(Reader in) {
    this.in = in;
  }

  /** The next record's fields, or null at the end of the input. */
  List<String> next() throws IOException {
    while (true) {
      int c = read();
      if (c == -1) {
        return null;
      }
      if (c == '\n') {
        continue;
      }
      if (c == '\r') {
        int d = read();
        if (d != '\n' && d != -1) {
          unread(d);
        }
        continue;
      }
      unread(c);
      return record();
    }
  }

  private List<String> record() throws IOException {
    List<String> fields = new ArrayList<>();
    while (true) {
      field.setLength(0);
      int c = read();
      if (c == '"') {
        quoted();
        c = read();
        if (c != ',' && c != '\n' && c != '\r' && c != -1) {
          throw new MalformedException("has text after a closing quote");
        }
      } else {
        while (c != ',' && c != '\n' && c != '\r' && c != -1) {
          if (c == '"') {
            throw new MalformedException("has a quote inside an unquoted value");
          }
          append(c);
          c = read();
        }
      }
      fields.add(field.toString());
      if (c == ',') {
        continue;
      }
      if (c == '\r') {
        int d = read();
        if (d != '\n' && d != -1) {
          unread(d);
        }
      }
      return fields;
    }
  }

  private void quoted() throws IOException {
    while (true) {
      int c = read();
      if (c == -1) {
        throw new MalformedException("has a quoted value that is never closed");
      }
      if (c == '"') {
        int d = read();
        if (d == '"') {
          append('"');
          continue;
        }
        unread(d);
        return;
      }
      append(c);
    }
  }

  private void append(int c) throws MalformedException {
    if (field.length() >= MAX_FIELD) {
      throw new MalformedException("has a value longer than " + MAX_FIELD + " characters");
    }
    field.append((char) c);
  }

  private int read() throws IOException {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    if (position == limit) {
      limit = in.read(buffer, 0, buffer.length);
      position = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[position++];
  }

  private void unread(int c) {
    pushedBack = c;
  }
}
