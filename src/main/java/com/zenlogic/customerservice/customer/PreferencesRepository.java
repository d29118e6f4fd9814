package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** SQL for customer_preferences: one row per customer, created on first write. */
final class PreferencesRepository {
  private static final String FIND = """
      SELECT favourite_channels, categories_of_interest, restrictions, marketing_consent, updated_at
      FROM customer_preferences WHERE organization_id = $1 AND customer_id = $2""";

  private static final String UPSERT = """
      INSERT INTO customer_preferences (organization_id, customer_id, favourite_channels, categories_of_interest,
        restrictions, marketing_consent, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, now())
      ON CONFLICT (organization_id, customer_id) DO UPDATE SET favourite_channels = EXCLUDED.favourite_channels,
        categories_of_interest = EXCLUDED.categories_of_interest, restrictions = EXCLUDED.restrictions,
        marketing_consent = EXCLUDED.marketing_consent, updated_at = now()
      RETURNING favourite_channels, categories_of_interest, restrictions, marketing_consent, updated_at""";

  private static final String DELETE = "DELETE FROM customer_preferences WHERE organization_id = $1 AND customer_id = $2";

  static Future<Preferences> find(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(FIND).execute(Tuple.of(org, customerId))
        .map(rows -> rows.size() == 0 ? Preferences.empty() : fromRow(rows.iterator().next()));
  }

  static Future<Preferences> save(SqlConnection conn, UUID org, UUID customerId, Preferences p) {
    JsonObject consent = new JsonObject();
    p.marketingConsent().forEach((channel, c) -> consent.put(channel,
        new JsonObject().put("granted", c.granted()).put("updated_at", c.updatedAt().toString())));
    return conn.preparedQuery(UPSERT).execute(Tuple.of(org, customerId,
            p.favouriteChannels().toArray(String[]::new), p.categoriesOfInterest().toArray(String[]::new),
            p.restrictions().toArray(String[]::new), consent))
        .map(rows -> fromRow(rows.iterator().next()));
  }

  static Future<Void> delete(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(org, customerId)).mapEmpty();
  }

  private static Preferences fromRow(Row r) {
    Map<String, Preferences.Consent> consent = new LinkedHashMap<>();
    JsonObject json = (JsonObject) r.getValue("marketing_consent");
    json.forEach(e -> {
      JsonObject c = (JsonObject) e.getValue();
      consent.put(e.getKey(), new Preferences.Consent(c.getBoolean("granted"), Instant.parse(c.getString("updated_at"))));
    });
    return new Preferences(Arrays.asList(r.getArrayOfStrings("favourite_channels")),
        Arrays.asList(r.getArrayOfStrings("categories_of_interest")), Arrays.asList(r.getArrayOfStrings("restrictions")),
        consent, r.getOffsetDateTime("updated_at").toInstant());
  }
}
