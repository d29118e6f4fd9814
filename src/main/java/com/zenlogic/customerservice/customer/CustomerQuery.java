package com.zenlogic.customerservice.customer;

import java.util.UUID;

/**
 * A search: exact natural keys (already normalised), a name query, the distributor's salesperson and
 * route (exact), the CRM's external id (exact), and the keyset position to continue after.
 */
public record CustomerQuery(
    String nameQuery,
    String phone,
    String email,
    java.util.List<String> documentNumbers,
    String loyaltyCard,
    CustomerStatus status,
    boolean includeDeleted,
    Position after,
    int limit,
    String salespersonId,
    String route,
    String externalId) {

  /** Where the previous page ended: the sort key (name searches only) and the id. */
  public record Position(String sortKey, UUID id) {}
}
