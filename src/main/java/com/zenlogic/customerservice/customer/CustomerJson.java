package com.zenlogic.customerservice.customer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The public JSON form of a customer: REST responses and the data of customer.* events share it. */
public final class CustomerJson {
  private CustomerJson() {}

  public static JsonObject of(Customer c) {
    CustomerProfile p = c.profile();
    return new JsonObject()
        .put("id", c.id().toString())
        .put("customer_type", p.customerType().code())
        .put("name", p.displayName())
        .put("first_name", p.firstName())
        .put("last_name", p.lastName())
        .put("legal_name", p.legalName())
        .put("trade_name", p.tradeName())
        .put("email", p.email())
        .put("phone", p.phone())
        .put("document_type", p.documentType())
        .put("document_number", p.documentNumber())
        .put("birthdate", p.birthdate() == null ? null : p.birthdate().toString())
        .put("status", p.status().code())
        .put("loyalty_card", p.loyaltyCard())
        .put("external_id", p.externalId())
        .put("salesperson_id", p.salespersonId())
        .put("route", p.route())
        .put("price_group", p.priceGroup())
        .put("tags", new JsonArray(p.tags()))
        .put("notes", p.notes())
        .put("created_at", c.createdAt().toString())
        .put("updated_at", c.updatedAt().toString())
        .put("deleted_at", c.deletedAt() == null ? null : c.deletedAt().toString())
        .put("erased_at", c.erasedAt() == null ? null : c.erasedAt().toString())
        .put("version", c.version())
        .put("merged_into", c.mergedInto() == null ? null : c.mergedInto().toString());
  }
}
