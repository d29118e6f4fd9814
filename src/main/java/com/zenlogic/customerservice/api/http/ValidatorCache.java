package com.zenlogic.customerservice.api.http;

import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * PERF: the contract as the validator sees it, with one schema validator per schema of the contract,
 * built once. Vert.x OpenAPI 5.0.7 asks the schema repository for a new validator for every parameter
 * and body of every request, and each one copies the whole repository's lookup table (every schema of
 * openapi.yaml): profiled at 64 % of the REST API's CPU on GET /api/v1/customers/{id}. A validator
 * holds only final fields and validates with locals, so one instance serves every thread.
 */
final class ValidatorCache {
  // The contract's schemas are a fixed set; a bound keeps a schema built per call (none today) from growing it.
  private static final int MAX_VALIDATORS = 10_000;

  private ValidatorCache() {
  }

  /** A schema by identity: the contract's schema objects are created once and never change. */
  private record Key(JsonSchema schema) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.schema == schema;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(schema);
    }
  }

  static final class Repository implements SchemaRepository {
    private final SchemaRepository delegate;
    private final ConcurrentHashMap<Key, Validator> validators = new ConcurrentHashMap<>();

    Repository(SchemaRepository delegate) {
      this.delegate = delegate;
    }

    @Override
    public Validator validator(JsonSchema schema) {
      Key key = new Key(schema);
      Validator v = validators.get(key);
      if (v != null) {
        return v;
      }
      v = delegate.validator(schema);
      if (validators.size() < MAX_VALIDATORS) {
        validators.putIfAbsent(key, v);
      }
      return v;
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) {
      return delegate.dereference(schema);
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) {
      return delegate.dereference(uri, schema);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      return delegate.preloadMetaSchema(fs);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      return delegate.preloadMetaSchema(fs, draft);
    }

    @Override
    public Validator validator(String ref) {
      return delegate.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return delegate.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return delegate.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return delegate.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return delegate.find(pointer);
    }
  }

  static final class Contract implements OpenAPIContract {
    private final OpenAPIContract delegate;
    private final Repository repository;

    Contract(OpenAPIContract delegate) {
      this.delegate = delegate;
      this.repository = new Repository(delegate.getSchemaRepository());
    }

    @Override
    public SchemaRepository getSchemaRepository() {
      return repository;
    }

    @Override
    public Operation operation(String operationId) {
      return delegate.operation(operationId);
    }

    @Override
    public List<Operation> operations() {
      return delegate.operations();
    }

    @Override
    public List<Path> getPaths() {
      return delegate.getPaths();
    }

    @Override
    public JsonObject getRawContract() {
      return delegate.getRawContract();
    }

    @Override
    public OpenAPIVersion getVersion() {
      return delegate.getVersion();
    }

    @Override
    public List<Server> getServers() {
      return delegate.getServers();
    }

    @Override
    public Path findPath(String path) {
      return delegate.findPath(path);
    }

    @Override
    public Operation findOperation(String path, HttpMethod method) {
      return delegate.findOperation(path, method);
    }

    @Override
    public List<SecurityRequirement> getSecurityRequirements() {
      return delegate.getSecurityRequirements();
    }

    @Override
    public SecurityScheme securityScheme(String name) {
      return delegate.securityScheme(name);
    }
  }
}
