package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.db.Db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** SQL for the customers table. Every statement also names the tenant; RLS is the safety net, not the filter. */
public final class CustomerRepository {
  static final String COLUMNS = """
      id, organization_id, customer_type, first_name, last_name, legal_name, trade_name, email, phone,
      document_type, document_number, birthdate, status, loyalty_card, external_id, salesperson_id, route,
      tags, notes, created_at, updated_at, deleted_at, erased_at, version, price_group, merged_into""";

  private static final String INSERT = """
      INSERT INTO customers (id, organization_id, customer_type, first_name, last_name, legal_name, trade_name,
        email, phone, document_type, document_number, birthdate, status, loyalty_card, external_id,
        salesperson_id, route, tags, notes, price_group)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
      RETURNING """ + " " + COLUMNS;

  private static final String FIND = "SELECT " + COLUMNS + " FROM customers WHERE organization_id = $1 AND id = $2";

  private static final String FIND_FOR_UPDATE = FIND + " FOR UPDATE";

  // FIND as one statement that sets the tenant itself (Db.readInOneStatement): $1 organization, $2 id.
  private static final String FIND_ONCE = Db.TENANT_CTE + "SELECT c.* FROM t CROSS JOIN LATERAL (SELECT " + COLUMNS
      + " FROM customers WHERE organization_id = t.org AND id = $2 OFFSET 0) c";

  private static final String UPDATE = """
      UPDATE customers SET first_name = $3, last_name = $4, legal_name = $5, trade_name = $6, email = $7,
        phone = $8, document_type = $9, document_number = $10, birthdate = $11, status = $12, loyalty_card = $13,
        external_id = $14, salesperson_id = $15, route = $16, tags = $17, notes = $18, price_group = $19,
        updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND id = $2
      RETURNING """ + " " + COLUMNS;

  private static final String MARK_DELETED = """
      UPDATE customers SET status = 'deleted', deleted_at = now(), updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL
      RETURNING""" + " " + COLUMNS;

  // Personal data goes; the id, type, business fields and everything ledgers point at stay.
  private static final String ERASE = """
      UPDATE customers SET first_name = NULL, last_name = NULL, legal_name = NULL, trade_name = NULL, email = NULL,
        phone = NULL, document_type = NULL, document_number = NULL, birthdate = NULL, loyalty_card = NULL,
        notes = NULL, status = CASE WHEN status = 'merged' THEN status ELSE 'deleted' END, deleted_at = coalesce(deleted_at, now()), erased_at = now(),
        updated_at = now(), version = version + 1
      WHERE organization_id = $1 AND id = $2
      RETURNING""" + " " + COLUMNS;

  public Future<Customer> insert(SqlConnection conn, UUID id, UUID organizationId, CustomerProfile p) {
    Tuple params = Tuple.of(id, organizationId, p.customerType().code())
        .addValue(p.firstName()).addValue(p.lastName()).addValue(p.legalName()).addValue(p.tradeName())
        .addValue(p.email()).addValue(p.phone()).addValue(p.documentType()).addValue(p.documentNumber())
        .addValue(p.birthdate()).addValue(p.status().code()).addValue(p.loyaltyCard()).addValue(p.externalId())
        .addValue(p.salespersonId()).addValue(p.route()).addValue(p.tags().toArray(String[]::new)).addValue(p.notes())
        .addValue(p.priceGroup());
    return conn.preparedQuery(INSERT).execute(params).map(rows -> fromRow(rows.iterator().next()));
  }

  public Future<Customer> find(SqlConnection conn, UUID organizationId, UUID id) {
    return conn.preparedQuery(FIND).execute(Tuple.of(organizationId, id)).map(CustomerRepository::firstOrNull);
  }

  /** As find, in one round trip and outside any unit of work: for a read that needs nothing else. */
  public Future<Customer> findOnce(Db db, UUID organizationId, UUID id) {
    return db.readInOneStatement(organizationId, FIND_ONCE, Tuple.of(id)).map(CustomerRepository::firstOrNull);
  }

  public Future<Customer> findForUpdate(SqlConnection conn, UUID organizationId, UUID id) {
    return conn.preparedQuery(FIND_FOR_UPDATE).execute(Tuple.of(organizationId, id)).map(CustomerRepository::firstOrNull);
  }

  public Future<Customer> update(SqlConnection conn, UUID organizationId, UUID id, CustomerProfile p) {
    Tuple params = Tuple.of(organizationId, id)
        .addValue(p.firstName()).addValue(p.lastName()).addValue(p.legalName()).addValue(p.tradeName())
        .addValue(p.email()).addValue(p.phone()).addValue(p.documentType()).addValue(p.documentNumber())
        .addValue(p.birthdate()).addValue(p.status().code()).addValue(p.loyaltyCard()).addValue(p.externalId())
        .addValue(p.salespersonId()).addValue(p.route()).addValue(p.tags().toArray(String[]::new)).addValue(p.notes())
        .addValue(p.priceGroup());
    return conn.preparedQuery(UPDATE).execute(params).map(CustomerRepository::firstOrNull);
  }

  public Future<Customer> markDeleted(SqlConnection conn, UUID organizationId, UUID id) {
    return conn.preparedQuery(MARK_DELETED).execute(Tuple.of(organizationId, id)).map(CustomerRepository::firstOrNull);
  }

