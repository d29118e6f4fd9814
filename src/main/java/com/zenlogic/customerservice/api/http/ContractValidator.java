package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.InputTrustHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The contract's request validation, with two corrections to Vert.x OpenAPI 5.0.x applied to every operation:
 *
 * <ul>
 *   <li>A parameter declared {@code type: string} is the string that was sent. The library decodes it as
 *       JSON first unless it matches {@code \w+}, so {@code +56941234567}, {@code 12.5}, {@code -1} or
 *       {@code W/"1"} became numbers (refused as "not a string") or could not be decoded at all.</li>
 *   <li>Parameters are URL-decoded once. The library's extractor decodes query values and headers a
 *       second time, which turns a {@code +} into a space and refuses a literal {@code %}.</li>
 * </ul>
 *
 * Every string of the request (parameters, body values and keys at any depth) is also checked for
 * text PostgreSQL cannot store (U+0000, lone surrogates) before any handler runs, naming the field.
 */
final class ContractValidator extends RequestValidatorImpl {
  private final OpenAPIContract contract;

  ContractValidator(Vertx vertx, OpenAPIContract contract) {
    this(vertx, new ValidatorCache.Contract(contract));
  }

  private ContractValidator(Vertx vertx, ValidatorCache.Contract cached) {
    super(vertx, cached);
    this.contract = cached;
  }

  /**
   * The route handler that validates one operation and leaves the result where the library's handler would.
   * PERF: an operation without a request body is validated right here (its parameters: microseconds, once the
   * schema validators are built once, see ValidatorCache); the library's validate hops to a worker thread and
   * back for every request. A body is still validated on a worker (up to the body limit of JSON).
   */
  InputTrustHandler handler(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("No operation " + operationId + " in the contract");
    }
    if (operation.getRequestBody() == null) {
      return ctx -> {
        ValidatedRequest validated;
        try {
          validated = validateParameters(extract(ctx, operation), operation);
        } catch (IllegalArgumentException e) {
          ctx.fail(malformedQuery());
          return;
        } catch (RuntimeException e) {
          ctx.fail(e);
          return;
        }
        ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
        ctx.next();
      };
    }
    return ctx -> extractOrFail(ctx, operation)
        .compose(request -> validate(request, operationId))
        .onSuccess(validated -> {
          ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  /** What the library's validate does for an operation without a body, on the calling thread. */
  private ValidatedRequest validateParameters(ValidatableRequest request, Operation operation) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      switch (p.getIn()) {
        case HEADER -> headers.put(p.getName(), validateParameter(p, request.getHeaders().get(p.getName())));
        case PATH -> path.put(p.getName(), validateParameter(p, request.getPathParameters().get(p.getName())));
        case QUERY -> query.put(p.getName(), validateParameter(p, request.getQuery().get(p.getName())));
        default -> { }
      }
    }
    return new ValidatedRequestImpl(Map.of(), headers, path, query, validateBody(null, request));
  }

  @Override
  public RequestParameter validateParameter(Parameter parameter, RequestParameter value) {
    if (value == null || value.isNull()) {
      return super.validateParameter(parameter, value);
    }
    String raw = String.valueOf(value.get());
    Text.checked(parameter.getName(), raw);
    if (parameter.getSchemaType() != SchemaType.STRING) {
      return super.validateParameter(parameter, value);
    }
    OutputUnit result = contract.getSchemaRepository().validator(parameter.getSchema()).validate(raw);
    try {
      result.checkValidity();
      return new RequestParameterImpl(raw);
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(parameter, result, e);
    }
  }

  @Override
  public RequestParameter validateBody(RequestBody requestBody, ValidatableRequest request) {
    RequestParameter body = request.getBody();
    if (requestBody != null && body != null && !body.isEmpty() && isJson(request.getContentType())) {
      Object parsed;
      try {
        parsed = Json.decodeValue(body.getBuffer(Buffer.buffer()));
      } catch (DecodeException e) {
        // Not JSON: the library's own parse below answers with its syntax error.
        parsed = null;
      }
      if (parsed instanceof String s) {
        Text.checked("body", s);
      } else {
        Text.checkJson("", parsed);
      }
    }
    return super.validateBody(requestBody, request);
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
  }

  private static Future<ValidatableRequest> extractOrFail(RoutingContext ctx, Operation operation) {
    try {
      return Future.succeededFuture(extract(ctx, operation));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(malformedQuery());
    }
  }

  /** A malformed percent-escape ("%zz", a trailing "%") in the query string. */
  private static DomainException malformedQuery() {
    return DomainException.invalid("query", "is not a valid URL-encoded query string");
  }

  /**
   * The parameters as Vert.x Web decoded them (once) and the body the BodyHandler read. Cookies are
   * not part of this contract.
   */
  private static ValidatableRequest extract(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      switch (p.getIn()) {
        case HEADER -> headers.put(p.getName(), new RequestParameterImpl(ctx.request().getHeader(p.getName())));
        case PATH -> path.put(p.getName(), new RequestParameterImpl(ctx.pathParam(p.getName())));
        case QUERY -> query.put(p.getName(), new RequestParameterImpl(ctx.queryParams().get(p.getName())));
        default -> { }
      }
    }
    if (operation.getRequestBody() == null) {
      return new ValidatableRequestImpl(Map.of(), headers, path, query);
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    return new ValidatableRequestImpl(Map.of(), headers, path, query,
        new RequestParameterImpl(body), ctx.request().getHeader("Content-Type"));
  }
}
