package com.zenlogic.customerservice.credit;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a credit manager may do to a line, with the transitions declared once: the statuses an
 * action may start from, the status it leads to (null: the status stays), and the event it emits.
 * The wire form of an action is its lowercase code ("create", "approve", "change", "suspend", "close").
 */
public enum CreditLineAction {
  CREATE("create", "created", EnumSet.noneOf(CreditLineStatus.class), CreditLineStatus.PENDING, CreditEvents.LINE_CHANGED),
  APPROVE("approve", "approved", EnumSet.of(CreditLineStatus.PENDING, CreditLineStatus.SUSPENDED), CreditLineStatus.APPROVED,
      CreditEvents.APPROVED),
  CHANGE("change", "changed", EnumSet.allOf(CreditLineStatus.class), null, CreditEvents.LINE_CHANGED),
  SUSPEND("suspend", "suspended", EnumSet.of(CreditLineStatus.APPROVED), CreditLineStatus.SUSPENDED, CreditEvents.SUSPENDED),
  CLOSE("close", "closed", EnumSet.of(CreditLineStatus.PENDING, CreditLineStatus.APPROVED, CreditLineStatus.SUSPENDED),
      CreditLineStatus.CLOSED, CreditEvents.CLOSED);

  private final String code;
  private final String pastTense;
  private final Set<CreditLineStatus> from;
  private final CreditLineStatus to;
  private final String event;

  CreditLineAction(String code, String pastTense, Set<CreditLineStatus> from, CreditLineStatus to, String event) {
    this.code = code;
    this.pastTense = pastTense;
    this.from = from;
    this.to = to;
    this.event = event;
  }

  public String code() {
    return code;
  }

  /** The event type this action emits on the outbox. */
  public String event() {
    return event;
  }

  /** The status after this action from {@code current}, or CREDIT_LINE_STATE when the move is not allowed. */
  public CreditLineStatus next(CreditLineStatus current) {
    if (!from.contains(current)) {
      throw new DomainException(ErrorCode.CREDIT_LINE_STATE, ErrorCode.CREDIT_LINE_STATE.format(current.code(), pastTense), "status");
    }
    return to == null ? current : to;
  }

  /** The action a request names; anything else is INVALID_ARGUMENT on "action". */
  public static CreditLineAction of(String code) {
    for (CreditLineAction a : values()) {
      if (a.code.equals(code)) {
        return a;
      }
    }
    throw DomainException.invalid("action", "must be create, approve, change, suspend or close");
  }
}
