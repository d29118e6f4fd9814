package com.zenlogic.customerservice.support;

import com.zenlogic.customerservice.platform.db.DbUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A throw-away database on the real PostgreSQL for one test class, owned by the test role
 * (TEST_PG_URL, created by scripts/test through the local socket). Dropped when closed.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String ADMIN_URL = System.getenv().getOrDefault("TEST_PG_URL",
      "postgresql://customer_test:customer_test@127.0.0.1:5432/postgres");

  private final DbUrl admin;
  private final DbUrl owner;

  private TestDatabase(DbUrl admin, DbUrl owner) {
    this.admin = admin;
    this.owner = owner;
  }

  public static TestDatabase create(String label) {
    DbUrl admin = DbUrl.parse("TEST_PG_URL", ADMIN_URL);
    String name = ("cs_" + label + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    try (Connection conn = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
         Statement st = conn.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create test database (is PostgreSQL up and TEST_PG_URL right? run scripts/test): "
          + e.getMessage(), e);
    }
    return new TestDatabase(admin, new DbUrl(admin.host(), admin.port(), name, admin.user(), admin.password()));
  }

  /** The owner URL, as DB_URL would be in production. */
  public String url() {
    return "postgresql://" + owner.user() + (owner.password() == null ? "" : ":" + owner.password()) + "@"
        + owner.host() + ":" + owner.port() + "/" + owner.database();
  }

  public DbUrl owner() {
    return owner;
  }

  public Connection connectAs(String user, String password) throws SQLException {
    return DriverManager.getConnection(owner.jdbcUrl(), user, password);
  }

  /** One value of a query run as the owner inside the organization's tenant scope (RLS is forced on the owner too). */
  public String scalar(java.util.UUID org, String sql) {
    try (Connection c = connectAs(owner.user(), owner.password()); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      try (java.sql.ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        String v = rs.getString(1);
        c.commit();
        return v;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public long count(java.util.UUID org, String sql) {
    return Long.parseLong(scalar(org, sql));
  }

  @Override
  public void close() {
    try (Connection conn = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
         Statement st = conn.createStatement()) {
      st.execute("DROP DATABASE IF EXISTS " + owner.database() + " WITH (FORCE)");
    } catch (SQLException e) {
      // A leftover database costs disk, not correctness: each run uses fresh names.
    }
  }
}
