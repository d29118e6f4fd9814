package com.zenlogic.customerservice.webhooks;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.platform.values.Text;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * An organization's webhook subscriptions and their delivery logs. The deliveries themselves are
 * written by the outbox trigger (V18) and sent by {@link WebhookDispatcherVerticle}; here only what
 * an admin does: subscribe, change, unsubscribe, read the log, send a dead-lettered delivery again.
 */
public final class Webhooks {
  public static final int MAX_SECRET = 200;
  public static final int MIN_SECRET = 24;

  private static final String INSERT = """
      INSERT INTO webhook_subscriptions (organization_id, id, url, event_types, secret, description, enabled)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      RETURNING""" + " " + Subscription.COLUMNS;
  // Serializes creations per organization, so the limit holds under concurrent requests.
  private static final String LOCK_ORGANIZATION = "SELECT pg_advisory_xact_lock(hashtextextended('webhooks:' || $1, 0))";
  private static final String COUNT = "SELECT count(*) AS n FROM webhook_subscriptions WHERE organization_id = $1";
  private static final String LIST = "SELECT " + Subscription.COLUMNS
      + " FROM webhook_subscriptions WHERE organization_id = $1 ORDER BY created_at, id";
  private static final String GET = "SELECT " + Subscription.COLUMNS + " FROM webhook_subscriptions WHERE organization_id = $1 AND id = $2";
  private static final String UPDATE = """
      UPDATE webhook_subscriptions SET url = coalesce($3, url), event_types = coalesce($4, event_types),
        secret = coalesce($5, secret), description = CASE WHEN $6 THEN NULL ELSE coalesce($7, description) END,
        enabled = coalesce($8, enabled), updated_at = now()
      WHERE organization_id = $1 AND id = $2
      RETURNING""" + " " + Subscription.COLUMNS;
  private static final String DELETE = "DELETE FROM webhook_subscriptions WHERE organization_id = $1 AND id = $2";
  // Newest first; the cursor is the last id served.
  private static final String DELIVERIES = "SELECT " + Delivery.COLUMNS + """
       FROM webhook_deliveries
      WHERE organization_id = $1 AND subscription_id = $2 AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC LIMIT $5""";
  private static final String DELIVERY_STATUS = """
      SELECT status FROM webhook_deliveries WHERE organization_id = $1 AND subscription_id = $2 AND id = $3 FOR UPDATE""";
  private static final String REDELIVER = """
      UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL
      WHERE organization_id = $1 AND subscription_id = $2 AND id = $3
      RETURNING""" + " " + Delivery.COLUMNS;
  private static final String DISCARD = """
      UPDATE webhook_deliveries SET status = 'discarded', discarded_at = now()
      WHERE organization_id = $1 AND subscription_id = $2 AND id = $3
      RETURNING""" + " " + Delivery.COLUMNS;

  /** A page of the log; next is the id to pass as the cursor, null on the last page. */
  public record DeliveryPage(List<Delivery> items, Long next) {}

  /** A new subscription and its secret, shown this once. */
  public record Created(Subscription subscription, String secret) {}

  private final Db db;
  private final WebhooksConfig config;
  private final WebhookTargets targets;

  public Webhooks(Db db, WebhooksConfig config) {
    this.db = db;
    this.config = config;
    this.targets = new WebhookTargets(config.allowedHosts());
  }

