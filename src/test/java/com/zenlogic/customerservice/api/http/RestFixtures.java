package com.zenlogic.customerservice.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zenlogic.customerservice.support.Http;
import com.zenlogic.customerservice.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One organization with a customer that has something in every capability, and a digest of all its rows. */
final class RestFixtures {
  static final String[] ALL = {"customers:read", "customers:write", "loyalty:read", "loyalty:write", "loyalty:admin",
      "credit:read", "credit:write", "credit:approve", "segments:read", "segments:admin", "analytics:read", "customers:admin"};

  final UUID org;
  final Http http;
  /** A valid value for each path parameter name of the contract, and the earn transaction for reversals. */
  final Map<String, String> ids = new HashMap<>();

  private RestFixtures(UUID org, Http http) {
    this.org = org;
    this.http = http;
  }

  static RestFixtures create(TestApp app) {
    UUID org = UUID.randomUUID();
    RestFixtures f = new RestFixtures(org, new Http(app.config.httpPort()).as(app.token(org, ALL)));
    Http h = f.http;
    String customer = ok(h.post("/api/v1/customers", new JsonObject().put("customer_type", "person").put("first_name", "Ana")
        .put("last_name", "Rojas").put("email", "ana." + org.toString().substring(0, 8) + "@example.cl")
        .put("phone", "+56941234567").put("route", "fx-route").put("salesperson_id", "fx-seller"))).getString("id");
    f.ids.put("id", customer);
    f.ids.put("address_id", ok(h.post("/api/v1/customers/" + customer + "/addresses",
        new JsonObject().put("kind", "shipping").put("line1", "Av. Providencia 1234"))).getString("id"));
    ok(h.put("/api/v1/customers/" + customer + "/preferences", new JsonObject().put("restrictions", new JsonArray().add("gluten"))));
    String earn = "fx-earn-" + org.toString().substring(0, 8);
    ok(h.post("/api/v1/customers/" + customer + "/loyalty/earn", new JsonObject().put("transaction_id", earn).put("amount", "120")));
    f.ids.put("transaction_id", earn);
    ok(h.post("/api/v1/customers/" + customer + "/purchases", new JsonObject().put("reference", "fx-buy").put("amount", "120")
        .put("items", new JsonArray().add(new JsonObject().put("product_id", "fx-latte").put("category", "coffee").put("quantity", 2)
            .put("unit_price", "60")))));
    ok(h.post("/api/v1/customers/" + customer + "/credit/line", new JsonObject().put("credit_limit", "500").put("currency", "CLP")));
    ok(h.post("/api/v1/customers/" + customer + "/credit/line/approve", null));
    ok(h.post("/api/v1/customers/" + customer + "/credit/use", new JsonObject().put("order_id", "fx-order").put("amount", "50")));
    f.ids.put("program_id", ok(h.post("/api/v1/loyalty/punch-card-programs", new JsonObject().put("name", "Café")
        .put("category", "coffee").put("stamps_required", 2).put("reward", "Un café"))).getString("id"));
    f.ids.put("rule_id", ok(h.post("/api/v1/loyalty/earning-rules", new JsonObject().put("name", "Café x2")
        .put("condition", new JsonObject().put("categories", new JsonArray().add("coffee")))
        .put("effect", new JsonObject().put("multiplier", "2")))).getString("id"));
    f.ids.put("segment", "new");
    f.ids.put("route", "fx-route");
    f.ids.put("action", "suspend");
    return f;
  }

  private static JsonObject ok(Http.Reply r) {
    assertEquals(true, r.status / 100 == 2, r.toString());
    return r.json() == null ? new JsonObject() : r.json();
  }

  /**
   * Every row of every table the organization can see (RLS scopes the owner too), as one md5. The
   * outbox is counted, not hashed: the relay marks its rows as it publishes them. job_leases is
   * left out: it is not tenant data, and every node renews its leases on a timer.
   */
  static String digest(Connection c, UUID org) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'flyway%' AND tablename <> 'job_leases' ORDER BY tablename")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    StringBuilder sql = new StringBuilder("SELECT md5(string_agg(d, '|' ORDER BY t)) FROM (");
    for (int i = 0; i < tables.size(); i++) {
      String t = tables.get(i);
      sql.append(i == 0 ? "" : " UNION ALL ").append("SELECT '").append(t).append("' AS t, ");
      if (t.equals("outbox") || t.equals("inbox")) {
        sql.append("count(*)::text AS d FROM ").append(t);
      } else {
        sql.append("count(*) || ':' || md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS d FROM ").append(t).append(" x");
      }
    }
    sql.append(") s");
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SELECT set_config('app.organization_id', '" + org + "', true)");
      try (ResultSet rs = st.executeQuery(sql.toString())) {
        rs.next();
        String d = rs.getString(1);
        c.commit();
        return d;
      }
    } catch (SQLException e) {
      c.rollback();
      throw e;
    }
  }
}
