package com.zenlogic.customerservice.merge;

import com.zenlogic.customerservice.credit.CreditMerges;
import com.zenlogic.customerservice.customer.Customer;
import com.zenlogic.customerservice.customer.CustomerChangeListener;
import com.zenlogic.customerservice.customer.CustomerEvents;
import com.zenlogic.customerservice.customer.CustomerMerges;
import com.zenlogic.customerservice.customer.CustomerRepository;
import com.zenlogic.customerservice.customer.CustomerStatus;
import com.zenlogic.customerservice.customer.DuplicateCandidates;
import com.zenlogic.customerservice.loyalty.AccountMerges;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.segmentation.PurchaseMerges;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Merges a duplicate customer into its survivor in one tenant transaction: the customer rows
 * (locked first, in id order), then each capability's share on the same connection in a fixed
 * order (loyalty: holds, accounts, lots, punch cards; credit: lines, charges; segmentation:
 * purchases, statistics; the customer's addresses and preferences), the merge's record and the
 * customer.merged event. Merging a merged customer again into the same survivor replays the
 * recorded answer.
 */
public final class CustomerMergeService {
  /** What a merge answered; {@code replayed}: it had been done already and nothing changed now. */
  public record MergeResult(JsonObject result, boolean replayed) {}

  private final Db db;
  private final CustomerChangeListener listener;
  private final Clock clock;
  private final AccountMerges points = new AccountMerges();
  private final CustomerRepository customers = new CustomerRepository();

  public CustomerMergeService(Db db, CustomerChangeListener listener, Clock clock) {
    this.db = db;
    this.listener = listener;
    this.clock = clock;
  }

  public Future<MergeResult> merge(Caller caller, UUID mergedId, UUID survivorId) {
    if (mergedId.equals(survivorId)) {
      throw DomainException.invalid("into", "must be another customer than the one merged");
    }
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> CustomerMerges.lockBoth(conn, org, mergedId, survivorId)
            .compose(both -> decide(conn, caller, both, mergedId, survivorId)))
        .compose(answer -> answer.replayed() ? Future.succeededFuture(answer)
            : listener.customerChanged(org, mergedId).compose(v -> listener.customerChanged(org, survivorId)).map(answer));
  }

  /** Candidates for the on-demand check: the customer must be live. */
  public Future<List<DuplicateCandidates.Candidate>> candidates(Caller caller, UUID id, int limit) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> customers.find(conn, org, id).compose(c -> {
      if (c == null || c.deleted()) {
        throw c != null && c.merged() ? ErrorCode.CUSTOMER_MERGED.exception(id, c.mergedInto()) : ErrorCode.CUSTOMER_NOT_FOUND.exception(id);
      }
      return DuplicateCandidates.of(conn, org, id, limit);
    }));
  }

  private Future<MergeResult> decide(SqlConnection conn, Caller caller, Map<UUID, Customer> both, UUID mergedId, UUID survivorId) {
    UUID org = caller.organizationId();
    Customer merged = both.get(mergedId);
    Customer survivor = both.get(survivorId);
    if (merged == null) {
      throw ErrorCode.CUSTOMER_NOT_FOUND.exception(mergedId);
    }
    if (merged.merged()) {
      return CustomerMerges.recorded(conn, org, mergedId).map(recorded -> {
        if (recorded != null && recorded.survivorId().equals(survivorId)) {
          return new MergeResult(recorded.result(), true);
        }
        throw new DomainException(ErrorCode.MERGE_CONFLICT,
            ErrorCode.MERGE_CONFLICT.format(mergedId, recorded == null ? merged.mergedInto() : recorded.survivorId()), "into");
      });
    }
    if (merged.deleted()) {
      throw ErrorCode.CUSTOMER_NOT_FOUND.exception(mergedId);
    }
    if (survivor == null) {
      throw new DomainException(ErrorCode.CUSTOMER_NOT_FOUND, ErrorCode.CUSTOMER_NOT_FOUND.format(survivorId), "into");
    }
    if (survivor.deleted()) {
      String state = survivor.merged() ? "merged into customer " + survivor.mergedInto() : CustomerStatus.DELETED.code();
      throw new DomainException(ErrorCode.MERGE_TARGET_NOT_LIVE, ErrorCode.MERGE_TARGET_NOT_LIVE.format(survivorId, state), "into");
    }
    // Microseconds, as PostgreSQL stores it: the answer and its replay show the same time.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    String actor = caller.userId() == null ? "unknown" : caller.userId();
    JsonObject result = new JsonObject().put("merged_id", mergedId.toString()).put("survivor_id", survivorId.toString())
        .put("merged_at", now.toString()).put("actor", actor);
    return points.move(conn, org, mergedId, survivorId, actor, now)
        .compose(moved -> {
          result.put("points_moved", new JsonObject().put("balance", moved.balance()).put("available", moved.available())
                  .put("held", moved.held()).put("pending", moved.pending()).put("lots", moved.lots())
                  .put("open_holds", moved.openHolds()).put("lifetime", moved.lifetime()))
              .put("tier_after", moved.tierAfter()).put("punch_card_stamps_moved", moved.stamps());
          return CreditMerges.move(conn, org, mergedId, survivorId, actor);
        })
        .compose(credit -> {
          result.put("credit_moved", new JsonObject().put("line", credit.line()).put("outstanding", credit.outstanding().toPlainString())
              .put("credit_balance", credit.creditBalance().toPlainString()).put("charges", credit.charges()));
          return PurchaseMerges.move(conn, org, mergedId, survivorId);
        })
        .compose(purchases -> {
          result.put("purchases_moved", purchases);
          return CustomerMerges.moveAddresses(conn, org, mergedId, survivorId);
        })
        .compose(addresses -> {
          result.put("addresses_moved", addresses);
          return CustomerMerges.mergePreferences(conn, org, mergedId, survivorId);
        })
        .compose(preferences -> {
          result.put("preferences_moved", preferences);
          return CustomerMerges.markMerged(conn, org, mergedId, survivorId, now);
        })
        .compose(v -> CustomerMerges.record(conn, org, mergedId, survivorId, actor, caller.correlationId(), result, now))
        // The audit needs no call here: V16's triggers record both customer rows and every moved address and preferences in this transaction.
        .compose(v -> Outbox.record(conn, caller, CustomerEvents.MERGED, mergedId, result.copy()))
        .map(v -> new MergeResult(result, false));
  }
}
