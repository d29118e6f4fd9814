package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Live customers of the same organization that may be the same person or company as a given one,
 * with the reasons. The natural keys are UNIQUE, so "the same" means the duplicate keys V15 stores
 * beside them: the email without +tag (and, for Gmail, without dots), the phone's last 8 digits,
 * the document's letters and digits without leading zeros and check digit, the card's letters and
 * digits without leading zeros; and a similar name (pg_trgm, over the (organization, name) GIN index) with the same
 * address (line 1 and city). Each branch is an index lookup, the name branch is bounded, the answer
 * is bounded.
 */
public final class DuplicateCandidates {
  /** One candidate: score 0-100 (the reasons' weights added up, capped) and the reasons, strongest first. */
  public record Candidate(Customer customer, int score, List<String> reasons) {}

  public static final String SAME_DOCUMENT = "same_document";
  public static final String SAME_EMAIL = "same_email";
  public static final String SAME_CARD = "same_card";
  public static final String SAME_PHONE = "same_phone";
  public static final String SIMILAR_NAME_SAME_ADDRESS = "similar_name_same_address";

  /** Name matches examined per request before the address check (the common-name bound). */
  private static final int NAME_MATCHES = 50;

  private static final String ME = """
      WITH me AS MATERIALIZED (
        SELECT id, email_key, phone_key, document_key, card_key, search_name FROM customers WHERE organization_id = $1 AND id = $2)
      """;

  // PERF: the planner prices a trigram match like any cheap operator, so on a tenant of tens of
  // thousands it prefers scanning them all (and computing every similarity) to the GIN index, which
  // is what actually answers in a millisecond. Sequential scans are off for this transaction only
  // (set_config(..., true)), set by the statement that reads the name, so it costs no round trip.
  static final String SEARCH_NAME = """
      SELECT search_name, set_config('enable_seqscan', 'off', true) FROM customers WHERE organization_id = $1 AND id = $2""";

  private static final String KEY_HITS = key("document_key", SAME_DOCUMENT, 50) + " UNION ALL " + key("email_key", SAME_EMAIL, 40)
      + " UNION ALL " + key("card_key", SAME_CARD, 40) + " UNION ALL " + key("phone_key", SAME_PHONE, 30);

  // The GIN (pg_trgm) index finds the similar names first, in a CTE of its own so the address check
  // and the LIMIT cannot turn it into a scan of the organization; the address check reads its index.
  // PERF: the name is a parameter ($4), not a subquery: only a known value lets the planner estimate
  // how few rows match (matchingsel) and pick the index over a scan of the organization.
  private static final String NAMES = """
      , names AS MATERIALIZED (
        SELECT c.id FROM customers c
        WHERE c.organization_id = $1 AND c.deleted_at IS NULL AND c.id <> $2
          AND c.search_name % $4)
      """;

  private static final String NAME_HITS = "SELECT n.id, '" + SIMILAR_NAME_SAME_ADDRESS + "' AS reason, 30 AS weight FROM (" + """
      SELECT DISTINCT names.id FROM names
      JOIN customer_addresses theirs ON theirs.organization_id = $1 AND theirs.customer_id = names.id
      JOIN customer_addresses mine ON mine.organization_id = $1 AND mine.customer_id = $2 AND mine.address_key = theirs.address_key
      LIMIT""" + " " + NAME_MATCHES + ") n";

  static final String ALL = ME + NAMES + ", hits AS (" + KEY_HITS + " UNION ALL " + NAME_HITS + ")" + answer();
  static final String KEYS_ONLY = ME + ", hits AS (" + KEY_HITS + ")" + answer();

  private DuplicateCandidates() {}

  /** Every kind of candidate, for the on-demand check. */
  public static Future<List<Candidate>> of(SqlConnection conn, UUID org, UUID id, int limit) {
    return conn.preparedQuery(SEARCH_NAME).execute(Tuple.of(org, id)).compose(rows -> {
      String name = rows.size() == 0 ? null : rows.iterator().next().getString(0);
      return conn.preparedQuery(ALL).execute(Tuple.of(org, id, limit, name == null ? "" : name)).map(DuplicateCandidates::candidates);
    });
  }

  /** Key matches only: what a customer just created (no addresses yet) can match, at the cost of four index lookups. */
  public static Future<List<Candidate>> ofNew(SqlConnection conn, UUID org, UUID id, int limit) {
    return run(conn, KEYS_ONLY, org, id, limit);
  }

  private static Future<List<Candidate>> run(SqlConnection conn, String sql, UUID org, UUID id, int limit) {
    return conn.preparedQuery(sql).execute(Tuple.of(org, id, limit)).map(DuplicateCandidates::candidates);
  }

  private static List<Candidate> candidates(Iterable<Row> rows) {
    List<Candidate> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new Candidate(CustomerRepository.fromRow(r), r.getInteger("score"), Arrays.asList(r.getArrayOfStrings("reasons"))));
    }
    return out;
  }

  private static String key(String column, String reason, int weight) {
    return "SELECT c.id, '" + reason + "' AS reason, " + weight + " AS weight FROM me JOIN customers c ON c.organization_id = $1 AND c."
        + column + " = me." + column + " AND c.deleted_at IS NULL AND c.id <> me.id";
  }

  private static String answer() {
    return " SELECT " + Arrays.stream(CustomerRepository.COLUMNS.split(",")).map(String::strip).map(c -> "c." + c)
        .collect(Collectors.joining(", "))
        + ", r.reasons, r.score FROM (SELECT id, array_agg(reason ORDER BY weight DESC, reason) AS reasons,"
        + " least(sum(weight), 100)::int AS score FROM hits GROUP BY id) r"
        + " JOIN customers c ON c.organization_id = $1 AND c.id = r.id ORDER BY r.score DESC, c.id LIMIT $3";
  }
}
