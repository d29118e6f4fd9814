package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.errors.DomainException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Identity and tax documents. Each type normalises to one canonical spelling (so duplicates are
 * found whatever punctuation was typed) and is checked as far as its format allows.
 */
public final class Documents {
  public static final String RUT = "rut";
  public static final String RFC = "rfc";
  public static final String PASSPORT = "passport";
  public static final String OTHER = "other";

  // RFC (Mexico): 3 letters for a company or 4 for a person, the date yymmdd, a 3-character homoclave.
  private static final Pattern RFC_FORMAT = Pattern.compile("^[A-ZÑ&]{3,4}\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])[A-Z0-9]{3}$");
  private static final Pattern GENERIC = Pattern.compile("^[A-Z0-9]{3,30}$");

  private Documents() {}

  /** Canonical document number for the type, or an error on document_number / document_type. */
  public static String normalise(String type, String number) {
    String compact = number.toUpperCase(Locale.ROOT).replaceAll("[\\s.\\-/]", "");
    return switch (type) {
      case RUT -> rut(compact);
      case RFC -> {
        if (!RFC_FORMAT.matcher(compact).matches()) {
          throw DomainException.invalid("document_number", "is not a valid RFC (e.g. XAXX010101000)");
        }
        yield compact;
      }
      case PASSPORT, OTHER -> {
        if (!GENERIC.matcher(compact).matches()) {
          throw DomainException.invalid("document_number", "must be 3 to 30 letters or digits");
        }
        yield compact;
      }
      default -> throw DomainException.invalid("document_type", "must be one of rut, rfc, passport, other");
    };
  }

  /**
   * The stored spellings a document typed in a search box may have, whatever its type: the compact
   * form and, if it reads as a valid RUT, the RUT form.
   */
  public static java.util.List<String> searchForms(String raw) {
    String compact = raw.toUpperCase(Locale.ROOT).replaceAll("[\\s.\\-/]", "");
    try {
      String asRut = rut(compact);
      return java.util.List.of(compact, asRut);
    } catch (DomainException notARut) {
      return java.util.List.of(compact);
    }
  }

  /** Chilean RUT: body digits and a modulo-11 check digit (0-9 or K), stored as "12345678-5". */
  static String rut(String compact) {
    if (!compact.matches("^\\d{1,8}[0-9K]$")) {
      throw DomainException.invalid("document_number", "is not a RUT (e.g. 12.345.678-5)");
    }
    String body = compact.substring(0, compact.length() - 1);
    char given = compact.charAt(compact.length() - 1);
    if (rutCheckDigit(body) != given) {
      throw DomainException.invalid("document_number", "has a wrong RUT check digit");
    }
    return Long.parseLong(body) + "-" + given;
  }

  static char rutCheckDigit(String body) {
    int sum = 0;
    int factor = 2;
    for (int i = body.length() - 1; i >= 0; i--) {
      sum += (body.charAt(i) - '0') * factor;
      factor = factor == 7 ? 2 : factor + 1;
    }
    int digit = 11 - (sum % 11);
    return digit == 11 ? '0' : digit == 10 ? 'K' : (char) ('0' + digit);
  }
}
