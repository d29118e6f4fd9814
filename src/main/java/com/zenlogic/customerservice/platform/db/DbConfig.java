package com.zenlogic.customerservice.platform.db;

import com.zenlogic.customerservice.platform.config.ConfigException;
import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.nio.file.Path;
import java.util.List;

/**
 * PostgreSQL: the owner URL (runs the migrations; null = embedded under DATA_DIR), the runtime
 * role the pools log in as, the shared pool size, and the embedded database's place and port.
 */
public record DbConfig(String url, String appUser, String appPassword, int poolSize, Path dataDir, int embeddedPgPort) {
  public static final List<String> KEYS =
      List.of("DB_URL", "DB_APP_USER", "DB_APP_PASSWORD", "DB_POOL_SIZE", "DATA_DIR", "EMBEDDED_PG_PORT");

  /** @param zeroConfig false (the image): no DB_URL is an error instead of the embedded database */
  public static DbConfig from(ConfigReader r, boolean zeroConfig) {
    String url = r.optionalText("DB_URL");
    if (url != null) {
      DbUrl.parse("DB_URL", url);
    }
    if (url == null && !zeroConfig) {
      throw new ConfigException("DB_URL", "is required: ZERO_CONFIG=false forbids the embedded development database");
    }
    // A well-known default password would be a password anyone can guess; only zero-config generates one (DATA_DIR).
    String appPassword = r.optionalText("DB_APP_PASSWORD");
    if (url != null && appPassword == null) {
      throw new ConfigException("DB_APP_PASSWORD", "is required when DB_URL is set (the runtime role's password)");
    }
    return new DbConfig(url, r.text("DB_APP_USER", "customer_app"), appPassword, r.positive("DB_POOL_SIZE", 16),
        Path.of(r.text("DATA_DIR", "data")), r.port("EMBEDDED_PG_PORT", 54329));
  }

  public DbConfig withUrl(String newUrl) {
    return new DbConfig(newUrl, appUser, appPassword, poolSize, dataDir, embeddedPgPort);
  }

  public DbConfig withAppPassword(String password) {
    return new DbConfig(url, appUser, password, poolSize, dataDir, embeddedPgPort);
  }
}
