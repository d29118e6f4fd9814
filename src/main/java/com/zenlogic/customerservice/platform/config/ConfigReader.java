package com.zenlogic.customerservice.platform.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Typed reads of the merged configuration (conf/config.json, CONFIG_FILE, environment). Each
 * capability's config record parses its own keys through one of these; a bad value is a
 * ConfigException naming the key. Blank counts as unset.
 */
public final class ConfigReader {
  private final JsonObject json;
  private final Set<String> asked = new LinkedHashSet<>();

  public ConfigReader(JsonObject json) {
    this.json = json;
  }

  public String optionalText(String key) {
    asked.add(key);
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    String text = String.valueOf(value).trim();
    return text.isEmpty() ? null : text;
  }

  /** The keys read so far (a test checks they are all declared in the parts' KEYS). */
  public Set<String> asked() {
    return Set.copyOf(asked);
  }

  public String text(String key, String fallback) {
    String value = optionalText(key);
    return value == null ? fallback : value;
  }

  public long number(String key, long fallback) {
    String value = optionalText(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a whole number, got '" + value + "'");
    }
  }

  public double decimal(String key, double fallback) {
    String value = optionalText(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a number, got '" + value + "'");
    }
  }

  public boolean bool(String key, boolean fallback) {
    String value = optionalText(key);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new ConfigException(key, "must be true or false, got '" + value + "'");
    };
  }

  public int port(String key, int fallback) {
    long value = number(key, fallback);
    if (value < 0 || value > 65535) {
      throw new ConfigException(key, "must be a port number 0-65535, got " + value);
    }
    return (int) value;
  }

  public int positive(String key, int fallback) {
    long value = number(key, fallback);
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw new ConfigException(key, "must be a positive whole number, got " + value);
    }
    return (int) value;
  }

  /** An optional URI whose scheme starts with {@code scheme} and that names a host. */
  public String uri(String key, String scheme) {
    String value = optionalText(key);
    if (value == null) {
      return null;
    }
    try {
      URI parsed = new URI(value);
      if (parsed.getScheme() == null || !parsed.getScheme().startsWith(scheme) || parsed.getHost() == null) {
        throw new ConfigException(key, "must look like " + scheme + "://host:port, got '" + value + "'");
      }
      return value;
    } catch (URISyntaxException e) {
      throw new ConfigException(key, "is not a URI: " + e.getMessage());
    }
  }

  /** An optional host:port. */
  public String hostPort(String key) {
    String value = optionalText(key);
    if (value != null && !value.matches("^[A-Za-z0-9.\\-]+:\\d{1,5}$")) {
      throw new ConfigException(key, "must be host:port, got '" + value + "'");
    }
    return value;
  }
}
