package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The customer side of a merge, inside the merge's tenant transaction: both customer rows locked,
 * the merged one marked (status merged, merged_into, deleted_at), customers merged into it earlier
 * re-pointed to the survivor, its addresses and preferences handed over, and the merge recorded
 * in customer_merges (what a repeated request replays).
 */
public final class CustomerMerges {
  /** A merge already recorded for a customer: to whom, and what it answered. */
  public record Recorded(UUID survivorId, JsonObject result) {}

  private static final String LOCK_BOTH = "SELECT " + CustomerRepository.COLUMNS
      + " FROM customers WHERE organization_id = $1 AND id = ANY ($2) ORDER BY id FOR NO KEY UPDATE";

  private static final String RECORDED = """
      SELECT survivor_id, result FROM customer_merges WHERE organization_id = $1 AND merged_id = $2""";

  private static final String MARK_MERGED = """
      UPDATE customers SET status = 'merged', merged_into = $3, deleted_at = $4, updated_at = $4, version = version + 1
      WHERE organization_id = $1 AND id = $2""";

  // A chain (A into B, then B into C): A's survivor becomes C, so one hop always reaches a live customer.
  private static final String REPOINT = """
      UPDATE customers SET merged_into = $3 WHERE organization_id = $1 AND merged_into = $2""";

  private static final String RECORD = """
      INSERT INTO customer_merges (organization_id, merged_id, survivor_id, actor, correlation_id, result, merged_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

  // The survivor keeps its own default of each kind; the merged customer's become plain addresses then.
  private static final String UNDEFAULT_ADDRESSES = """
      UPDATE customer_addresses m SET is_default = false
      WHERE m.organization_id = $1 AND m.customer_id = $2 AND m.is_default AND EXISTS (
        SELECT 1 FROM customer_addresses s WHERE s.organization_id = $1 AND s.customer_id = $3 AND s.kind = m.kind AND s.is_default)""";

  private static final String MOVE_ADDRESSES = """
      UPDATE customer_addresses SET customer_id = $3, updated_at = now() WHERE organization_id = $1 AND customer_id = $2""";

  private static final String SAVE_PREFERENCES = """
      INSERT INTO customer_preferences (organization_id, customer_id, favourite_channels, categories_of_interest,
        restrictions, marketing_consent, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (organization_id, customer_id) DO UPDATE SET favourite_channels = EXCLUDED.favourite_channels,
        categories_of_interest = EXCLUDED.categories_of_interest, restrictions = EXCLUDED.restrictions,
        marketing_consent = EXCLUDED.marketing_consent, updated_at = EXCLUDED.updated_at""";

  private CustomerMerges() {}

  /** Both customers (null where there is none in this organization), locked in id order. */
  public static Future<Map<UUID, Customer>> lockBoth(SqlConnection conn, UUID org, UUID a, UUID b) {
    return conn.preparedQuery(LOCK_BOTH).execute(Tuple.of(org).addArrayOfUUID(new UUID[] {a, b})).map(rows -> {
      Map<UUID, Customer> out = new HashMap<>();
      for (Row r : rows) {
        Customer c = CustomerRepository.fromRow(r);
        out.put(c.id(), c);
      }
      return out;
    });
  }

  public static Future<Recorded> recorded(SqlConnection conn, UUID org, UUID merged) {
    return conn.preparedQuery(RECORDED).execute(Tuple.of(org, merged)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Recorded(r.getUUID("survivor_id"), (JsonObject) r.getValue("result"));
    });
  }

  public static Future<Void> markMerged(SqlConnection conn, UUID org, UUID merged, UUID survivor, Instant now) {
    return conn.preparedQuery(MARK_MERGED).execute(Tuple.of(org, merged, survivor, utc(now)))
        .compose(v -> conn.preparedQuery(REPOINT).execute(Tuple.of(org, merged, survivor))).mapEmpty();
  }

  public static Future<Void> record(SqlConnection conn, UUID org, UUID merged, UUID survivor, String actor, String correlationId,
                                    JsonObject result, Instant now) {
    return conn.preparedQuery(RECORD).execute(Tuple.of(org, merged, survivor, actor, correlationId, result).addValue(utc(now))).mapEmpty();
  }

  /** Answers how many addresses moved. */
  public static Future<Integer> moveAddresses(SqlConnection conn, UUID org, UUID merged, UUID survivor) {
    return conn.preparedQuery(UNDEFAULT_ADDRESSES).execute(Tuple.of(org, merged, survivor))
        .compose(v -> conn.preparedQuery(MOVE_ADDRESSES).execute(Tuple.of(org, merged, survivor)))
        .map(rows -> rows.rowCount());
  }

  /**
   * The more recently updated preferences win (channels, categories, restrictions), and each
   * channel's marketing consent is the one given or withdrawn last. Answers whether the merged
   * customer had preferences.
   */
  public static Future<Boolean> mergePreferences(SqlConnection conn, UUID org, UUID merged, UUID survivor) {
    return PreferencesRepository.find(conn, org, merged).compose(m -> {
      if (m.updatedAt() == null) {
        return Future.succeededFuture(false);
      }
      return PreferencesRepository.find(conn, org, survivor).compose(s -> {
        Preferences joined = joined(m, s);
        JsonObject consent = new JsonObject();
        joined.marketingConsent().forEach((channel, c) -> consent.put(channel,
            new JsonObject().put("granted", c.granted()).put("updated_at", c.updatedAt().toString())));
        return conn.preparedQuery(SAVE_PREFERENCES).execute(Tuple.of(org, survivor,
                joined.favouriteChannels().toArray(String[]::new), joined.categoriesOfInterest().toArray(String[]::new),
                joined.restrictions().toArray(String[]::new), consent).addValue(utc(joined.updatedAt())))
            .compose(v -> PreferencesRepository.delete(conn, org, merged))
            .map(true);
      });
    });
  }

  static Preferences joined(Preferences merged, Preferences survivor) {
    if (survivor.updatedAt() == null) {
      return merged;
    }
    Preferences newer = merged.updatedAt().isAfter(survivor.updatedAt()) ? merged : survivor;
    Map<String, Preferences.Consent> consent = new LinkedHashMap<>(survivor.marketingConsent());
    merged.marketingConsent().forEach((channel, c) -> consent.merge(channel, c,
        (mine, theirs) -> theirs.updatedAt().isAfter(mine.updatedAt()) ? theirs : mine));
    return new Preferences(newer.favouriteChannels(), newer.categoriesOfInterest(), newer.restrictions(), consent, newer.updatedAt());
  }

  private static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
