package com.zenlogic.customerservice.segmentation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Running statistics of a customer's purchases and their current score. */
public record CustomerStats(UUID customerId, int purchaseCount, BigDecimal totalSpent, Instant firstPurchaseAt,
                            Instant lastPurchaseAt, int posCount, int orderCount, Score score) {}
