package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Customer lifecycle rules. Every change runs in one tenant transaction that also records its
 * event in the outbox, and tells the change listeners (cache invalidation) before it is acknowledged.
 */
public final class CustomerService {
  private static final Map<String, String> FIELD_OF_INDEX = Map.of(
      "customers_email_uq", "email",
      "customers_phone_uq", "phone",
      "customers_document_uq", "document_number",
      "customers_card_uq", "loyalty_card",
      "customers_external_id_uq", "external_id");

  private final Db db;
  private final CustomerRepository customers = new CustomerRepository();
  private final String phoneRegion;
  private final CustomerChangeListener listener;

  public CustomerService(Db db, String phoneRegion, CustomerChangeListener listener) {
    this.db = db;
    this.phoneRegion = phoneRegion;
    this.listener = listener;
  }

  public String phoneRegion() {
    return phoneRegion;
  }

  public Future<Customer> create(Caller caller, CustomerProfile input) {
    return create(caller, input, 0).map(Created::customer);
  }

  /** A new customer and what it answered about it: up to {@code candidates} possible duplicates (key matches). */
  public record Created(Customer customer, List<DuplicateCandidates.Candidate> possibleDuplicates) {}

  public Future<Created> create(Caller caller, CustomerProfile input, int candidates) {
    CustomerProfile profile = CustomerRules.normalise(input, phoneRegion);
    UUID id = Ids.newId();
    List<DuplicateCandidates.Candidate> found = new ArrayList<>();
    return changing(caller, id, conn -> customers.insert(conn, id, caller.organizationId(), profile)
        .compose(c -> recordEvent(conn, caller, CustomerEvents.CREATED, c))
        .compose(c -> candidates <= 0 ? Future.succeededFuture(c)
            : DuplicateCandidates.ofNew(conn, caller.organizationId(), id, candidates).map(list -> {
              found.addAll(list);
              return c;
            })))
        .map(c -> new Created(c, List.copyOf(found)));
  }

  /** A customer of the caller's organization; deleted ones only when asked for. */
  public Future<Customer> get(Caller caller, UUID id, boolean includeDeleted) {
    // A merged customer is answered as it is (status merged, merged_into): callers holding its id learn the survivor's.
    return customers.findOnce(db, caller.organizationId(), id)
        .map(c -> visible(c, id, includeDeleted || (c != null && c.merged())));
  }

  /**
   * Applies a change to the current profile under a row lock. With an expected version (If-Match)
   * a concurrent change wins and this one is refused; without it the change applies to whatever is current.
   */
  public Future<Customer> update(Caller caller, UUID id, Long expectedVersion, UnaryOperator<CustomerProfile> change) {
    return changing(caller, id, conn -> customers.findForUpdate(conn, caller.organizationId(), id)
        .compose(current -> {
          Customer live = visible(current, id, false);
          if (expectedVersion != null && live.version() != expectedVersion) {
            throw ErrorCode.VERSION_MISMATCH.exception(expectedVersion);
          }
          CustomerProfile changed = change.apply(live.profile());
          if (changed.customerType() != live.profile().customerType()) {
            throw DomainException.invalid("customer_type", "cannot be changed");
          }
          CustomerProfile profile = CustomerRules.normalise(changed, phoneRegion);
          if (profile.equals(live.profile())) {
            return Future.succeededFuture(live);
          }
          return customers.update(conn, caller.organizationId(), id, profile)
              .compose(c -> recordEvent(conn, caller, CustomerEvents.UPDATED, c));
        }));
  }

  /** Soft delete: the row and its ledgers stay, reads answer 404 unless deleted customers are asked for. */
  public Future<Customer> delete(Caller caller, UUID id) {
    return changing(caller, id, conn -> customers.markDeleted(conn, caller.organizationId(), id)
        .compose(c -> {
          if (c == null) {
            throw ErrorCode.CUSTOMER_NOT_FOUND.exception(id);
          }
          return recordEvent(conn, caller, CustomerEvents.DELETED, c);
        }));
  }

