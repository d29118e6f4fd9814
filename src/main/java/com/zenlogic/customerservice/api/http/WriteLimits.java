package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.auth.Auth;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.ratelimit.WriteRateLimiter;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * The per-organization write budget on the REST routes: runs after authentication (the
 * organization is the token's) and request validation, before the handler, so a refused write
 * changes nothing. Reads pass untouched. Refused: 429 RATE_LIMITED with Retry-After in whole seconds.
 */
final class WriteLimits {
  private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
  private final WriteRateLimiter limiter;

  WriteLimits(WriteRateLimiter limiter) {
    this.limiter = limiter;
  }

  io.vertx.core.Future<Void> close() {
    return limiter.close();
  }

  boolean applies(HttpMethod method) {
    return limiter.enabled() && WRITES.contains(method);
  }

  Handler<RoutingContext> handler() {
    return ctx -> {
      if (ctx.user() == null) {
        ctx.next();
        return;
      }
      java.util.UUID org;
      try {
        org = Auth.callerOf(ctx.user(), null).organizationId();
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      limiter.acquire(org).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (ar.result().allowed()) {
          ctx.next();
        } else {
          long seconds = ar.result().retryAfterSeconds();
          ctx.response().putHeader("Retry-After", Long.toString(seconds));
          ctx.fail(ErrorCode.RATE_LIMITED.exception(seconds));
        }
      });
    };
  }
}