  public Future<Created> create(Caller caller, WebhookSpec spec) {
    String url = targets.check("url", spec.url()).toString();
    String[] types = eventTypes(spec.eventTypes());
    String secret = spec.secret() == null ? Signatures.newSecret() : secret(spec.secret());
    String description = description(spec.description());
    UUID id = Ids.newId();
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> conn.preparedQuery(LOCK_ORGANIZATION).execute(Tuple.of(org.toString()))
        .compose(v -> conn.preparedQuery(COUNT).execute(Tuple.of(org)))
        .compose(rows -> {
          long n = rows.iterator().next().getLong("n");
          if (n >= config.maxPerOrganization()) {
            return Future.failedFuture(ErrorCode.WEBHOOK_LIMIT_REACHED.exception(config.maxPerOrganization()));
          }
          return conn.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
              org, id, url, types, secret, description, spec.enabled() == null || spec.enabled()}));
        })
        .map(rows -> new Created(Subscription.fromRow(rows.iterator().next()), secret)));
  }

  public Future<List<Subscription>> list(Caller caller) {
    return db.withTenant(caller.organizationId(), conn -> conn.preparedQuery(LIST).execute(Tuple.of(caller.organizationId())))
        .map(rows -> {
          List<Subscription> all = new ArrayList<>();
          rows.forEach(r -> all.add(Subscription.fromRow(r)));
          return all;
        });
  }

  public Future<Subscription> get(Caller caller, UUID id) {
    return db.withTenant(caller.organizationId(), conn -> find(conn, caller.organizationId(), id));
  }

  /** Changes what is given; pending deliveries go to the URL current when they are sent. */
  public Future<Subscription> update(Caller caller, UUID id, WebhookSpec change) {
    String url = change.url() == null ? null : targets.check("url", change.url()).toString();
    String[] types = change.eventTypes() == null ? null : eventTypes(change.eventTypes());
    String secret = change.secret() == null ? null : secret(change.secret());
    String description = description(change.description());
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> conn.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {
            org, id, url, types, secret, change.descriptionCleared(), description, change.enabled()}))
        .map(rows -> one(rows, id)));
  }

  /** Unsubscribes; its delivery log goes with it (undelivered events included: nobody is listening any more). */
  public Future<Void> delete(Caller caller, UUID id) {
    return db.withTenant(caller.organizationId(), conn -> conn.preparedQuery(DELETE).execute(Tuple.of(caller.organizationId(), id)))
        .compose(r -> r.rowCount() == 0 ? Future.failedFuture(ErrorCode.WEBHOOK_NOT_FOUND.exception(id)) : Future.succeededFuture());
  }

  public Future<DeliveryPage> deliveries(Caller caller, UUID id, String status, Long beforeId, int limit) {
    if (status != null && !Set.of(Delivery.PENDING, Delivery.DELIVERED, Delivery.DEAD, Delivery.DISCARDED).contains(status)) {
      throw DomainException.invalid("status", "must be one of pending, delivered, dead, discarded");
    }
    if (limit < 1 || limit > 200) {
      throw DomainException.invalid("limit", "must be between 1 and 200");
    }
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> find(conn, org, id)
        .compose(s -> conn.preparedQuery(DELIVERIES).execute(Tuple.of(org, id, status, beforeId, limit + 1))))
        .map(rows -> {
          List<Delivery> items = new ArrayList<>();
          rows.forEach(r -> items.add(Delivery.fromRow(r)));
          Long next = null;
          if (items.size() > limit) {
            items.remove(items.size() - 1);
            next = items.get(items.size() - 1).id();
          }
          return new DeliveryPage(items, next);
        });
  }

  /**
   * Puts a dead-lettered delivery back in its queue with a fresh attempt count. Being the oldest
   * undelivered event of its customer, it goes out before that customer's later events, which waited behind it.
   */
  public Future<Delivery> redeliver(Caller caller, UUID id, long deliveryId) {
    return changeDead(caller, id, deliveryId, REDELIVER);
  }

  /**
   * Gives up on a dead-lettered delivery (a payload the receiver will never take): it stays in the
   * log as discarded and no longer holds that customer's later events, which go out next.
   */
  public Future<Delivery> discard(Caller caller, UUID id, long deliveryId) {
    return changeDead(caller, id, deliveryId, DISCARD);
  }

  private Future<Delivery> changeDead(Caller caller, UUID id, long deliveryId, String change) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> find(conn, org, id)
        .compose(s -> conn.preparedQuery(DELIVERY_STATUS).execute(Tuple.of(org, id, deliveryId)))
        .compose(rows -> {
          if (!rows.iterator().hasNext()) {
            return Future.failedFuture(ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND.exception(deliveryId));
          }
          String status = rows.iterator().next().getString("status");
          if (!Delivery.DEAD.equals(status)) {
            return Future.failedFuture(ErrorCode.WEBHOOK_DELIVERY_NOT_DEAD.exception(deliveryId, status));
          }
          return conn.preparedQuery(change).execute(Tuple.of(org, id, deliveryId));
        })
        .map(rows -> Delivery.fromRow(rows.iterator().next())));
  }

  private static Future<Subscription> find(SqlConnection conn, UUID org, UUID id) {
    return conn.preparedQuery(GET).execute(Tuple.of(org, id)).map(rows -> one(rows, id));
  }

  private static Subscription one(RowSet<Row> rows, UUID id) {
    if (!rows.iterator().hasNext()) {
      throw ErrorCode.WEBHOOK_NOT_FOUND.exception(id);
    }
    return Subscription.fromRow(rows.iterator().next());
  }

  /** Published types only (asyncapi.yaml), each once; "*" is not offered: a subscriber names what it handles. */
  private static String[] eventTypes(List<String> asked) {
    if (asked == null || asked.isEmpty()) {
      throw DomainException.invalid("event_types", "must name at least one event type");
    }
    if (asked.size() > 100) {
      throw DomainException.invalid("event_types", "must name at most 100 event types");
    }
    Set<String> published = EventCatalogue.published();
    Set<String> types = new LinkedHashSet<>();
    for (int i = 0; i < asked.size(); i++) {
      String t = asked.get(i);
      String field = "event_types[" + i + "]";
      Text.checked(field, t);
      if (t == null || !published.contains(t)) {
        throw DomainException.invalid(field, "is not an event type this service publishes (see /asyncapi.yaml)");
      }
      types.add(t);
    }
    return types.toArray(String[]::new);
  }

  private static String secret(String secret) {
    Text.checked("secret", secret);
    if (secret.length() < MIN_SECRET || secret.length() > MAX_SECRET) {
      throw DomainException.invalid("secret", "must be " + MIN_SECRET + " to " + MAX_SECRET + " characters");
    }
    if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw DomainException.invalid("secret", "must be printable ASCII without spaces");
    }
    return secret;
  }

  private static String description(String description) {
    Text.checked("description", description);
    if (description != null && description.length() > 500) {
      throw DomainException.invalid("description", "must be at most 500 characters");
    }
    return description;
  }
}
