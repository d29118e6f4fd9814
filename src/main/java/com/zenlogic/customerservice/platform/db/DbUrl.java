package com.zenlogic.customerservice.platform.db;

import com.zenlogic.customerservice.platform.config.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** The parts of a postgresql://user:pass@host:port/db URL, for the JDBC migrator and the reactive pool. */
public record DbUrl(String host, int port, String database, String user, String password) {

  public static DbUrl parse(String key, String url) {
    try {
      URI uri = new URI(url);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        throw new ConfigException(key, "must start with postgresql://");
      }
      if (uri.getHost() == null) {
        throw new ConfigException(key, "has no host");
      }
      String path = uri.getPath();
      if (path == null || path.length() < 2) {
        throw new ConfigException(key, "has no database name (postgresql://user:pass@host:port/db)");
      }
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      if (user == null || user.isEmpty()) {
        throw new ConfigException(key, "has no user (postgresql://user:pass@host:port/db)");
      }
      return new DbUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path.substring(1), user, password);
    } catch (URISyntaxException e) {
      throw new ConfigException(key, "is not a URL: " + e.getMessage());
    }
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** The same server and database, seen as another role. */
  public DbUrl as(String otherUser, String otherPassword) {
    return new DbUrl(host, port, database, otherUser, otherPassword);
  }

  /** For logs: never prints the password. */
  public String display() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