  public Future<Customer> erase(SqlConnection conn, UUID organizationId, UUID id) {
    return conn.preparedQuery(ERASE).execute(Tuple.of(organizationId, id)).map(CustomerRepository::firstOrNull);
  }

  /**
   * Keyset-paged search. A name query pages on (search_name, id); everything else on the
   * time-ordered id, so rows inserted meanwhile never shift a page.
   */
  public Future<CustomerPage> search(SqlConnection conn, UUID organizationId, CustomerQuery query) {
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(", search_name FROM customers WHERE organization_id = $1");
    List<Object> params = new ArrayList<>();
    params.add(organizationId);
    if (!query.includeDeleted()) {
      sql.append(" AND deleted_at IS NULL");
    }
    addKey(sql, params, "phone", query.phone());
    addKey(sql, params, "email", query.email());
    if (query.documentNumbers() != null) {
      params.add(query.documentNumbers().toArray(String[]::new));
      int n = params.size();
      sql.append(" AND (document_number = ANY($").append(n).append(")").append(orMergedInto("document_number = ANY($" + n + ")"))
          .append(")");
    }
    addKey(sql, params, "loyalty_card", query.loyaltyCard());
    addEquals(sql, params, "status", query.status() == null ? null : query.status().code());
    addEquals(sql, params, "salesperson_id", query.salespersonId());
    addEquals(sql, params, "route", query.route());
    addEquals(sql, params, "external_id", query.externalId());
    boolean byName = query.nameQuery() != null;
    if (byName) {
      params.add(likeEscape(query.nameQuery()));
      int like = params.size();
      params.add(query.nameQuery());
      int raw = params.size();
      // Prefix of the whole name or of any word in it, or a close fuzzy match of a word (pg_trgm),
      // both on the accent-free lower-case form the column stores.
      sql.append(" AND (search_name LIKE search_text($").append(like).append(") || '%' OR search_name LIKE '% ' || search_text($")
          .append(like).append(") || '%' OR search_text($").append(raw).append(") <% search_name)");
    }
    if (query.after() != null) {
      if (byName) {
        params.add(query.after().sortKey());
        params.add(query.after().id());
        sql.append(" AND (search_name, id) > ($").append(params.size() - 1).append(", $").append(params.size()).append(")");
      } else {
        params.add(query.after().id());
        sql.append(" AND id > $").append(params.size());
      }
    }
    sql.append(byName ? " ORDER BY search_name, id" : " ORDER BY id");
    // One row more than the page tells whether there is a next page.
    params.add(query.limit() + 1);
    sql.append(" LIMIT $").append(params.size());
    return conn.preparedQuery(sql.toString()).execute(Tuple.wrap(params)).map(rows -> page(rows, query.limit(), byName));
  }

  private static CustomerPage page(RowSet<Row> rows, int limit, boolean byName) {
    List<Customer> items = new ArrayList<>(Math.min(rows.size(), limit));
    CustomerQuery.Position next = null;
    String lastSortKey = null;
    for (Row row : rows) {
      if (items.size() == limit) {
        Customer last = items.get(items.size() - 1);
        next = new CustomerQuery.Position(byName ? lastSortKey : null, last.id());
        break;
      }
      items.add(fromRow(row));
      lastSortKey = row.getString("search_name");
    }
    return new CustomerPage(items, next);
  }

  /** An exact key also finds the survivor of a customer merged away that had it. */
  private static void addKey(StringBuilder sql, List<Object> params, String column, String value) {
    if (value != null) {
      params.add(value);
      String match = column + " = $" + params.size();
      sql.append(" AND (").append(match).append(orMergedInto(match)).append(")");
    }
  }

  private static String orMergedInto(String match) {
    return " OR id = ANY (ARRAY(SELECT merged_into FROM customers m WHERE m.organization_id = $1 AND m.status = 'merged' AND m."
        + match + "))";
  }

  private static void addEquals(StringBuilder sql, List<Object> params, String column, String value) {
    if (value != null) {
      params.add(value);
      sql.append(" AND ").append(column).append(" = $").append(params.size());
    }
  }

  private static String likeEscape(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static Customer firstOrNull(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? fromRow(it.next()) : null;
  }

  static Customer fromRow(Row row) {
    String[] tags = row.getArrayOfStrings("tags");
    CustomerProfile profile = new CustomerProfile(
        CustomerType.of("customer_type", row.getString("customer_type")),
        row.getString("first_name"), row.getString("last_name"), row.getString("legal_name"), row.getString("trade_name"),
        row.getString("email"), row.getString("phone"), row.getString("document_type"), row.getString("document_number"),
        row.getLocalDate("birthdate"), CustomerStatus.of("status", row.getString("status")), row.getString("loyalty_card"),
        row.getString("external_id"), row.getString("salesperson_id"), row.getString("route"),
        tags == null ? List.of() : Arrays.asList(tags), row.getString("notes"), row.getString("price_group"));
    return new Customer(row.getUUID("id"), row.getUUID("organization_id"), profile,
        instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("updated_at")),
        instant(row.getOffsetDateTime("deleted_at")), instant(row.getOffsetDateTime("erased_at")), row.getLong("version"),
        row.getUUID("merged_into"));
  }

  private static java.time.Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
