package com.zenlogic.customerservice.platform.auth;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * Who is acting in the current handling ("user:<id>", "event:<consumer>", "job:<name>"), kept like
 * the correlation id in the local data of the handling's duplicated Vert.x context. Db.withTenant
 * hands it to the transaction (app.actor), where the audit triggers read it; the event bus carries
 * it to the capability verticles. Set where the caller becomes known: the REST and gRPC edges, a
 * consumer's delivery, a job's run.
 */
public final class Actor {
  /** Event-bus header. */
  public static final String HEADER = "x-actor";
  public static final int MAX_LENGTH = 200;

  private static final Object KEY = new Object() {
    @Override
    public String toString() {
      return "actor";
    }
  };

  private Actor() {}

  /** The current handling's actor, or null (no Vert.x context, or none set). */
  public static String current() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal c && c.isDuplicate() ? (String) c.localContextData().get(KEY) : null;
  }

  /** Sets the actor of the current handling; only a duplicated context (one request's own) takes it. */
  public static void set(String actor) {
    Context context = Vertx.currentContext();
    if (actor != null && context instanceof ContextInternal c && c.isDuplicate()) {
      c.localContextData().put(KEY, actor.length() > MAX_LENGTH ? actor.substring(0, MAX_LENGTH) : actor);
    }
  }

  /** The actor of a caller: its token's user, or what built it (a consumer, a job, the trusted network). */
  public static String of(Caller caller) {
    String user = caller.userId();
    if (user == null) {
      return "user:unknown";
    }
    if (user.startsWith("consumer:")) {
      return "event:" + user.substring("consumer:".length());
    }
    if (user.equals("system") || user.equals("trusted-network")) {
      return user;
    }
    return "user:" + user;
  }
}
