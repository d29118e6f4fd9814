package com.zenlogic.customerservice.customer;

import java.math.BigDecimal;

/**
 * What the POS and Order Service need at checkout: the customer, the summary of their points and of
 * their approved credit line (credit fields are null without one).
 */
public record CheckoutView(Customer customer, long pointsBalance, long pointsHeld, long lifetimePoints, String loyaltyTier,
                           BigDecimal creditLimit, BigDecimal creditAvailable, BigDecimal creditOutstanding, Integer termsDays,
                           String currency, long pointsPending) {
  public CheckoutView(Customer customer, long pointsBalance, long pointsHeld, long lifetimePoints, String loyaltyTier,
                      BigDecimal creditLimit, BigDecimal creditAvailable, BigDecimal creditOutstanding, Integer termsDays, String currency) {
    this(customer, pointsBalance, pointsHeld, lifetimePoints, loyaltyTier, creditLimit, creditAvailable, creditOutstanding, termsDays,
        currency, 0);
  }
}
