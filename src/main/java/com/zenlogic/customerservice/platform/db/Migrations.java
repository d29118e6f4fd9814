package com.zenlogic.customerservice.platform.db;

import com.zenlogic.customerservice.platform.config.ConfigException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocking start-up work against the database, run as the owner role (DB_URL): make sure the
 * runtime role exists, apply the Flyway migrations, then check the runtime role cannot bypass RLS.
 * Call it from executeBlocking, never from an event loop.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void apply(DbUrl owner, String appRole, String appPassword) {
    apply(owner, appRole, appPassword, false);
  }

  /**
   * resetPassword: set the runtime role's password even when the role exists. Only the embedded
   * (zero-config) database does: elsewhere the operator owns the password, and re-applying it at
   * every start would undo a rotation and make a default password stick.
   */
  public static void apply(DbUrl owner, String appRole, String appPassword, boolean resetPassword) {
    try (Connection conn = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password())) {
      ensureAppRole(conn, owner, appRole, appPassword, resetPassword);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot reach the database at " + owner.display() + ": " + e.getMessage(), e);
    }
    Flyway.configure()
        .dataSource(owner.jdbcUrl(), owner.user(), owner.password())
        .locations("classpath:db/migration")
        .placeholders(Map.of("app_role", quoteIdent(appRole)))
        .load()
        .migrate();
    try (Connection conn = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password())) {
      refusePrivilegedAppRole(conn, appRole);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot check the runtime role: " + e.getMessage(), e);
    }
    try (Connection conn = DriverManager.getConnection(owner.jdbcUrl(), appRole, appPassword)) {
      conn.isValid(5);
    } catch (SQLException e) {
      throw new ConfigException("DB_APP_PASSWORD", "does not log in as " + appRole + " (" + e.getSQLState()
          + "): set the role's password with ALTER ROLE, or correct DB_APP_PASSWORD");
    }
  }

  private static void ensureAppRole(Connection conn, DbUrl owner, String appRole, String appPassword, boolean resetPassword)
      throws SQLException {
    if (appRole.equals(owner.user())) {
      throw new ConfigException("DB_APP_USER", "must differ from the DB_URL user (" + owner.user()
          + "): the owner of the tables bypasses Row-Level Security");
    }
    boolean exists;
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, appRole);
      try (ResultSet rs = ps.executeQuery()) {
        exists = rs.next();
      }
    }
    boolean canCreateRoles;
    try (Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
      canCreateRoles = rs.next() && rs.getBoolean(1);
    }
    if (exists && !resetPassword) {
      return;
    }
    if (!canCreateRoles) {
      if (!exists) {
        throw new ConfigException("DB_APP_USER", "role " + appRole + " does not exist and " + owner.user()
            + " may not create roles; create it (LOGIN NOBYPASSRLS) or grant CREATEROLE");
      }
      return;
    }
    // Identifiers cannot be bound as parameters; the name is quoted and the password is a literal.
    // Only superusers may name the BYPASSRLS attribute in ALTER ROLE; an existing role is checked after.
    String attributes = exists ? " LOGIN PASSWORD " : " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ";
    try (Statement st = conn.createStatement()) {
      st.execute((exists ? "ALTER" : "CREATE") + " ROLE " + quoteIdent(appRole) + attributes + quoteLiteral(appPassword));
    } catch (SQLException e) {
      // Another instance may have created it between the check and here.
      if (!"42710".equals(e.getSQLState())) {
        throw e;
      }
    }
    if (!exists) {
      LOG.info("Created runtime database role {}", appRole);
    }
  }

  private static void refusePrivilegedAppRole(Connection conn, String appRole) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT rolsuper, rolbypassrls, EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'customers' "
            + "AND schemaname = current_schema() AND tableowner = rolname) FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, appRole);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new ConfigException("DB_APP_USER", "role " + appRole + " does not exist");
        }
        if (rs.getBoolean(1) || rs.getBoolean(2) || rs.getBoolean(3)) {
          throw new ConfigException("DB_APP_USER", "role " + appRole
              + " is a superuser, has BYPASSRLS or owns the tables: Row-Level Security would not apply to it");
        }
      }
    }
  }

  static String quoteIdent(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  static String quoteLiteral(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
