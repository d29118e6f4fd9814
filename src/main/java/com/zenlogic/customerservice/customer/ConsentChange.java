package com.zenlogic.customerservice.customer;

import java.time.Instant;

/** One grant or withdrawal of a channel's marketing consent (customer_consent_history). */
public record ConsentChange(long id, String channel, boolean granted, Instant occurredAt, String actor, String correlationId) {}
