package com.zenlogic.customerservice.platform.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What the zero-configuration mode fills in: a token secret and the runtime role's database
 * password, each generated once and kept under DATA_DIR, so tokens printed by scripts/token keep
 * working across restarts and no well-known password exists. Blocking file I/O.
 */
public final class DevDefaults {
  private DevDefaults() {}

  public static String devJwtSecret(Path dataDir) throws IOException {
    return secret(dataDir, "dev-jwt-secret");
  }

  /** The embedded database's runtime role password (zero-config only; with DB_URL it must be configured). */
  public static String devAppPassword(Path dataDir) throws IOException {
    return secret(dataDir, "dev-db-app-password");
  }

  private static String secret(Path dataDir, String name) throws IOException {
    Path file = dataDir.resolve(name);
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    Files.createDirectories(dataDir);
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.writeString(file, secret, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system: the secret is a development default anyway.
    }
    return secret;
  }
}
