package com.zenlogic.customerservice.imports;

/** Event types this capability publishes on customer_events (routing key = type). */
public final class ImportEvents {
  /** One per import when it ends (done or failed), with its counts: instead of an event per row. */
  public static final String COMPLETED = "customer.import.completed";

  private ImportEvents() {}
}
