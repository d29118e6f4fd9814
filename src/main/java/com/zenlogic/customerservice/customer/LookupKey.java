package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.util.List;

/** A checkout lookup key, normalised the way stored customers were, so any spelling finds them. */
public record LookupKey(String kind, List<String> values) {
  public static final String PHONE = "phone";
  public static final String EMAIL = "email";
  public static final String DOCUMENT = "document_number";
  public static final String CARD = "loyalty_card";
  public static final String EXTERNAL_ID = "external_id";

  public static LookupKey phone(String raw, String region) {
    return new LookupKey(PHONE, List.of(PhoneNumbers.normalise("phone", raw, region)));
  }

  public static LookupKey email(String raw) {
    String email = CustomerRules.email(raw);
    if (email == null) {
      throw DomainException.invalid("email", "is empty");
    }
    return new LookupKey(EMAIL, List.of(email));
  }

  public static LookupKey document(String raw) {
    if (raw == null || raw.isBlank() || raw.length() > 40) {
      throw DomainException.invalid("document_number", "must be 1 to 40 characters");
    }
    return new LookupKey(DOCUMENT, Documents.searchForms(raw));
  }

  public static LookupKey card(String raw) {
    String card = CustomerRules.card(raw);
    if (card == null) {
      throw DomainException.invalid("loyalty_card", "is empty");
    }
    return new LookupKey(CARD, List.of(card));
  }

  /**
   * The id a CRM or ERP knows the customer by: matched exactly (case and inner spaces count), trimmed
   * as it was on write, at most 100 characters like the stored field.
   */
  public static LookupKey externalId(String raw) {
    String id = CustomerRules.text("external_id", raw, 100);
    if (id == null) {
      throw DomainException.invalid("external_id", "is empty");
    }
    return new LookupKey(EXTERNAL_ID, List.of(id));
  }

  /** The spelling used as cache key. */
  public String primary() {
    return values.get(values.size() - 1);
  }

  /** Whether a customer still carries this key (a cached key -> id mapping may be stale). */
  public boolean matches(Customer c) {
    CustomerProfile p = c.profile();
    String current = switch (kind) {
      case PHONE -> p.phone();
      case EMAIL -> p.email();
      case DOCUMENT -> p.documentNumber();
      case EXTERNAL_ID -> p.externalId();
      default -> p.loyaltyCard();
    };
    return current != null && values.contains(current);
  }
}
