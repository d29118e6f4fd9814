package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;

import com.google.protobuf.InvalidProtocolBufferException;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetCustomerResponse;
import com.zenlogic.customerservice.api.grpc.v1.LookupCustomerRequest;
import com.zenlogic.customerservice.api.grpc.v1.CreditAccount;
import com.zenlogic.customerservice.api.grpc.v1.LoyaltyAccount;
import com.zenlogic.customerservice.customer.CheckoutReads;
import com.zenlogic.customerservice.customer.CheckoutView;
import com.zenlogic.customerservice.customer.Customer;
import com.zenlogic.customerservice.customer.CustomerProfile;
import com.zenlogic.customerservice.customer.LookupKey;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.UUID;

/**
 * The POS checkout hot path: GetCustomer and LookupCustomer, cache-aside over the single-statement
 * checkout reads. The cached value is the serialized response, so a hit costs one Redis round trip.
 */
final class CustomerRpc {
  static final Permission READ = Permission.CUSTOMERS_READ;
  static final Permission LOYALTY_READ = Permission.LOYALTY_READ;
  static final Permission CREDIT_READ = Permission.CREDIT_READ;

  private final CheckoutReads reads;
  private final CustomerCache cache;
  private final String phoneRegion;

  CustomerRpc(CheckoutReads reads, CustomerCache cache, String phoneRegion) {
    this.reads = reads;
    this.cache = cache;
    this.phoneRegion = phoneRegion;
  }

  Future<GetCustomerResponse> getCustomer(Caller caller, GetCustomerRequest request) {
    UUID id = Ids.parse("customer_id", request.getCustomerId());
    UUID org = caller.organizationId();
    return cache.read(org, id).compose(entry -> {
      if (entry.hit()) {
        return Future.succeededFuture(scoped(caller, parse(entry.value())));
      }
      return reads.byId(org, id).compose(view -> {
        if (view == null) {
          // A merged customer's id: NOT_FOUND, naming the survivor the caller should ask for.
          return reads.mergedInto(org, id).map(survivor -> {
            throw survivor == null ? ErrorCode.CUSTOMER_NOT_FOUND.exception(id) : ErrorCode.CUSTOMER_MERGED.exception(id, survivor);
          });
        }
        GetCustomerResponse response = response(view);
        cache.store(org, id, entry, Buffer.buffer(response.toByteArray()));
        return Future.succeededFuture(scoped(caller, response));
      });
    });
  }

  Future<GetCustomerResponse> lookupCustomer(Caller caller, LookupCustomerRequest request) {
    LookupKey key = key(request);
    UUID org = caller.organizationId();
    return cache.lookup(org, key.kind(), key.primary()).compose(found -> {
      if (found.entry().hit()) {
        GetCustomerResponse cached = parse(found.entry().value());
        if (matches(key, cached)) {
          return Future.succeededFuture(scoped(caller, cached));
        }
      }
      return reads.byKeyOrMerged(org, key).map(answer -> {
        if (answer == null || (!answer.viaMerge() && !key.matches(answer.view().customer()))) {
          throw new DomainException(ErrorCode.CUSTOMER_NOT_FOUND, "No customer with this " + key.kind(), key.kind());
        }
        CheckoutView view = answer.view();
        Customer c = view.customer();
        GetCustomerResponse response = response(view);
        if (answer.viaMerge()) {
          // The survivor does not carry this key: no key -> id mapping to cache (a cached answer must carry its key).
          return scoped(caller, response);
        }
        if (c.id().equals(found.customerId())) {
          cache.store(org, c.id(), found.entry(), Buffer.buffer(response.toByteArray()));
        } else {
          cache.index(org, key.kind(), key.primary(), c.id());
        }
        return scoped(caller, response);
      });
    });
  }

