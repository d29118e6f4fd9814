package com.zenlogic.customerservice.customer;

import java.util.List;

/**
 * What the customer capability holds about one customer, for a data-protection access request: the
 * profile, addresses, preferences, consent history and audit. The histories are capped (newest
 * first); truncated says whether rows were left out.
 */
public record PrivacyRecord(Customer customer, List<Address> addresses, Preferences preferences,
                            List<ConsentChange> consents, boolean consentsTruncated,
                            List<AuditEntry> audit, boolean auditTruncated) {}
