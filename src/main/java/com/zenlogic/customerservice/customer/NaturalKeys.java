package com.zenlogic.customerservice.customer;

import java.util.ArrayList;
import java.util.List;

/**
 * The values no two live customers of an organization may share (the unique indexes of V1), each
 * with the API field a collision is reported on, as DUPLICATE_CUSTOMER does.
 */
public final class NaturalKeys {
  /** One natural key of a profile: what a collision is reported on, and the value compared. */
  public record Key(String field, String value) {}

  private NaturalKeys() {}

  /** The natural keys of a normalised profile (external_id excluded: it is what an import matches on). */
  public static List<Key> of(CustomerProfile p) {
    List<Key> keys = new ArrayList<>(4);
    if (p.email() != null) {
      keys.add(new Key("email", p.email()));
    }
    if (p.phone() != null) {
      keys.add(new Key("phone", p.phone()));
    }
    if (p.documentNumber() != null) {
      keys.add(new Key("document_number", p.documentType() + "\u0000" + p.documentNumber()));
    }
    if (p.loyaltyCard() != null) {
      keys.add(new Key("loyalty_card", p.loyaltyCard()));
    }
    return keys;
  }
}
