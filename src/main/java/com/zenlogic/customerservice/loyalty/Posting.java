package com.zenlogic.customerservice.loyalty;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One movement of a customer's points as Postings.post writes it: the ledger row (under its
 * idempotency key), what it does to the lots, the account's new figures and the events it publishes.
 * Built from the locked account, so the balance after is always that account's balance plus the points.
 */
record Posting(
    String idempotencyKey,
    LedgerEntry entry,
    long lifetimeDelta,
    Instant tierSince,
    Instant belowTierSince,
    Lots lots,
    List<Effect> effects,
    List<Event> events,
    long pendingDelta) {

  /** What the posting does to the customer's lots (the points' earn dates, for expiry). */
  sealed interface Lots {}

  /** Nothing: a hold or a release moves held points only. */
  record NoLots() implements Lots {}

  /**
   * The posting is an earn (or a positive adjustment, a refund): a new lot, expiring at expiresAt
   * (null: never), pending until pendingUntil (null: spendable at once).
   */
  record AddLot(Instant expiresAt, Instant pendingUntil) implements Lots {
    AddLot(Instant expiresAt) {
      this(expiresAt, null);
    }
  }

  /**
   * Takes points from the lots, oldest first: the lots of ledger row preferredLot first, then lot
   * preferredLotId (-1: none; expiry names the one lot that is due).
   */
  record Consume(long points, long preferredLot, long preferredLotId) implements Lots {
    Consume(long points, long preferredLot) {
      this(points, preferredLot, -1);
    }
  }

  /** Another row this posting writes in the same transaction (the hold it opens or closes). */
  interface Effect {
    Future<Void> apply(SqlConnection conn, LedgerEntry saved);
  }

  record Event(String type, JsonObject data) {}

  static Builder of(String type, LoyaltyAccount account, String idempotencyKey, Instant now) {
    return new Builder(type, account, idempotencyKey, now);
  }

  long heldDelta() {
    return entry.heldDelta();
  }

  UUID customerId() {
    return entry.customerId();
  }

  static final class Builder {
    private final String type;
    private final LoyaltyAccount account;
    private final String key;
    private final Instant now;
    private long points;
    private long held;
    private long pending;
    private long lifetime;
    private BigDecimal amount;
    private String reference;
    private String hash;
    private String channel;
    private String reason;
    private String actor;
    private long shortfall;
    private String tier;
    private boolean upgraded;
    private Instant tierSince;
    private Instant belowTierSince;
    private Lots lots = new NoLots();
    private final List<Effect> effects = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    private Builder(String type, LoyaltyAccount account, String key, Instant now) {
      this.type = type;
      this.account = account;
      this.key = key;
      this.now = now;
      this.tier = account.tier();
      this.tierSince = account.tierSince();
      this.belowTierSince = account.belowTierSince();
    }

    /** The change to the balance (negative for redemptions, reversals, expiry). */
    Builder points(long points) {
      this.points = points;
      return this;
    }

    /** The change to the held points (a hold reserves, a capture or release gives back). */
    Builder held(long held) {
      this.held = held;
      return this;
    }

    /** The change to the pending points (an earn in the return window adds, a return or the release takes). */
    Builder pending(long pending) {
      this.pending = pending;
      return this;
    }

    /** Earned points also count towards the lifetime total. */
    Builder lifetime(long lifetime) {
      this.lifetime = lifetime;
      return this;
    }

    Builder amount(BigDecimal amount) {
      this.amount = amount;
      return this;
    }

    Builder reference(String reference) {
      this.reference = reference;
      return this;
    }

    /** What the idempotency key is bound to (customer and body): a retry must carry the same. */
    Builder requestHash(String hash) {
      this.hash = hash;
      return this;
    }

    Builder channel(String channel) {
      this.channel = channel;
      return this;
    }

    Builder reason(String reason) {
      this.reason = reason;
      return this;
    }

    Builder actor(String actor) {
      this.actor = actor;
      return this;
    }

    Builder shortfall(long shortfall) {
      this.shortfall = shortfall;
      return this;
    }

    /** The tier after this posting; an upgrade starts the tier now and clears the below-threshold mark. */
    Builder tier(String tier, boolean upgraded, Instant tierSince, Instant belowTierSince) {
      this.tier = tier;
      this.upgraded = upgraded;
      this.tierSince = tierSince;
      this.belowTierSince = belowTierSince;
      return this;
    }

    Builder addLot(Instant expiresAt) {
      this.lots = new AddLot(expiresAt);
      return this;
    }

    Builder addPendingLot(Instant expiresAt, Instant pendingUntil) {
      this.lots = new AddLot(expiresAt, pendingUntil);
      return this;
    }

    Builder consume(long points, long preferredLot) {
      this.lots = new Consume(points, preferredLot);
      return this;
    }

    /** Consumes points, lot {@code lotId} (of ledger row {@code ledgerId}) first. */
    Builder consumeLot(long points, long ledgerId, long lotId) {
      this.lots = new Consume(points, ledgerId, lotId);
      return this;
    }

    Builder also(Effect effect) {
      effects.add(effect);
      return this;
    }

    Builder event(String type, JsonObject data) {
      events.add(new Event(type, data));
      return this;
    }

    /** The balance after this posting: the locked account's balance plus the points. */
    long balanceAfter() {
      return account.balance() + points;
    }

    Posting build() {
      if (hash == null || actor == null) {
        throw new IllegalStateException("a posting names its request hash and its actor");
      }
      LedgerEntry entry = new LedgerEntry(0, account.customerId(), type, points, held, balanceAfter(), amount, reference, hash,
          channel, reason, actor, shortfall, tier, upgraded, now);
      return new Posting(key, entry, lifetime, tierSince, belowTierSince, lots, List.copyOf(effects), List.copyOf(events), pending);
    }
  }
}
