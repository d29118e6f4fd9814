package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.CustomerProfile;
import com.zenlogic.customerservice.customer.CustomerStatus;
import com.zenlogic.customerservice.customer.CustomerType;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** JSON bodies (snake_case, as in the seeds) to customer profiles: a full one on create, a merge patch on update. */
final class CustomerInput {
  private CustomerInput() {}

  static CustomerProfile create(JsonObject body) {
    CustomerProfile blank = new CustomerProfile(CustomerType.of("customer_type", body.getString("customer_type")),
        null, null, null, null, null, null, null, null, null, CustomerStatus.ACTIVE, null, null, null, null, List.of(), null, null);
    JsonObject fields = body.copy();
    fields.remove("customer_type");
    return mergePatch(blank, fields);
  }

  /** RFC 7396: a present key sets the field, null clears it, an absent key leaves it. */
  static CustomerProfile mergePatch(CustomerProfile p, JsonObject patch) {
    return new CustomerProfile(
        p.customerType(),
        text(patch, "first_name", p.firstName()),
        text(patch, "last_name", p.lastName()),
        text(patch, "legal_name", p.legalName()),
        text(patch, "trade_name", p.tradeName()),
        text(patch, "email", p.email()),
        text(patch, "phone", p.phone()),
        text(patch, "document_type", p.documentType()),
        text(patch, "document_number", p.documentNumber()),
        patch.containsKey("birthdate") ? date(patch.getString("birthdate")) : p.birthdate(),
        patch.containsKey("status") ? CustomerStatus.of("status", patch.getString("status")) : p.status(),
        text(patch, "loyalty_card", p.loyaltyCard()),
        text(patch, "external_id", p.externalId()),
        text(patch, "salesperson_id", p.salespersonId()),
        text(patch, "route", p.route()),
        patch.containsKey("tags") ? strings(patch.getJsonArray("tags")) : p.tags(),
        text(patch, "notes", p.notes()),
        text(patch, "price_group", p.priceGroup()));
  }

  static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add(v == null ? null : v.toString()));
    }
    return out;
  }

  private static String text(JsonObject patch, String key, String current) {
    return patch.containsKey(key) ? patch.getString(key) : current;
  }

  private static LocalDate date(String value) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw DomainException.invalid("birthdate", "must be a date as YYYY-MM-DD");
    }
  }
}
