package com.zenlogic.customerservice.platform.auth;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.function.Function;

/**
 * Verification with this service's own keys. The vertx-auth provider casts claims without
 * checking their JSON type (a string {@code exp} or a numeric {@code aud} throws instead of
 * failing), accepts a token without {@code exp} forever and leaves the claims this service reads
 * unchecked; so every claim's type and bounds are checked first (Auth.claimProblem), and any
 * failure of the provider at all is UNAUTHENTICATED.
 */
final class LocalAuthenticator implements Authenticator {
  private final Function<String, Future<JWTAuth>> verifierForKid;
  private final int maxLifetimeSeconds;

  /**
   * @param verifierForKid the provider for a token's {@code kid} (null when the header has none):
   *                       one fixed key, or the JWKS key of that id
   */
  LocalAuthenticator(Function<String, Future<JWTAuth>> verifierForKid, int maxLifetimeSeconds) {
    this.verifierForKid = verifierForKid;
    this.maxLifetimeSeconds = maxLifetimeSeconds;
  }

  @Override
  public Future<Verified> verify(String token, long deadlineMillis) {
    try {
      JsonObject claims = Auth.unverifiedClaims(token);
      if (claims == null || Auth.claimProblem(claims, System.currentTimeMillis() / 1000, maxLifetimeSeconds) != null) {
        return refused();
      }
      JsonObject header = Auth.unverifiedHeader(token);
      if (header == null) {
        return refused();
      }
      String kid = header.getValue("kid") instanceof String s ? s : null;
      return verifierForKid.apply(kid)
          .compose(verifier -> verifier.authenticate(new TokenCredentials(token)).recover(e -> refused()))
          .map(user -> new Verified(claims, Auth.expiryMillis(claims.getValue("exp"))));
    } catch (RuntimeException e) {
      return refused();
    }
  }

  static <T> Future<T> refused() {
    return Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception());
  }

  static <T> Future<T> unavailable(String why) {
    return Future.failedFuture(new DomainException(ErrorCode.AUTH_SERVICE_UNAVAILABLE,
        ErrorCode.AUTH_SERVICE_UNAVAILABLE.format() + " (" + why + ")", null));
  }
}
