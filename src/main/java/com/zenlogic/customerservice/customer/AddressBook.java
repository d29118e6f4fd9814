package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** A customer's addresses. The first address of a kind becomes its default; a new default replaces the old one. */
public final class AddressBook {
  private final CustomerService customers;

  public AddressBook(CustomerService customers) {
    this.customers = customers;
  }

  public Future<List<Address>> list(Caller caller, UUID customerId) {
    return customers.readDetails(caller, customerId, conn -> AddressRepository.list(conn, caller.organizationId(), customerId));
  }

  public Future<Address> add(Caller caller, UUID customerId, Address input) {
    Address address = validated(input, Ids.newId(), customerId);
    return customers.changeDetails(caller, customerId, "addresses", conn -> settleDefault(conn, caller, address)
        .compose(a -> AddressRepository.insert(conn, caller.organizationId(), a)));
  }

  public Future<Address> replace(Caller caller, UUID customerId, UUID addressId, Address input) {
    Address address = validated(input, addressId, customerId);
    return customers.changeDetails(caller, customerId, "addresses", conn -> settleDefault(conn, caller, address)
        .compose(a -> AddressRepository.update(conn, caller.organizationId(), a))
        .compose(updated -> {
          if (updated == null) {
            throw ErrorCode.ADDRESS_NOT_FOUND.exception(addressId);
          }
          return AddressRepository.promoteOldest(conn, caller.organizationId(), customerId, otherKind(updated.kind()))
              .map(updated);
        }));
  }

  public Future<Void> remove(Caller caller, UUID customerId, UUID addressId) {
    return customers.changeDetails(caller, customerId, "addresses",
        conn -> AddressRepository.delete(conn, caller.organizationId(), customerId, addressId).compose(kind -> {
          if (kind == null) {
            throw ErrorCode.ADDRESS_NOT_FOUND.exception(addressId);
          }
          return AddressRepository.promoteOldest(conn, caller.organizationId(), customerId, kind);
        }));
  }

  /** A default address clears the old default; the first of its kind is the default whatever was asked. */
  private static Future<Address> settleDefault(SqlConnection conn, Caller caller, Address a) {
    if (a.isDefault()) {
      return AddressRepository.clearOtherDefaults(conn, caller.organizationId(), a.customerId(), a.kind(), a.id()).map(a);
    }
    return AddressRepository.hasOtherDefault(conn, caller.organizationId(), a.customerId(), a.kind(), a.id())
        .map(has -> has ? a : withDefault(a));
  }

  private static Address withDefault(Address a) {
    return new Address(a.id(), a.customerId(), a.kind(), a.label(), a.line1(), a.line2(), a.city(), a.region(),
        a.postalCode(), a.country(), true, a.createdAt(), a.updatedAt());
  }

  private static String otherKind(String kind) {
    return Address.SHIPPING.equals(kind) ? Address.BILLING : Address.SHIPPING;
  }

  private static Address validated(Address a, UUID id, UUID customerId) {
    if (!Address.SHIPPING.equals(a.kind()) && !Address.BILLING.equals(a.kind())) {
      throw DomainException.invalid("kind", "must be shipping or billing");
    }
    String line1 = CustomerRules.blankToNull(a.line1());
    if (line1 == null) {
      throw DomainException.invalid("line1", "is required");
    }
    String country = CustomerRules.blankToNull(a.country());
    if (country != null) {
      country = country.toUpperCase(Locale.ROOT);
      if (!List.of(Locale.getISOCountries()).contains(country)) {
        throw DomainException.invalid("country", "must be an ISO 3166 two-letter country code");
      }
    }
    return new Address(id, customerId, a.kind(), CustomerRules.blankToNull(a.label()), line1,
        CustomerRules.blankToNull(a.line2()), CustomerRules.blankToNull(a.city()), CustomerRules.blankToNull(a.region()),
        CustomerRules.blankToNull(a.postalCode()), country, a.isDefault(), null, null);
  }
}
