package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.customer.CustomerDirectory;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Item;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.PunchCard;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.PunchProgram;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Stamp cards, the cafeteria's "buy 10 coffees, get 1 free": each qualifying item of a purchase is a
 * stamp; at the count a reward is issued; rewards are redeemed once per reference.
 */
public final class PunchCards {
  private static final String PROGRAMS = """
      SELECT id, name, product_ids, category, stamps_required, reward, active FROM punch_card_programs
      WHERE organization_id = $1 ORDER BY created_at, id""";

  private static final String INSERT_PROGRAM = """
      INSERT INTO punch_card_programs (organization_id, id, name, product_ids, category, stamps_required, reward, active)
      VALUES ($1, $2, $3, $4, $5, $6, $7, true)""";

  private static final String OPEN_CARD = """
      INSERT INTO punch_cards (organization_id, program_id, customer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING""";

  private static final String LOCK_CARD = """
      SELECT stamps, rewards_available, rewards_issued, rewards_redeemed FROM punch_cards
      WHERE organization_id = $1 AND program_id = $2 AND customer_id = $3 FOR UPDATE""";

  private static final String UPDATE_CARD = """
      UPDATE punch_cards SET stamps = $4, rewards_available = rewards_available + $5, rewards_issued = rewards_issued + $6,
        rewards_redeemed = rewards_redeemed + $7, updated_at = now()
      WHERE organization_id = $1 AND program_id = $2 AND customer_id = $3""";

  private static final String ENTRY = """
      INSERT INTO punch_card_ledger (organization_id, program_id, customer_id, entry_type, quantity, reference)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id""";

  private static final String REWARD_REDEEMED_BY = """
      SELECT customer_id FROM punch_card_ledger
      WHERE organization_id = $1 AND program_id = $2 AND entry_type = 'reward_redeemed' AND reference = $3""";

  private static final String CARDS = """
      SELECT p.id, p.name, p.stamps_required, p.reward, coalesce(c.stamps, 0) AS stamps,
        coalesce(c.rewards_available, 0) AS rewards_available, coalesce(c.rewards_issued, 0) AS rewards_issued,
        coalesce(c.rewards_redeemed, 0) AS rewards_redeemed
      FROM punch_card_programs p
      LEFT JOIN punch_cards c ON c.organization_id = p.organization_id AND c.program_id = p.id AND c.customer_id = $2
      WHERE p.organization_id = $1 AND (p.active OR c.customer_id IS NOT NULL) ORDER BY p.created_at, p.id""";

  Future<List<PunchProgram>> programs(SqlConnection conn, UUID org) {
    return conn.preparedQuery(PROGRAMS).execute(Tuple.of(org)).map(rows -> {
      List<PunchProgram> out = new ArrayList<>();
      rows.forEach(r -> out.add(program(r)));
      return out;
    });
  }

  Future<PunchProgram> create(SqlConnection conn, UUID org, PunchProgram p) {
    if (p.name() == null || p.name().isBlank()) {
      throw DomainException.invalid("name", "is required");
    }
    if (p.productIds().isEmpty() && (p.category() == null || p.category().isBlank())) {
      throw DomainException.invalid("product_ids", "name the qualifying products or a category");
    }
    if (p.stampsRequired() < 2 || p.stampsRequired() > 100) {
      throw DomainException.invalid("stamps_required", "must be 2 to 100");
    }
    if (p.reward() == null || p.reward().isBlank()) {
      throw DomainException.invalid("reward", "is required");
    }
    PunchProgram saved = new PunchProgram(UUID.randomUUID(), p.name(), List.copyOf(p.productIds()), p.category(),
        p.stampsRequired(), p.reward(), true);
    return conn.preparedQuery(INSERT_PROGRAM).execute(Tuple.of(org, saved.id(), saved.name(),
        saved.productIds().toArray(String[]::new), saved.category(), saved.stampsRequired(), saved.reward())).map(saved);
  }

