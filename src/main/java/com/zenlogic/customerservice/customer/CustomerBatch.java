package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Set-based SQL for many customers at once (the bulk import): one statement per batch, never one
 * per row. Runs inside the caller's tenant transaction. The profiles are normalised already
 * ({@link CustomerRules}); collisions on natural keys are found first ({@link #holdersOfKeys}), so
 * the upsert itself only meets one when a concurrent request got there in between.
 */
public final class CustomerBatch {
  // The existing live customers of the batch's external ids, locked like an update locks its row.
  private static final String LOCK_BY_EXTERNAL_IDS = "SELECT " + CustomerRepository.COLUMNS + """
       FROM customers WHERE organization_id = $1 AND external_id = ANY($2) AND deleted_at IS NULL
      ORDER BY external_id FOR UPDATE""";

  // Who already holds any of the batch's natural keys (each arm uses its unique index).
  private static final String HOLDERS = """
      SELECT id, email, phone, document_type, document_number, loyalty_card FROM customers
      WHERE organization_id = $1 AND deleted_at IS NULL
        AND (email = ANY($2) OR phone = ANY($3) OR document_number = ANY($4) OR loyalty_card = ANY($5))""";

  // PERF: one INSERT ... SELECT FROM unnest for the whole batch; the partial unique index on
  // (organization_id, external_id) decides insert or update. Tags travel as one JSON array per row.
  private static final String UPSERT = """
      INSERT INTO customers (id, organization_id, customer_type, first_name, last_name, legal_name, trade_name,
        email, phone, document_type, document_number, birthdate, status, loyalty_card, external_id,
        salesperson_id, route, tags, notes, price_group)
      SELECT u.id, $1, u.customer_type, u.first_name, u.last_name, u.legal_name, u.trade_name, u.email, u.phone,
        u.document_type, u.document_number, u.birthdate, u.status, u.loyalty_card, u.external_id, u.salesperson_id,
        u.route, CASE WHEN u.tags IS NULL THEN '{}'::text[] ELSE ARRAY(SELECT jsonb_array_elements_text(u.tags::jsonb)) END,
        u.notes, u.price_group
      FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
        $10::text[], $11::text[], $12::date[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
        $18::text[], $19::text[], $20::text[])
        AS u(id, customer_type, first_name, last_name, legal_name, trade_name, email, phone, document_type,
             document_number, birthdate, status, loyalty_card, external_id, salesperson_id, route, tags, notes, price_group)
      ON CONFLICT (organization_id, external_id) WHERE external_id IS NOT NULL AND deleted_at IS NULL DO UPDATE SET
        first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, legal_name = EXCLUDED.legal_name,
        trade_name = EXCLUDED.trade_name, email = EXCLUDED.email, phone = EXCLUDED.phone,
        document_type = EXCLUDED.document_type, document_number = EXCLUDED.document_number,
        birthdate = EXCLUDED.birthdate, status = EXCLUDED.status, loyalty_card = EXCLUDED.loyalty_card,
        salesperson_id = EXCLUDED.salesperson_id, route = EXCLUDED.route, tags = EXCLUDED.tags, notes = EXCLUDED.notes,
        price_group = EXCLUDED.price_group, updated_at = now(), version = customers.version + 1
      RETURNING""" + " " + CustomerRepository.COLUMNS + ", (xmax = 0) AS inserted";

  /** A customer of the batch as written, and whether the row was new. */
  public record Written(Customer customer, boolean inserted) {}

  /** A live customer holding one of the batch's natural keys. */
  public record Holder(UUID id, List<NaturalKeys.Key> keys) {}

  /** The live customers with these external ids, by external id, locked until the transaction ends. */
  public Future<Map<String, Customer>> lockByExternalIds(SqlConnection conn, UUID org, List<String> externalIds) {
    return conn.preparedQuery(LOCK_BY_EXTERNAL_IDS).execute(Tuple.of(org).addArrayOfString(externalIds.toArray(String[]::new)))
        .map(rows -> {
          Map<String, Customer> out = new HashMap<>();
          for (Row row : rows) {
            Customer c = CustomerRepository.fromRow(row);
            out.put(c.profile().externalId(), c);
          }
          return out;
        });
  }

  /** Every live customer holding a natural key of one of these profiles. */
  public Future<List<Holder>> holdersOfKeys(SqlConnection conn, UUID org, List<CustomerProfile> profiles) {
    List<String> emails = new ArrayList<>();
    List<String> phones = new ArrayList<>();
    List<String> documents = new ArrayList<>();
    List<String> cards = new ArrayList<>();
    for (CustomerProfile p : profiles) {
      addIfPresent(emails, p.email());
      addIfPresent(phones, p.phone());
      addIfPresent(documents, p.documentNumber());
      addIfPresent(cards, p.loyaltyCard());
    }
    if (emails.isEmpty() && phones.isEmpty() && documents.isEmpty() && cards.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(HOLDERS).execute(Tuple.of(org, emails.toArray(String[]::new), phones.toArray(String[]::new),
            documents.toArray(String[]::new), cards.toArray(String[]::new)))
        .map(rows -> {
          List<Holder> out = new ArrayList<>();
          for (Row r : rows) {
            CustomerProfile keys = new CustomerProfile(CustomerType.PERSON, null, null, null, null, r.getString("email"),
                r.getString("phone"), r.getString("document_type"), r.getString("document_number"), null, null,
                r.getString("loyalty_card"), null, null, null, List.of(), null, null);
            out.add(new Holder(r.getUUID("id"), NaturalKeys.of(keys)));
          }
          return out;
        });
  }

  /**
   * Inserts or updates every profile by its external id in one statement; {@code ids} are the ids
   * new rows get (ignored for an update). Answers the rows as written.
   */
  public Future<List<Written>> upsert(SqlConnection conn, UUID org, List<UUID> ids, List<CustomerProfile> profiles) {
    if (profiles.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    int n = profiles.size();
    String[][] text = new String[17][n];
    LocalDate[] birthdates = new LocalDate[n];
    for (int i = 0; i < n; i++) {
      CustomerProfile p = profiles.get(i);
      text[0][i] = p.customerType().code();
      text[1][i] = p.firstName();
      text[2][i] = p.lastName();
      text[3][i] = p.legalName();
      text[4][i] = p.tradeName();
      text[5][i] = p.email();
      text[6][i] = p.phone();
      text[7][i] = p.documentType();
      text[8][i] = p.documentNumber();
      birthdates[i] = p.birthdate();
      text[9][i] = p.status().code();
      text[10][i] = p.loyaltyCard();
      text[11][i] = p.externalId();
      text[12][i] = p.salespersonId();
      text[13][i] = p.route();
      text[14][i] = p.tags().isEmpty() ? null : new io.vertx.core.json.JsonArray(p.tags()).encode();
      text[15][i] = p.notes();
      text[16][i] = p.priceGroup();
    }
    Tuple params = Tuple.of(org).addArrayOfUUID(ids.toArray(UUID[]::new));
    for (int c = 0; c < 9; c++) {
      params.addValue(text[c]);
    }
    params.addValue(birthdates);
    for (int c = 9; c < 17; c++) {
      params.addValue(text[c]);
    }
    return conn.preparedQuery(UPSERT).execute(params).map(rows -> {
      List<Written> out = new ArrayList<>(n);
      for (Row row : rows) {
        out.add(new Written(CustomerRepository.fromRow(row), row.getBoolean("inserted")));
      }
      return out;
    });
  }

  private static void addIfPresent(List<String> list, String value) {
    if (value != null) {
      list.add(value);
    }
  }
}
