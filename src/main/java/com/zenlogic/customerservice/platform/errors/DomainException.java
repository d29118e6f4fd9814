package com.zenlogic.customerservice.platform.errors;

/** The only exception the domain throws to callers: a catalogued code, a readable message, the field at fault. */
public final class DomainException extends RuntimeException {
  private final ErrorCode code;
  private final String field;

  public DomainException(ErrorCode code, String message, String field) {
    super(message, null, false, false);
    this.code = code;
    this.field = field;
  }

  public static DomainException invalid(String field, String reason) {
    return new DomainException(ErrorCode.VALIDATION_FAILED, field + ": " + reason, field);
  }

  public ErrorCode code() {
    return code;
  }

  /** The request field the error is about, or null. */
  public String field() {
    return field;
  }
}