  private LookupKey key(LookupCustomerRequest request) {
    return switch (request.getKeyCase()) {
      case PHONE -> LookupKey.phone(request.getPhone(), phoneRegion);
      case EMAIL -> LookupKey.email(request.getEmail());
      case DOCUMENT_NUMBER -> LookupKey.document(request.getDocumentNumber());
      case LOYALTY_CARD -> LookupKey.card(request.getLoyaltyCard());
      case EXTERNAL_ID -> LookupKey.externalId(request.getExternalId());
      case KEY_NOT_SET -> throw DomainException.invalid("key", "set exactly one of phone, email, document_number, loyalty_card, external_id");
    };
  }

  /**
   * What the caller may see of a customer: its profile with customers:read, its points and tier
   * only with loyalty:read, its credit only with credit:read (left unset otherwise, as proto3
   * defaults). The cache holds the full answer, so the cut is made per call, after it.
   */
  static GetCustomerResponse scoped(Caller caller, GetCustomerResponse full) {
    boolean loyalty = caller.may(LOYALTY_READ);
    boolean credit = caller.may(CREDIT_READ);
    if (loyalty && credit) {
      return full;
    }
    GetCustomerResponse.Builder b = full.toBuilder();
    if (!loyalty) {
      b.clearLoyalty().clearLoyaltyTier().clearLoyaltyPoints();
    }
    if (!credit) {
      b.clearCredit().clearCreditLimit().clearCreditAvailable();
    }
    return b.build();
  }

  /** A cached key -> id mapping can outlive a change of phone or card: the answer must still carry the key. */
  private static boolean matches(LookupKey key, GetCustomerResponse r) {
    String current = switch (key.kind()) {
      case LookupKey.PHONE -> r.getPhone();
      case LookupKey.EMAIL -> r.getEmail();
      case LookupKey.DOCUMENT -> r.getDocumentNumber();
      case LookupKey.EXTERNAL_ID -> r.getExternalId();
      default -> r.getLoyaltyCard();
    };
    return key.values().contains(current);
  }

  static GetCustomerResponse response(CheckoutView view) {
    Customer c = view.customer();
    CustomerProfile p = c.profile();
    GetCustomerResponse.Builder b = GetCustomerResponse.newBuilder()
        .setCustomerId(c.id().toString())
        .setLoyalty(LoyaltyAccount.newBuilder().setPointsBalance(view.pointsBalance()).setPointsHeld(view.pointsHeld())
            .setTier(view.loyaltyTier()).setLifetimePoints(view.lifetimePoints()).setPendingPoints(view.pointsPending()))
        .setLoyaltyTier(view.loyaltyTier())
        .setLoyaltyPoints(view.pointsBalance())
        .setCreditLimit(Amounts.wire(view.creditLimit()))
        .setCreditAvailable(Amounts.wire(view.creditAvailable()))
        .setCustomerType(p.customerType().code())
        .setStatus(p.status().code())
        .setVersion(c.version());
    if (view.creditOutstanding() != null) {
      b.setCredit(CreditAccount.newBuilder().setCreditLimit(Amounts.wire(view.creditLimit()))
          .setOutstanding(Amounts.wire(view.creditOutstanding())).setAvailable(Amounts.wire(view.creditAvailable()))
          .setStatus("approved").setPaymentTermsDays(view.termsDays()).setCurrency(view.currency()));
    }
    setIf(p.firstName(), b::setFirstName);
    setIf(p.lastName(), b::setLastName);
    setIf(p.displayName(), b::setName);
    setIf(p.legalName(), b::setLegalName);
    setIf(p.tradeName(), b::setTradeName);
    setIf(p.email(), b::setEmail);
    setIf(p.phone(), b::setPhone);
    setIf(p.documentType(), b::setDocumentType);
    setIf(p.documentNumber(), b::setDocumentNumber);
    setIf(p.loyaltyCard(), b::setLoyaltyCard);
    setIf(p.priceGroup(), b::setPriceGroup);
    setIf(p.externalId(), b::setExternalId);
    return b.build();
  }

  private static void setIf(String value, java.util.function.Consumer<String> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static GetCustomerResponse parse(Buffer bytes) {
    try {
      return GetCustomerResponse.parseFrom(bytes.getBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Corrupt cache entry", e);
    }
  }
}
