package com.zenlogic.customerservice.customer;

/** What the POS needs at checkout: the customer and the summary of their points. */
public record CheckoutView(Customer customer, long pointsBalance, long pointsHeld, long lifetimePoints, String loyaltyTier) {}
