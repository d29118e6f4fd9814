package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for customer_addresses. */
final class AddressRepository {
  private static final String COLUMNS =
      "id, customer_id, kind, label, line1, line2, city, region, postal_code, country, is_default, created_at, updated_at";

  private static final String LIST = "SELECT " + COLUMNS
      + " FROM customer_addresses WHERE organization_id = $1 AND customer_id = $2 ORDER BY kind, created_at, id";

  private static final String INSERT = """
      INSERT INTO customer_addresses (organization_id, id, customer_id, kind, label, line1, line2, city, region,
        postal_code, country, is_default)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      RETURNING """ + " " + COLUMNS;

  private static final String UPDATE = """
      UPDATE customer_addresses SET kind = $4, label = $5, line1 = $6, line2 = $7, city = $8, region = $9,
        postal_code = $10, country = $11, is_default = $12, updated_at = now()
      WHERE organization_id = $1 AND customer_id = $2 AND id = $3
      RETURNING """ + " " + COLUMNS;

  private static final String CLEAR_DEFAULT = """
      UPDATE customer_addresses SET is_default = false, updated_at = now()
      WHERE organization_id = $1 AND customer_id = $2 AND kind = $3 AND is_default AND id <> $4""";

  private static final String HAS_DEFAULT = """
      SELECT EXISTS (SELECT 1 FROM customer_addresses
                     WHERE organization_id = $1 AND customer_id = $2 AND kind = $3 AND is_default AND id <> $4)""";

  // When the default goes, the oldest remaining address of that kind takes its place.
  private static final String PROMOTE_OLDEST = """
      UPDATE customer_addresses SET is_default = true, updated_at = now()
      WHERE organization_id = $1 AND id = (
        SELECT id FROM customer_addresses WHERE organization_id = $1 AND customer_id = $2 AND kind = $3
        ORDER BY created_at, id LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM customer_addresses
                        WHERE organization_id = $1 AND customer_id = $2 AND kind = $3 AND is_default)""";

  private static final String DELETE = """
      DELETE FROM customer_addresses WHERE organization_id = $1 AND customer_id = $2 AND id = $3 RETURNING kind""";

  private static final String DELETE_ALL = "DELETE FROM customer_addresses WHERE organization_id = $1 AND customer_id = $2";

  static Future<List<Address>> list(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(LIST).execute(Tuple.of(org, customerId)).map(rows -> {
      List<Address> out = new ArrayList<>();
      rows.forEach(r -> out.add(fromRow(r)));
      return out;
    });
  }

  static Future<Address> insert(SqlConnection conn, UUID org, Address a) {
    return conn.preparedQuery(INSERT).execute(Tuple.of(org, a.id(), a.customerId(), a.kind()).addValue(a.label())
            .addValue(a.line1()).addValue(a.line2()).addValue(a.city()).addValue(a.region()).addValue(a.postalCode())
            .addValue(a.country()).addValue(a.isDefault()))
        .map(rows -> fromRow(rows.iterator().next()));
  }

  static Future<Address> update(SqlConnection conn, UUID org, Address a) {
    return conn.preparedQuery(UPDATE).execute(Tuple.of(org, a.customerId(), a.id(), a.kind()).addValue(a.label())
            .addValue(a.line1()).addValue(a.line2()).addValue(a.city()).addValue(a.region()).addValue(a.postalCode())
            .addValue(a.country()).addValue(a.isDefault()))
        .map(rows -> rows.size() == 0 ? null : fromRow(rows.iterator().next()));
  }

  static Future<Void> clearOtherDefaults(SqlConnection conn, UUID org, UUID customerId, String kind, UUID keep) {
    return conn.preparedQuery(CLEAR_DEFAULT).execute(Tuple.of(org, customerId, kind, keep)).mapEmpty();
  }

  static Future<Boolean> hasOtherDefault(SqlConnection conn, UUID org, UUID customerId, String kind, UUID except) {
    return conn.preparedQuery(HAS_DEFAULT).execute(Tuple.of(org, customerId, kind, except))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  static Future<Void> promoteOldest(SqlConnection conn, UUID org, UUID customerId, String kind) {
    return conn.preparedQuery(PROMOTE_OLDEST).execute(Tuple.of(org, customerId, kind)).mapEmpty();
  }

  /** The kind of the deleted address, or null if there was none. */
  static Future<String> delete(SqlConnection conn, UUID org, UUID customerId, UUID id) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(org, customerId, id))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  static Future<Void> deleteAll(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(DELETE_ALL).execute(Tuple.of(org, customerId)).mapEmpty();
  }

  private static Address fromRow(Row r) {
    return new Address(r.getUUID("id"), r.getUUID("customer_id"), r.getString("kind"), r.getString("label"),
        r.getString("line1"), r.getString("line2"), r.getString("city"), r.getString("region"),
        r.getString("postal_code"), r.getString("country"), r.getBoolean("is_default"),
        r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant());
  }
}