  /** Adds the purchase's stamps to every active program it qualifies for; once per transaction. */
  Future<Void> stamp(SqlConnection conn, Caller caller, UUID customerId, String transactionId, List<Item> items) {
    if (items == null || items.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID org = caller.organizationId();
    return programs(conn, org).compose(programs -> {
      Future<Void> chain = Future.succeededFuture();
      for (PunchProgram p : programs) {
        if (!p.active()) {
          continue;
        }
        int stamps = items.stream().filter(i -> qualifies(p, i)).mapToInt(i -> Math.max(0, i.quantity())).sum();
        if (stamps > 0) {
          chain = chain.compose(v -> addStamps(conn, caller, p, customerId, transactionId, stamps));
        }
      }
      return chain;
    });
  }

  private Future<Void> addStamps(SqlConnection conn, Caller caller, PunchProgram p, UUID customerId, String transactionId, int stamps) {
    UUID org = caller.organizationId();
    return conn.preparedQuery(ENTRY).execute(Tuple.of(org, p.id(), customerId, "stamp", stamps, transactionId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture();
      }
      return lockCard(conn, org, p.id(), customerId).compose(card -> {
        int total = card.getInteger("stamps") + stamps;
        int rewards = total / p.stampsRequired();
        int left = total % p.stampsRequired();
        Future<Void> issued = rewards == 0 ? Future.succeededFuture()
            : conn.preparedQuery(ENTRY).execute(Tuple.of(org, p.id(), customerId, "reward_issued", rewards, transactionId))
                .compose(x -> Outbox.record(conn, caller, LoyaltyEvents.PUNCH_REWARD_ISSUED, customerId, new JsonObject()
                    .put("customer_id", customerId.toString()).put("program_id", p.id().toString()).put("rewards", rewards)
                    .put("reward", p.reward()))).mapEmpty();
        return issued.compose(v -> conn.preparedQuery(UPDATE_CARD).execute(Tuple.of(org, p.id(), customerId, left, rewards, rewards, 0))
            .mapEmpty());
      });
    });
  }

  /**
   * Uses one reward; the same reference twice uses it once. A reference names one sale: used by
   * another customer of the program it is a conflict, not a second reward.
   */
  Future<PunchCard> redeemReward(SqlConnection conn, UUID org, UUID customerId, UUID programId, String reference) {
    if (reference == null || reference.isBlank()) {
      throw DomainException.invalid("reference", "is required");
    }
    return requireCustomer(conn, org, customerId).compose(v -> programs(conn, org)).compose(programs -> {
      PunchProgram p = programs.stream().filter(x -> x.id().equals(programId)).findFirst()
          .orElseThrow(() -> ErrorCode.PUNCH_CARD_PROGRAM_NOT_FOUND.exception(programId));
      return lockCard(conn, org, programId, customerId).compose(card -> conn.preparedQuery(ENTRY)
          .execute(Tuple.of(org, programId, customerId, "reward_redeemed", 1, reference)).compose(rows -> {
            if (rows.size() == 0) {
              return conn.preparedQuery(REWARD_REDEEMED_BY).execute(Tuple.of(org, programId, reference)).map(first -> {
                if (first.size() > 0 && !customerId.equals(first.iterator().next().getUUID(0))) {
                  throw new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT,
                      ErrorCode.IDEMPOTENCY_CONFLICT.format("reference " + reference), "reference");
                }
                return null;
              });
            }
            if (card.getInteger("rewards_available") < 1) {
              throw ErrorCode.NO_REWARD_AVAILABLE.exception(programId);
            }
            return conn.preparedQuery(UPDATE_CARD).execute(Tuple.of(org, programId, customerId, card.getInteger("stamps"), -1, 0, 1))
                .mapEmpty();
          })
          .compose(v -> cards(conn, org, customerId))
          .map(cards -> cards.stream().filter(c -> c.programId().equals(programId)).findFirst().orElseThrow()));
    });
  }

  Future<List<PunchCard>> cards(SqlConnection conn, UUID org, UUID customerId) {
    return requireCustomer(conn, org, customerId).compose(v -> conn.preparedQuery(CARDS).execute(Tuple.of(org, customerId))).map(rows -> {
      List<PunchCard> out = new ArrayList<>();
      rows.forEach(r -> out.add(new PunchCard(r.getUUID("id"), r.getString("name"), r.getInteger("stamps"),
          r.getInteger("stamps_required"), r.getInteger("rewards_available"), r.getInteger("rewards_issued"),
          r.getInteger("rewards_redeemed"), r.getString("reward"))));
      return out;
    });
  }

  /** An unknown customer, or another tenant's (RLS hides it), is not found; the card's foreign key would say 500. */
  private static Future<Void> requireCustomer(SqlConnection conn, UUID org, UUID customerId) {
    return CustomerDirectory.require(conn, org, customerId).mapEmpty();
  }

  private Future<Row> lockCard(SqlConnection conn, UUID org, UUID programId, UUID customerId) {
    return conn.preparedQuery(OPEN_CARD).execute(Tuple.of(org, programId, customerId))
        .compose(v -> conn.preparedQuery(LOCK_CARD).execute(Tuple.of(org, programId, customerId)))
        .map(rows -> rows.iterator().next());
  }

  private static boolean qualifies(PunchProgram p, Item item) {
    return item.productId() != null && p.productIds().contains(item.productId())
        || p.category() != null && p.category().equalsIgnoreCase(item.category());
  }

  private static PunchProgram program(Row r) {
    String[] ids = r.getArrayOfStrings("product_ids");
    return new PunchProgram(r.getUUID("id"), r.getString("name"), ids == null ? List.of() : Arrays.asList(ids),
        r.getString("category"), r.getInteger("stamps_required"), r.getString("reward"), r.getBoolean("active"));
  }
}
