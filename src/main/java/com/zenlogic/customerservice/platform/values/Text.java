package com.zenlogic.customerservice.platform.values;

import com.zenlogic.customerservice.platform.errors.DomainException;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Text the service stores must be text PostgreSQL can hold: no U+0000 (SQLSTATE 22021) and no lone
 * UTF-16 surrogate (it cannot be encoded as UTF-8). Checked once at each edge, before any SQL.
 */
public final class Text {
  private Text() {}

  /** The value itself when it is storable text; else INVALID naming {@code field}. Null passes. */
  public static String checked(String field, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw DomainException.invalid(field, problem);
    }
    return value;
  }

  /** What is wrong with a string, or null when nothing is. */
  public static String problem(String value) {
    if (value == null) {
      return null;
    }
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c == '\u0000') {
        return "must not contain the NUL character (U+0000)";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
          continue;
        }
        return "must not contain a lone UTF-16 surrogate";
      }
      if (Character.isLowSurrogate(c)) {
        return "must not contain a lone UTF-16 surrogate";
      }
    }
    return null;
  }

  /**
   * Walks a JSON value (object keys included) and throws INVALID naming the first bad string's
   * path, e.g. {@code tags[2]} or {@code address.line1}; {@code prefix} is the path of the value.
   */
  public static void checkJson(String prefix, Object json) {
    if (json instanceof String s) {
      checked(prefix, s);
    } else if (json instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String path = prefix == null || prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        String keyProblem = problem(e.getKey());
        if (keyProblem != null) {
          throw DomainException.invalid(prefix == null || prefix.isEmpty() ? "body" : prefix, "has a key that " + keyProblem);
        }
        checkJson(path, e.getValue());
      }
    } else if (json instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        checkJson((prefix == null ? "" : prefix) + "[" + i + "]", a.getValue(i));
      }
    }
  }
}