  /** Data-protection erasure: personal data, addresses and preferences go; id, ledgers and totals stay. */
  public Future<Customer> erase(Caller caller, UUID id) {
    return changing(caller, id, conn -> customers.findForUpdate(conn, caller.organizationId(), id)
        .compose(current -> {
          if (current == null) {
            throw ErrorCode.CUSTOMER_NOT_FOUND.exception(id);
          }
          return AddressRepository.deleteAll(conn, caller.organizationId(), id)
              .compose(v -> PreferencesRepository.delete(conn, caller.organizationId(), id))
              .compose(v -> customers.erase(conn, caller.organizationId(), id))
              .compose(c -> Outbox.record(conn, caller, CustomerEvents.ERASED, id, new JsonObject()
                  .put("id", id.toString()).put("erased_at", c.erasedAt().toString())).map(c));
        }));
  }

  /**
   * Changes something that hangs off a customer (addresses, preferences) under the customer's row
   * lock, and publishes customer.updated naming what changed.
   */
  public <T> Future<T> changeDetails(Caller caller, UUID id, String what, Function<SqlConnection, Future<T>> work) {
    return db.withTenant(caller.organizationId(), conn -> customers.findForUpdate(conn, caller.organizationId(), id)
        .compose(current -> {
          Customer live = visible(current, id, false);
          return work.apply(conn).compose(result -> Outbox.record(conn, caller, CustomerEvents.UPDATED, id,
              CustomerJson.of(live).put("changed", what)).map(result));
        }))
        .compose(result -> listener.customerChanged(caller.organizationId(), id).map(result));
  }

  /** Reads something that hangs off a visible customer. */
  public <T> Future<T> readDetails(Caller caller, UUID id, Function<SqlConnection, Future<T>> work) {
    return db.withTenant(caller.organizationId(), conn -> customers.find(conn, caller.organizationId(), id)
        .compose(current -> {
          visible(current, id, false);
          return work.apply(conn);
        }));
  }

  /**
   * Reads what is held about a customer of the caller's organization, deleted or erased ones
   * included (their audit and ledgers stay): the audit, a data-protection access request.
   */
  public <T> Future<T> readHeld(Caller caller, UUID id, java.util.function.BiFunction<SqlConnection, Customer, Future<T>> work) {
    return db.withTenant(caller.organizationId(), conn -> customers.find(conn, caller.organizationId(), id)
        .compose(current -> work.apply(conn, visible(current, id, true))));
  }

  public Future<CustomerPage> search(Caller caller, CustomerQuery query) {
    return db.withTenant(caller.organizationId(), conn -> customers.search(conn, caller.organizationId(), query));
  }

  /** Normalises a phone typed in a search box the way stored phones were normalised. */
  public String normalisePhone(String field, String raw) {
    return PhoneNumbers.normalise(field, raw, phoneRegion);
  }

  private Future<Customer> changing(Caller caller, UUID id, Function<SqlConnection, Future<Customer>> work) {
    return db.withTenant(caller.organizationId(), work)
        .recover(failure -> Future.failedFuture(translate(failure)))
        .compose(c -> listener.customerChanged(caller.organizationId(), id).map(c));
  }

  private static Future<Customer> recordEvent(SqlConnection conn, Caller caller, String type, Customer c) {
    return Outbox.record(conn, caller, type, c.id(), CustomerJson.of(c)).map(c);
  }

  private static Customer visible(Customer c, UUID id, boolean includeDeleted) {
    if (c == null || (c.deleted() && !includeDeleted)) {
      throw ErrorCode.CUSTOMER_NOT_FOUND.exception(id);
    }
    return c;
  }

  private static Throwable translate(Throwable failure) {
    String index = Db.violatedConstraint(failure);
    if (index != null && FIELD_OF_INDEX.containsKey(index)) {
      String field = FIELD_OF_INDEX.get(index);
      return new DomainException(ErrorCode.DUPLICATE_CUSTOMER, ErrorCode.DUPLICATE_CUSTOMER.format(field), field);
    }
    return failure;
  }
}
