package com.zenlogic.customerservice.customer;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * Reads what the audit triggers (V16) recorded about a customer, and the customer capability's part
 * of a data-protection access request. Deleted and erased customers keep their audit, so these read
 * them too; another organization's customer is not found.
 */
public final class CustomerAudit {
  public static final int MAX_PAGE = 200;
  /** Rows of each history in an access request's document (newest first); beyond it, truncated. */
  public static final int RECORD_HISTORY_CAP = 1000;

  private final CustomerService customers;

  public CustomerAudit(CustomerService customers) {
    this.customers = customers;
  }

  public Future<HistoryPage<AuditEntry>> audit(Caller caller, UUID customerId, Long beforeId, int limit) {
    checkLimit(limit);
    return customers.readHeld(caller, customerId, (conn, c) -> AuditRepository.audit(conn, caller.organizationId(), customerId, beforeId, limit))
        .map(rows -> page(rows, limit, AuditEntry::id));
  }

  public Future<HistoryPage<ConsentChange>> consents(Caller caller, UUID customerId, Long beforeId, int limit) {
    checkLimit(limit);
    return customers.readHeld(caller, customerId, (conn, c) -> AuditRepository.consents(conn, caller.organizationId(), customerId, beforeId, limit))
        .map(rows -> page(rows, limit, ConsentChange::id));
  }

  /** Profile, addresses, preferences and both histories, read in one transaction so they agree with each other. */
  public Future<PrivacyRecord> record(Caller caller, UUID customerId) {
    UUID org = caller.organizationId();
    return customers.readHeld(caller, customerId, (conn, c) -> AddressRepository.list(conn, org, customerId)
        .compose(addresses -> PreferencesRepository.find(conn, org, customerId)
            .compose(prefs -> AuditRepository.consents(conn, org, customerId, null, RECORD_HISTORY_CAP)
                .compose(consents -> AuditRepository.audit(conn, org, customerId, null, RECORD_HISTORY_CAP)
                    .map(audit -> new PrivacyRecord(c, addresses, prefs,
                        capped(consents), consents.size() > RECORD_HISTORY_CAP,
                        capped(audit), audit.size() > RECORD_HISTORY_CAP))))));
  }

  private static <T> List<T> capped(List<T> rows) {
    return List.copyOf(rows.size() > RECORD_HISTORY_CAP ? rows.subList(0, RECORD_HISTORY_CAP) : rows);
  }

  private static <T> HistoryPage<T> page(List<T> rows, int limit, java.util.function.ToLongFunction<T> id) {
    boolean more = rows.size() > limit;
    List<T> items = more ? rows.subList(0, limit) : rows;
    return new HistoryPage<>(List.copyOf(items), more ? id.applyAsLong(items.get(items.size() - 1)) : null);
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw DomainException.invalid("limit", "must be 1 to " + MAX_PAGE);
    }
  }
}
