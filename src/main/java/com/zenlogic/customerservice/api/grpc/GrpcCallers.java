package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.auth.Actor;
import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.tracing.Correlation;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling over gRPC: the bearer token in the metadata, as for REST. With
 * GRPC_TRUST_NETWORK a call without a token is trusted for the organization it names.
 *
 * <p>Verified tokens are remembered by Auth (for REST and gRPC alike), not here.
 */
final class GrpcCallers {
  /** What a trusted internal caller without a token may do. */
  static final Set<String> TRUSTED_PERMISSIONS = Set.of(Permission.CUSTOMERS_READ.wire(), Permission.CUSTOMERS_WRITE.wire(),
      Permission.LOYALTY_READ.wire(), Permission.LOYALTY_WRITE.wire(), Permission.CREDIT_READ.wire(), Permission.CREDIT_WRITE.wire(),
      Permission.SEGMENTS_READ.wire());

  private final Auth auth;
  private final boolean trustNetwork;

  GrpcCallers(Auth auth, boolean trustNetwork) {
    this.auth = auth;
    this.trustNetwork = trustNetwork;
  }

  /**
   * Step one, from the metadata alone and before the message is even parsed: the token's caller,
   * or null for a call without a token on a trusted network. No token otherwise: UNAUTHENTICATED.
   * {@code timeoutMillis} is the call's deadline (0: none): calls to the Auth Service stay inside it.
   */
  Future<Caller> authenticate(MultiMap headers, long timeoutMillis) {
    String authorization = headers.get("authorization");
    if (authorization == null) {
      return trustNetwork ? Future.succeededFuture(null) : Future.failedFuture(ErrorCode.UNAUTHENTICATED.exception());
    }
    return auth.authenticateUser(authorization, timeoutMillis).map(user -> Auth.callerOf(user, null));
  }

  /**
   * Step two, once the message is parsed: the caller for a request naming {@code requestOrg} (may
   * be empty), holding {@code permission}. A token's organization wins; a request naming another one is refused.
   */
  Caller authorize(Caller tokenCaller, MultiMap headers, String requestOrg, Permission permission) {
    String correlationId = correlation(headers);
    if (tokenCaller == null) {
      return trusted(requestOrg, correlationId, permission);
    }
    if (!requestOrg.isEmpty() && !requestOrg.equalsIgnoreCase(tokenCaller.organizationId().toString())) {
      throw new DomainException(ErrorCode.PERMISSION_DENIED, "organization_id differs from the token's organization", "organization_id");
    }
    tokenCaller.require(permission);
    Caller caller = new Caller(tokenCaller.organizationId(), tokenCaller.userId(), tokenCaller.localId(), tokenCaller.permissions(), correlationId);
    Actor.set(Actor.of(caller));
    return caller;
  }

  private Caller trusted(String requestOrg, String correlationId, Permission permission) {
    if (!trustNetwork) {
      throw ErrorCode.UNAUTHENTICATED.exception();
    }
    if (requestOrg.isEmpty()) {
      throw DomainException.invalid("organization_id", "is required without a bearer token");
    }
    UUID org = Ids.parse("organization_id", requestOrg);
    Caller c = new Caller(org, "trusted-network", null, TRUSTED_PERMISSIONS, correlationId);
    c.require(permission);
    Actor.set(Actor.of(c));
    return c;
  }

  /** The call's correlation id: set once when the call arrives (GrpcApiVerticle), else from the metadata, else new. */
  static String correlation(MultiMap headers) {
    String current = Correlation.current();
    if (current != null) {
      return current;
    }
    String id = headers.get(Correlation.HEADER);
    if (id == null || id.isBlank() || id.length() > 100) {
      id = headers.get("x-request-id");
    }
    return id == null || id.isBlank() || id.length() > 100 ? Ids.newId().toString() : id;
  }
}
