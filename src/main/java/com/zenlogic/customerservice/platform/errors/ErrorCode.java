package com.zenlogic.customerservice.platform.errors;

/**
 * The one catalogue of errors the service can answer with. Each entry fixes its stable code,
 * HTTP status and gRPC status once, so the REST and gRPC edges never decide them again.
 */
public enum ErrorCode {
  VALIDATION_FAILED(400, GrpcCode.INVALID_ARGUMENT, "Invalid request"),
  UNAUTHENTICATED(401, GrpcCode.UNAUTHENTICATED, "Missing, invalid or expired bearer token"),
  PERMISSION_DENIED(403, GrpcCode.PERMISSION_DENIED, "This token lacks the permission for this operation"),
  ROUTE_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No such resource"),
  CUSTOMER_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No customer %s"),
  CUSTOMER_MERGED(404, GrpcCode.NOT_FOUND, "Customer %s was merged into customer %s"),
  ADDRESS_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No address %s"),
  METHOD_NOT_ALLOWED(405, GrpcCode.UNIMPLEMENTED, "Method not allowed"),
  DUPLICATE_CUSTOMER(409, GrpcCode.ALREADY_EXISTS, "Another customer already has this %s"),
  VERSION_MISMATCH(412, GrpcCode.ABORTED, "Customer changed since version %s was read"),
  IDEMPOTENCY_CONFLICT(409, GrpcCode.ALREADY_EXISTS, "%s was already used for a different request"),
  POINTS_INSUFFICIENT(422, GrpcCode.FAILED_PRECONDITION, "Not enough points: %s available, %s asked"),
  CUSTOMER_BLOCKED(422, GrpcCode.FAILED_PRECONDITION, "Customer %s is blocked"),
  HOLD_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No hold %s"),
  HOLD_CLOSED(422, GrpcCode.FAILED_PRECONDITION, "Hold %s is already %s"),
  TRANSACTION_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No points were earned for %s"),
  PUNCH_CARD_PROGRAM_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No punch card program %s"),
  EARNING_RULE_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No earning rule %s"),
  NO_REWARD_AVAILABLE(422, GrpcCode.FAILED_PRECONDITION, "No reward available on punch card %s"),
  TRANSFERS_DISABLED(422, GrpcCode.FAILED_PRECONDITION, "Points transfers are not enabled in this organization's loyalty program"),
  CREDIT_LINE_NOT_FOUND(404, GrpcCode.NOT_FOUND, "Customer %s has no credit line"),
  CREDIT_LINE_EXISTS(409, GrpcCode.ALREADY_EXISTS, "Customer %s already has a credit line"),
  CREDIT_LINE_STATE(422, GrpcCode.FAILED_PRECONDITION, "A %s credit line cannot be %s"),
  ORDER_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No credit was used for order %s"),
  WEBHOOK_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No webhook subscription %s"),
  WEBHOOK_DELIVERY_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No delivery %s in this subscription's log"),
  WEBHOOK_DELIVERY_NOT_DEAD(422, GrpcCode.FAILED_PRECONDITION, "Delivery %s is %s: only a dead-lettered delivery can be redelivered or discarded"),
  WEBHOOK_LIMIT_REACHED(422, GrpcCode.FAILED_PRECONDITION, "This organization already has the maximum of %s webhook subscriptions"),
  IMPORT_NOT_FOUND(404, GrpcCode.NOT_FOUND, "No import %s"),
  UNSUPPORTED_IMPORT_TYPE(415, GrpcCode.INVALID_ARGUMENT, "An import is text/csv or application/x-ndjson in UTF-8, not %s"),
  IMPORT_TOO_LARGE(413, GrpcCode.INVALID_ARGUMENT, "An import upload is at most %s bytes"),
  PAYLOAD_TOO_LARGE(413, GrpcCode.INVALID_ARGUMENT, "Request body too large"),
  URI_TOO_LONG(414, GrpcCode.INVALID_ARGUMENT, "Request line too long: path and query together must be shorter"),
  HEADERS_TOO_LARGE(431, GrpcCode.INVALID_ARGUMENT, "Request headers too large"),
  MALFORMED_REQUEST(400, GrpcCode.INVALID_ARGUMENT, "Malformed HTTP request"),
  UNSUPPORTED_MEDIA_TYPE(415, GrpcCode.INVALID_ARGUMENT, "Content-Type must be application/json"),
  RATE_LIMITED(429, GrpcCode.RESOURCE_EXHAUSTED, "Too many writes for this organization, retry in %s s"),
  SERVICE_UNAVAILABLE(503, GrpcCode.UNAVAILABLE, "A dependency is unavailable, retry later"),
  AUTH_SERVICE_UNAVAILABLE(503, GrpcCode.UNAVAILABLE, "Auth Service unavailable, the token could not be verified: retry later"),
  MERGE_CONFLICT(409, GrpcCode.ALREADY_EXISTS, "Customer %s was already merged into customer %s"),
  MERGE_TARGET_NOT_LIVE(422, GrpcCode.FAILED_PRECONDITION, "Customer %s cannot receive a merge: it is %s"),
  MERGE_CREDIT_CONFLICT(422, GrpcCode.FAILED_PRECONDITION, "Cannot merge: %s"),
  INTERNAL(500, GrpcCode.INTERNAL, "Internal error");

  /** gRPC status names, kept here so this package does not depend on the gRPC library. */
  public enum GrpcCode {
    INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS,
    FAILED_PRECONDITION, ABORTED, UNAVAILABLE, UNIMPLEMENTED, INTERNAL, RESOURCE_EXHAUSTED
  }

  private final int httpStatus;
  private final GrpcCode grpcCode;
  private final String messageFormat;

  ErrorCode(int httpStatus, GrpcCode grpcCode, String messageFormat) {
    this.httpStatus = httpStatus;
    this.grpcCode = grpcCode;
    this.messageFormat = messageFormat;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public GrpcCode grpcCode() {
    return grpcCode;
  }

  public String format(Object... args) {
    return args.length == 0 ? messageFormat : String.format(messageFormat, args);
  }

  public DomainException exception(Object... args) {
    return new DomainException(this, format(args), null);
  }
}
