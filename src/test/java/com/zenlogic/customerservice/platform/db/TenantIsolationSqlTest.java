package com.zenlogic.customerservice.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zenlogic.customerservice.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Row-Level Security proven at the SQL level, as the runtime role the service's pool uses. */
class TenantIsolationSqlTest {
  static final String APP_ROLE = "customer_app_test";
  static final String APP_PASSWORD = "customer_app_test";
  static final UUID ORG_A = UUID.randomUUID();
  static final UUID ORG_B = UUID.randomUUID();
  static TestDatabase db;

  @BeforeAll
  static void migrate() throws Exception {
    db = TestDatabase.create("rls");
    Migrations.apply(db.owner(), APP_ROLE, APP_PASSWORD);
    try (Connection c = app()) {
      insertCustomer(c, ORG_A, "Ana");
      insertCustomer(c, ORG_A, "Bea");
      insertCustomer(c, ORG_B, "Carla");
    }
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  static Connection app() throws SQLException {
    Connection c = db.connectAs(APP_ROLE, APP_PASSWORD);
    c.setAutoCommit(false);
    return c;
  }

  static void setTenant(Connection c, UUID org) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
    }
  }

  static void insertCustomer(Connection c, UUID org, String name) throws SQLException {
    setTenant(c, org);
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO customers (organization_id, id, customer_type, first_name, last_name) VALUES ('"
          + org + "', gen_random_uuid(), 'person', '" + name + "', 'Test')");
    }
    c.commit();
  }

  static long count(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void sqlThatForgetsTheTenantFilterSeesOnlyTheCurrentTenantsRows() throws Exception {
    try (Connection c = app()) {
      setTenant(c, ORG_A);
      assertEquals(2, count(c, "SELECT count(*) FROM customers"));
      c.commit();
      setTenant(c, ORG_B);
      assertEquals(1, count(c, "SELECT count(*) FROM customers"));
      c.commit();
    }
  }

  @Test
  void withoutATenantNothingIsVisibleOrWritable() throws Exception {
    try (Connection c = app()) {
      assertEquals(0, count(c, "SELECT count(*) FROM customers"));
      assertEquals(0, count(c, "WITH u AS (UPDATE customers SET notes = 'x' RETURNING 1) SELECT count(*) FROM u"));
      c.rollback();
      try (Statement st = c.createStatement()) {
        st.execute("SELECT set_config('app.organization_id', '', true)");
      }
      assertEquals(0, count(c, "SELECT count(*) FROM customers"));
      c.rollback();
    }
  }

  @Test
  void theTenantSettingEndsWithItsTransaction() throws Exception {
    try (Connection c = app()) {
      setTenant(c, ORG_A);
      assertEquals(2, count(c, "SELECT count(*) FROM customers"));
      c.commit();
      assertEquals(0, count(c, "SELECT count(*) FROM customers"), "the next transaction on this connection sees nothing");
      c.commit();
    }
  }

  @Test
  void rowsOfAnotherTenantCannotBeWrittenOrUpdated() throws Exception {
    try (Connection c = app()) {
      setTenant(c, ORG_A);
      SQLException e = assertThrows(SQLException.class, () -> {
        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO customers (organization_id, id, customer_type, first_name, last_name) VALUES ('"
              + ORG_B + "', gen_random_uuid(), 'person', 'Mallory', 'X')");
        }
      });
      assertEquals("42501", e.getSQLState(), "row-level security violation");
      c.rollback();
      setTenant(c, ORG_A);
      assertEquals(0, count(c, "WITH u AS (UPDATE customers SET notes = 'x' WHERE organization_id = '" + ORG_B
          + "' RETURNING 1) SELECT count(*) FROM u"));
      c.rollback();
    }
  }

  @Test
  void theRuntimeRoleIsNeitherOwnerNorSuperuserNorBypassesRls() throws Exception {
    try (Connection c = app(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")) {
      rs.next();
      assertFalse(rs.getBoolean(1));
      assertFalse(rs.getBoolean(2));
      assertEquals(0, count(c, "SELECT count(*) FROM pg_tables WHERE tableowner = current_user"));
      assertEquals(4, count(c, "SELECT count(*) FROM pg_class WHERE relname IN ('customers', 'customer_addresses', "
          + "'customer_preferences', 'outbox') AND relrowsecurity AND relforcerowsecurity"));
      c.rollback();
      // Soft delete only: the runtime role cannot delete customers.
      setTenant(c, ORG_A);
      SQLException e = assertThrows(SQLException.class, () -> st.execute("DELETE FROM customers"));
      assertEquals("42501", e.getSQLState());
      c.rollback();
    }
  }

  @Test
  void theSingleStatementCheckoutReadSeesOnlyItsTenantAndLeavesNoSettingBehind() throws Exception {
    String sql = "WITH t AS MATERIALIZED (SELECT set_config('app.organization_id', ?, true)::uuid AS org) "
        + "SELECT count(*) FROM t CROSS JOIN LATERAL (SELECT id FROM customers WHERE organization_id = t.org OFFSET 0) c";
    try (Connection c = db.connectAs(APP_ROLE, APP_PASSWORD)) {
      c.setAutoCommit(true);
      for (Object[] expected : new Object[][] {{ORG_A, 2L}, {ORG_B, 1L}}) {
        try (var ps = c.prepareStatement(sql)) {
          ps.setString(1, expected[0].toString());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertEquals(expected[1], rs.getLong(1));
          }
        }
        assertEquals(0, count(c, "SELECT count(*) FROM customers"), "the setting ended with its statement");
      }
    }
  }

  @Test
  void everyTenantTableIsUnderForcedRowLevelSecurity() throws Exception {
    try (Connection c = app()) {
      assertEquals(0, count(c, "SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
          + "JOIN pg_attribute a ON a.attrelid = k.oid AND a.attname = 'organization_id' "
          + "WHERE n.nspname = current_schema() AND k.relkind = 'r' AND NOT (k.relrowsecurity AND k.relforcerowsecurity) "
          // The registries of which organizations have loyalty accounts or purchases, and the queue of running
          // imports, hold ids only; the jobs iterate them and then work inside each organization's RLS scope.
          + "AND k.relname NOT IN ('loyalty_tenants', 'segmentation_tenants', 'customer_import_queue')"));
      c.rollback();
    }
  }
}
