package com.zenlogic.customerservice.segmentation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** One purchase in the customer's history; occurredAt is when it happened, not when we heard of it. */
public record Purchase(UUID customerId, String source, String reference, BigDecimal amount, Instant occurredAt, String localId,
                       Integer itemCount) {}
