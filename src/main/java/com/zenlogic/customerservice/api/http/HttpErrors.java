package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an HTTP answer: {error: {code, message, field?}}.
 * Unknown failures are logged with the correlation id and answered without internals.
 */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  private static final Pattern PROPERTY = Pattern.compile("propert(?:y|ies) \\[?\"([^\"]+)\"");
  private static final Pattern PARAMETER = Pattern.compile("(?:query|path|header|cookie) parameter (\\S+)");

  private HttpErrors() {}

  static void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    // The OpenAPI router reports validation as HttpException(400) with the validator's exception as cause.
    if (failure instanceof io.vertx.ext.web.handler.HttpException http && http.getCause() instanceof ValidatorException) {
      failure = http.getCause();
    }
    if (failure instanceof DomainException e) {
      send(ctx, e.code(), e.getMessage(), e.field());
    } else if (failure instanceof ValidatorException e) {
      validation(ctx, e);
    } else if (failure instanceof com.zenlogic.customerservice.platform.errors.Unavailable e) {
      send(ctx, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE.format(), null);
    } else if (failure == null || ctx.statusCode() != 500 && ctx.statusCode() > 0) {
      byStatus(ctx, ctx.statusCode());
    } else if (com.zenlogic.customerservice.platform.errors.Unavailable.isDependencyFailure(failure)) {
      LOG.warn("Dependency unavailable on {} {} [{}]: {}", ctx.request().method(), ctx.request().path(),
          ctx.get(Requests.CORRELATION_ID), failure.toString());
      send(ctx, ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE.format(), null);
    } else {
      LOG.error("Unhandled failure on {} {} [{}]", ctx.request().method(), ctx.request().path(),
          ctx.get(Requests.CORRELATION_ID), failure);
      send(ctx, ErrorCode.INTERNAL, ErrorCode.INTERNAL.format(), null);
    }
  }

  static void byStatus(RoutingContext ctx, int status) {
    ErrorCode code = switch (status) {
      case 400 -> ErrorCode.VALIDATION_FAILED;
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.PERMISSION_DENIED;
      case 404 -> ErrorCode.ROUTE_NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> ErrorCode.SERVICE_UNAVAILABLE;
      default -> ErrorCode.INTERNAL;
    };
    send(ctx, code, code.format(), null);
  }

  private static void validation(RoutingContext ctx, ValidatorException e) {
    String field = null;
    String reason = e.getMessage();
    if (e instanceof SchemaValidationException s && s.getOutputUnit() != null) {
      OutputUnit deepest = deepest(s.getOutputUnit());
      String location = pointer(deepest.getInstanceLocation());
      if (!location.isEmpty()) {
        // "items/2/quantity" reads "items[2].quantity", as the text and domain checks name it.
        field = location.replaceAll("/([0-9]+)(?=/|$)", "[$1]").replace('/', '.');
      }
      if (deepest.getError() != null) {
        reason = deepest.getError();
        // "required property" / "unevaluated property" errors name the field in the text, not the location.
        Matcher property = PROPERTY.matcher(reason);
        if (property.find()) {
          field = field == null ? property.group(1) : field + "." + property.group(1);
        }
      }
    }
    Matcher m = PARAMETER.matcher(e.getMessage() == null ? "" : e.getMessage());
    if (m.find()) {
      field = m.group(1).replaceAll("[.,:]$", "");
    }
    String message = field == null ? reason : field + ": " + reason;
    send(ctx, ErrorCode.VALIDATION_FAILED, message, field);
  }

  /**
   * The most specific error: JSON Schema nests the failing keyword under allOf/properties wrappers
   * whose messages only say "does not match schema". Deepest instance location wins, then a leaf, then the last.
   */
  private static OutputUnit deepest(OutputUnit unit) {
    java.util.List<OutputUnit> all = new java.util.ArrayList<>();
    flatten(unit, all);
    OutputUnit best = unit;
    for (OutputUnit candidate : all) {
      if (candidate.getError() != null && rank(candidate) >= rank(best)) {
        best = candidate;
      }
    }
    return best;
  }

  private static void flatten(OutputUnit unit, java.util.List<OutputUnit> out) {
    out.add(unit);
    if (unit.getErrors() != null) {
      unit.getErrors().forEach(child -> flatten(child, out));
    }
  }

  private static int rank(OutputUnit unit) {
    String loc = pointer(unit.getInstanceLocation());
    int depth = loc.isEmpty() ? 0 : loc.split("/").length;
    boolean leaf = unit.getErrors() == null || unit.getErrors().isEmpty();
    // At the same instance location, "properties" and "additionalProperties" wrappers only say the
    // property "does not match"; the keyword under them (minLength, maximum...) says why.
    String keyword = unit.getKeywordLocation() == null ? "" : unit.getKeywordLocation();
    boolean wrapper = unit.getError() != null && unit.getError().contains("does not match");
    return depth * 1000 + (wrapper ? 0 : 500) + keyword.split("/").length * 2 + (leaf ? 1 : 0);
  }

  /** "#/address/city" becomes "address/city". */
  private static String pointer(String location) {
    if (location == null) {
      return "";
    }
    String p = location.startsWith("#") ? location.substring(1) : location;
    return p.startsWith("/") ? p.substring(1) : p;
  }

  static void send(RoutingContext ctx, ErrorCode code, String message, String field) {
    JsonObject error = new JsonObject().put("code", code.name()).put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    ctx.response().setStatusCode(code.httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).toBuffer());
  }
}
