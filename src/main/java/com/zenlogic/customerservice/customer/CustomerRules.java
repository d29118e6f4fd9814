package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a customer profile must satisfy before it is stored, and the normalisation that
 * makes natural keys comparable (E.164 phone, lower-case email, canonical document and card).
 */
public final class CustomerRules {
  // No whitespace, separators (\p{Z}) or control, format, surrogate and unassigned characters (\p{C}):
  // "\s" alone let U+0000, U+0001 and U+2028 through.
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s\\p{C}\\p{Z}]{1,64}@[^@\\s.\\p{C}\\p{Z}]+(\\.[^@\\s.\\p{C}\\p{Z}]+)+$");
  private static final Pattern CARD = Pattern.compile("^[A-Z0-9]{4,32}$");
  private static final Pattern PRICE_GROUP = Pattern.compile("[A-Z0-9][A-Z0-9_-]{0,19}");
  private static final int MAX_TAGS = 20;

  private CustomerRules() {}

  public static CustomerProfile normalise(CustomerProfile p, String phoneRegion) {
    if (p.customerType() == null) {
      throw DomainException.invalid("customer_type", "is required");
    }
    String firstName = name("first_name", p.firstName());
    String lastName = name("last_name", p.lastName());
    String legalName = name("legal_name", p.legalName());
    String tradeName = name("trade_name", p.tradeName());
    if (p.customerType() == CustomerType.PERSON) {
      if (firstName == null) {
        throw DomainException.invalid("first_name", "is required for a person");
      }
      if (lastName == null) {
        throw DomainException.invalid("last_name", "is required for a person");
      }
    } else if (legalName == null) {
      throw DomainException.invalid("legal_name", "is required for a company");
    }
    String documentType = blankToNull(p.documentType());
    String documentNumber = blankToNull(p.documentNumber());
    if (documentType == null && documentNumber != null) {
      throw DomainException.invalid("document_type", "is required with document_number");
    }
    if (documentType != null && documentNumber == null) {
      throw DomainException.invalid("document_number", "is required with document_type");
    }
    if (documentType != null) {
      documentType = documentType.toLowerCase(Locale.ROOT);
      documentNumber = Documents.normalise(documentType, documentNumber);
    }
    CustomerStatus status = p.status() == null ? CustomerStatus.ACTIVE : p.status();
    if (status == CustomerStatus.DELETED) {
      throw DomainException.invalid("status", "use DELETE to delete a customer");
    }
    if (status == CustomerStatus.MERGED) {
      throw DomainException.invalid("status", "use POST /customers/{id}/merge to merge a customer");
    }
    return new CustomerProfile(
        p.customerType(), firstName, lastName, legalName, tradeName,
        email(p.email()),
        p.phone() == null || p.phone().isBlank() ? null : PhoneNumbers.normalise("phone", p.phone(), phoneRegion),
        documentType, documentNumber,
        birthdate(p.birthdate()),
        status,
        card(p.loyaltyCard()),
        text("external_id", p.externalId(), 100),
        text("salesperson_id", p.salespersonId(), 100),
        text("route", p.route(), 100),
        tags(p.tags()),
        text("notes", p.notes(), 2000),
        priceGroup(p.priceGroup()));
  }

  /** A price group is a short code ("WHOLESALE_A", "B2"): trimmed, upper-case, 1 to 20 letters, digits, _ or -. */
  public static String priceGroup(String raw) {
    String code = blankToNull(raw);
    if (code == null) {
      return null;
    }
    code = code.toUpperCase(Locale.ROOT);
    if (!PRICE_GROUP.matcher(code).matches()) {
      throw DomainException.invalid("price_group", "must be 1 to 20 letters, digits, _ or -, starting with a letter or digit");
    }
    return code;
  }

  /** Lower-case, trimmed email, or an error naming the field. */
  public static String email(String raw) {
    String email = blankToNull(raw);
    if (email == null) {
      return null;
    }
    email = email.toLowerCase(Locale.ROOT);
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      throw DomainException.invalid("email", "is not an email address");
    }
    return email;
  }

  /** Loyalty cards are matched without spaces or dashes, upper-case, as scanners and cashiers type them differently. */
  public static String card(String raw) {
    String card = blankToNull(raw);
    if (card == null) {
      return null;
    }
    card = card.toUpperCase(Locale.ROOT).replaceAll("[\\s\\-]", "");
    if (!CARD.matcher(card).matches()) {
      throw DomainException.invalid("loyalty_card", "must be 4 to 32 letters or digits");
    }
    return card;
  }

  private static LocalDate birthdate(LocalDate date) {
    if (date == null) {
      return null;
    }
    if (date.isAfter(LocalDate.now())) {
      throw DomainException.invalid("birthdate", "is in the future");
    }
    if (date.isBefore(LocalDate.of(1900, 1, 1))) {
      throw DomainException.invalid("birthdate", "is before 1900");
    }
    return date;
  }

  private static List<String> tags(List<String> raw) {
    Set<String> tags = new LinkedHashSet<>();
    for (String tag : raw) {
      String t = blankToNull(tag);
      if (t == null) {
        throw DomainException.invalid("tags", "must not contain empty tags");
      }
      if (t.length() > 40) {
        throw DomainException.invalid("tags", "a tag is longer than 40 characters");
      }
      tags.add(t.toLowerCase(Locale.ROOT));
    }
    if (tags.size() > MAX_TAGS) {
      throw DomainException.invalid("tags", "at most " + MAX_TAGS + " tags");
    }
    return List.copyOf(tags);
  }

  private static String name(String field, String raw) {
    return text(field, raw, 100);
  }

  /** Optional free text (salesperson, route, ...): trimmed, blank is none, at most max characters. */
  public static String text(String field, String raw, int max) {
    String value = blankToNull(raw);
    if (value != null && value.length() > max) {
      throw DomainException.invalid(field, "is longer than " + max + " characters");
    }
    return value;
  }

  static String blankToNull(String s) {
    if (s == null) {
      return null;
    }
    String t = s.strip();
    return t.isEmpty() ? null : t;
  }
}
