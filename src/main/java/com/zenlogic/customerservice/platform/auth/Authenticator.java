package com.zenlogic.customerservice.platform.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Verifies one bearer token, for REST and gRPC alike. Fails with UNAUTHENTICATED when the token
 * is refused and with AUTH_SERVICE_UNAVAILABLE when it could not be verified at all (the Auth
 * Service or its keys are unreachable): the caller's fault against the dependency's.
 */
interface Authenticator {

  /**
   * What a verified token says: claims with a canonical {@code organization_id}, {@code user_id}
   * (or {@code sub}), {@code local_id}, {@code permissions} (strings), as {@link Auth#callerOf} reads
   * them; and until when the answer may be reused without asking again (0: not at all).
   */
  record Verified(JsonObject claims, long reusableUntilMillis) {}

  /** @param deadlineMillis when the caller stops waiting (epoch millis), 0 if it set no deadline */
  Future<Verified> verify(String token, long deadlineMillis);
}
