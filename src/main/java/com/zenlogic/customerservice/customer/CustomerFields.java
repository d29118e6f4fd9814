package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Text;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The customer's fields by their API names (snake_case, as in the seeds) read into a profile: the
 * one reader behind the REST bodies, the gRPC-free admin paths and the bulk import, so a value means
 * the same wherever it comes from. {@link CustomerRules#normalise} then checks and normalises it.
 */
public final class CustomerFields {
  /** Every field a caller may set, in the order of the contract's CustomerInput schema. */
  public static final List<String> NAMES = List.of("customer_type", "first_name", "last_name", "legal_name", "trade_name",
      "email", "phone", "document_type", "document_number", "birthdate", "status", "loyalty_card", "external_id",
      "salesperson_id", "route", "tags", "notes", "price_group");

  /** Where the values come from (a JSON body, a CSV row, an NDJSON line). */
  public interface Source {
    boolean has(String name);

    /** The value as text; null when absent or null. */
    String text(String name);

    /** A list value (tags); null when absent or null. */
    List<String> list(String name);
  }

  private CustomerFields() {}

  /** A full profile: what is absent is empty, and the status defaults to active. */
  public static CustomerProfile create(Source s) {
    CustomerProfile blank = new CustomerProfile(CustomerType.of("customer_type", checked(s, "customer_type")),
        null, null, null, null, null, null, null, null, null, CustomerStatus.ACTIVE, null, null, null, null, List.of(), null, null);
    return merge(blank, s);
  }

  /** RFC 7396: a present key sets the field, null clears it, an absent key leaves it. */
  public static CustomerProfile mergePatch(CustomerProfile p, Source s) {
    return merge(p, s);
  }

  private static CustomerProfile merge(CustomerProfile p, Source s) {
    return new CustomerProfile(
        p.customerType(),
        text(s, "first_name", p.firstName()),
        text(s, "last_name", p.lastName()),
        text(s, "legal_name", p.legalName()),
        text(s, "trade_name", p.tradeName()),
        text(s, "email", p.email()),
        text(s, "phone", p.phone()),
        text(s, "document_type", p.documentType()),
        text(s, "document_number", p.documentNumber()),
        s.has("birthdate") ? date(checked(s, "birthdate")) : p.birthdate(),
        s.has("status") ? CustomerStatus.of("status", checked(s, "status")) : p.status(),
        text(s, "loyalty_card", p.loyaltyCard()),
        text(s, "external_id", p.externalId()),
        text(s, "salesperson_id", p.salespersonId()),
        text(s, "route", p.route()),
        s.has("tags") ? tags(s.list("tags")) : p.tags(),
        text(s, "notes", p.notes()),
        text(s, "price_group", p.priceGroup()));
  }

  private static String text(Source s, String key, String current) {
    return s.has(key) ? checked(s, key) : current;
  }

  // Text PostgreSQL cannot store is refused here too, so no path reaches SQL with it.
  private static String checked(Source s, String key) {
    return Text.checked(key, s.text(key));
  }

  private static List<String> tags(List<String> tags) {
    if (tags == null) {
      return List.of();
    }
    for (String t : tags) {
      Text.checked("tags", t);
    }
    return tags;
  }

  private static LocalDate date(String value) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value.strip());
    } catch (DateTimeParseException e) {
      throw DomainException.invalid("birthdate", "must be a date as YYYY-MM-DD");
    }
  }
}
