package com.zenlogic.customerservice.platform.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

/**
 * The zero-configuration database: a PostgreSQL 15 that ships inside a Maven jar, with its data
 * under DATA_DIR/pg so it survives restarts. Blocking; call from executeBlocking or before Vert.x starts.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final String DATABASE = "customers";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    String problem = rootProblem();
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    Path pgData = dataDir.resolve("pg").toAbsolutePath();
    Files.createDirectories(pgData.getParent());
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(dataDir.resolve("pg-binaries").toAbsolutePath().toFile())
        .setPort(port)
        // The library starts PostgreSQL with fsync off (it is meant for tests); a dev database should survive a crash.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
    try (Connection conn = postgres.getPostgresDatabase().getConnection();
         Statement st = conn.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (!rs.next()) {
          st.execute("CREATE DATABASE " + DATABASE);
        }
      }
    } catch (java.sql.SQLException e) {
      postgres.close();
      throw new IOException("Embedded PostgreSQL started but cannot create database " + DATABASE + ": " + e.getMessage(), e);
    }
    return new EmbeddedDatabase(postgres, pgData);
  }

  /** Owner URL: the embedded server trusts local connections for its superuser. */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  /**
   * PostgreSQL refuses to run as root; the library then runs it in a user namespace ("unshare -U").
   * Returns why that cannot work here, or null if it can.
   */
  static String rootProblem() {
    if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
      return null;
    }
    long uid;
    try {
      uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (Exception e) {
      return null;
    }
    if (uid != 0) {
      return null;
    }
    String[] out = new String[1];
    int rc = run(out, "unshare", "-U", "id", "-u");
    if (rc == 0 && !"0".equals(out[0])) {
      return null;
    }
    return "Embedded PostgreSQL cannot start: PostgreSQL refuses to run as root and the user-namespace workaround "
        + "('unshare -U') is unavailable here (" + (rc == 127 ? "unshare is not installed (util-linux)" : "unshare -U failed: " + out[0])
        + "). Run the service as a non-root user, allow user namespaces, or set DB_URL to an existing PostgreSQL.";
  }

  private static int run(String[] out, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes()).trim();
      int rc = p.waitFor();
      out[0] = text.lines().findFirst().orElse("");
      return rc;
    } catch (IOException e) {
      out[0] = e.getMessage();
      return 127;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
