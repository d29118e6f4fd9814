package com.zenlogic.customerservice.customer;

/** Event types this capability publishes on customer_events (routing key = type). */
public final class CustomerEvents {
  public static final String CREATED = "customer.created";
  public static final String UPDATED = "customer.updated";
  public static final String DELETED = "customer.deleted";
  public static final String ERASED = "customer.erased";
  /** A duplicate was merged into its survivor (merge/CustomerMergeService). */
  public static final String MERGED = "customer.merged";

  private CustomerEvents() {}
}
