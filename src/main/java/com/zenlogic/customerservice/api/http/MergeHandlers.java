package com.zenlogic.customerservice.api.http;

import com.zenlogic.customerservice.customer.DuplicateCandidates;
import com.zenlogic.customerservice.merge.CustomerMergeService;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/** /api/v1/customers/{id}/duplicates and /merge: HTTP to CustomerMergeService and back. */
final class MergeHandlers {
  static final Permission READ = Permission.CUSTOMERS_READ;
  static final Permission ADMIN = Permission.CUSTOMERS_ADMIN;

  private final CustomerMergeService merges;

  MergeHandlers(CustomerMergeService merges) {
    this.merges = merges;
  }

  void duplicates(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, READ);
    merges.candidates(caller, Requests.pathId(ctx, "id"), Requests.integer(ctx, "limit", 10))
        .onSuccess(list -> Responses.ok(ctx, new JsonObject().put("items", json(list))))
        .onFailure(ctx::fail);
  }

  void merge(RoutingContext ctx) {
    Caller caller = Requests.caller(ctx, ADMIN);
    UUID id = Requests.pathId(ctx, "id");
    JsonObject body = Requests.body(ctx);
    Object into = body.getValue("into");
    if (!(into instanceof String)) {
      throw DomainException.invalid("into", "is required: the survivor's customer id");
    }
    merges.merge(caller, id, Ids.parse("into", (String) into))
        .onSuccess(r -> Responses.ok(ctx, r.result().copy().put("replayed", r.replayed())))
        .onFailure(ctx::fail);
  }

  /** The candidates as the create and duplicates answers show them. */
  static JsonArray json(List<DuplicateCandidates.Candidate> candidates) {
    JsonArray out = new JsonArray();
    for (DuplicateCandidates.Candidate c : candidates) {
      var p = c.customer().profile();
      out.add(new JsonObject().put("id", c.customer().id().toString()).put("name", p.displayName()).put("email", p.email())
          .put("phone", p.phone()).put("document_number", p.documentNumber()).put("loyalty_card", p.loyaltyCard())
          .put("status", p.status().code()).put("score", c.score()).put("reasons", new JsonArray(c.reasons())));
    }
    return out;
  }
}
