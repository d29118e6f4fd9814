package com.zenlogic.customerservice.customer;

import java.time.LocalDate;
import java.util.List;

/**
 * What an admin may set on a customer: the editable part of the record, as entered or as normalised.
 * priceGroup is the B2B price group / discount class Pricing applies volume terms by (a short code).
 */
public record CustomerProfile(
    CustomerType customerType,
    String firstName,
    String lastName,
    String legalName,
    String tradeName,
    String email,
    String phone,
    String documentType,
    String documentNumber,
    LocalDate birthdate,
    CustomerStatus status,
    String loyaltyCard,
    String externalId,
    String salespersonId,
    String route,
    List<String> tags,
    String notes,
    String priceGroup) {

  public CustomerProfile {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** For receipts and screens: a person by first and last name, a company by trade name, else legal name. */
  public String displayName() {
    if (customerType == CustomerType.COMPANY) {
      return tradeName != null ? tradeName : legalName;
    }
    if (firstName == null && lastName == null) {
      return null;
    }
    return ((firstName == null ? "" : firstName) + " " + (lastName == null ? "" : lastName)).trim();
  }

  /** What is left once personal data is erased: type, status and the non-personal business fields. */
  public CustomerProfile anonymised() {
    return new CustomerProfile(customerType, null, null, null, null, null, null, null, null, null,
        status, null, externalId, salespersonId, route, tags, null, priceGroup);
  }
}
