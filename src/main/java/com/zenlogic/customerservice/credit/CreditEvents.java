package com.zenlogic.customerservice.credit;

/** Event types this capability publishes on customer_events (routing key = type). */
public final class CreditEvents {
  public static final String APPROVED = "credit.approved";
  public static final String USED = "credit.used";
  public static final String LIMIT_EXCEEDED = "credit.limit.exceeded";
  public static final String RELEASED = "credit.released";
  public static final String PAYMENT_RECORDED = "credit.payment.recorded";
  public static final String LINE_CHANGED = "credit.line.changed";
  public static final String SUSPENDED = "credit.suspended";
  public static final String CLOSED = "credit.closed";

  private CreditEvents() {}
}
