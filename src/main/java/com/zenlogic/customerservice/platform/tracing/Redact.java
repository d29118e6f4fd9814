package com.zenlogic.customerservice.platform.tracing;

import io.vertx.pgclient.PgException;
import java.util.regex.Pattern;

/**
 * Failure descriptions safe for logs at INFO and above: no personal data. Exception messages may
 * echo the values that caused them (PostgreSQL's "invalid input syntax ...: \"+56 9 ...\"" and its
 * DETAIL "Key (phone)=(...)", a parser's "For input string: ..."), so quoted and bracketed
 * values are cut out, PostgreSQL's DETAIL is never used, and stack traces go to DEBUG only.
 */
public final class Redact {
  // "…", '…', «…», (…)=(…) and the text after "input string:"
  private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"|'[^']*'|«[^»]*»|\\([^()]*\\)=\\([^()]*\\)|(?<=input string: ).*");
  private static final int MAX = 300;

  private Redact() {}

  /** Exception class and redacted message, for each cause in the chain (at most four). */
  public static String failure(Throwable failure) {
    StringBuilder b = new StringBuilder();
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause() == t ? null : t.getCause()) {
      if (depth > 0) {
        b.append(" <- ");
      }
      b.append(t.getClass().getSimpleName());
      String message = t instanceof PgException pg ? "SQLSTATE " + pg.getSqlState() + ": " + pg.getErrorMessage() : t.getMessage();
      if (message != null) {
        b.append(": ").append(text(message));
      }
    }
    return b.length() > MAX ? b.substring(0, MAX) + "…" : b.toString();
  }

  /** text with quoted or bracketed values replaced by "?". */
  public static String text(String text) {
    return text == null ? null : QUOTED.matcher(text).replaceAll("?");
  }
}
