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
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
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
    super(vertx, contract);
    this.contract = contract;
  }

  /** The route handler that validates one operation and leaves the result where the library's handler would. */
  InputTrustHandler handler(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      throw new IllegalArgumentException("No operation " + operationId + " in the contract");
    }
    return ctx -> extractOrFail(ctx, operation)
        .compose(request -> validate(request, operationId))
        .onSuccess(validated -> {
          ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
          ctx.next();
        })
        .onFailure(ctx::fail);
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
      return extract(ctx, operation);
    } catch (IllegalArgumentException e) {
      // A malformed percent-escape ("%zz", a trailing "%") in the query string.
      return Future.failedFuture(DomainException.invalid("query", "is not a valid URL-encoded query string"));
    }
  }

  /**
   * The parameters as Vert.x Web decoded them (once) and the body the BodyHandler read. Cookies are
   * not part of this contract.
   */
  private static Future<ValidatableRequest> extract(RoutingContext ctx, Operation operation) {
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
      return Future.succeededFuture(new ValidatableRequestImpl(Map.of(), headers, path, query));
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    return Future.succeededFuture(new ValidatableRequestImpl(Map.of(), headers, path, query,
        new RequestParameterImpl(body), ctx.request().getHeader("Content-Type")));
  }
}
