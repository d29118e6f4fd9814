package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.db.ExportQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;

/**
 * The organization's customers as one file. The columns are the API's field names, and the
 * writable ones are exactly CustomerInput's, so an export can go back through the bulk import;
 * the read-only ones (id, times, version) follow. The derived display name is left out.
 */
public final class CustomerExports {
  public static final List<String> COLUMNS = List.of(
      "id", "customer_type", "first_name", "last_name", "legal_name", "trade_name", "email", "phone",
      "document_type", "document_number", "birthdate", "status", "loyalty_card", "external_id", "salesperson_id",
      "route", "price_group", "tags", "notes", "created_at", "updated_at", "deleted_at", "erased_at", "version");

  // PERF: in primary-key order (organization_id, id): the index is the sort, rows leave as they are read.
  private static final String LIVE = "SELECT " + CustomerRepository.COLUMNS
      + " FROM customers WHERE organization_id = $1 AND deleted_at IS NULL ORDER BY id";
  private static final String ALL = "SELECT " + CustomerRepository.COLUMNS
      + " FROM customers WHERE organization_id = $1 ORDER BY id";

  private CustomerExports() {}

  /** Live customers; with {@code includeDeleted} also deleted and erased ones (status deleted, deleted_at / erased_at set). */
  public static ExportQuery customers(UUID organizationId, boolean includeDeleted) {
    return new ExportQuery("customers", COLUMNS, includeDeleted ? ALL : LIVE, Tuple.of(organizationId), CustomerExports::values);
  }

  private static Object[] values(Row row) {
    Customer c = CustomerRepository.fromRow(row);
    CustomerProfile p = c.profile();
    return new Object[] {
        c.id().toString(), p.customerType().code(), p.firstName(), p.lastName(), p.legalName(), p.tradeName(), p.email(), p.phone(),
        p.documentType(), p.documentNumber(), p.birthdate(), p.status().code(), p.loyaltyCard(), p.externalId(), p.salespersonId(),
        p.route(), p.priceGroup(), p.tags(), p.notes(), c.createdAt(), c.updatedAt(), c.deletedAt(), c.erasedAt(), c.version()};
  }
}
