package com.zenlogic.customerservice.loyalty;

import static com.zenlogic.customerservice.loyalty.Postings.answer;
import static com.zenlogic.customerservice.loyalty.Postings.writeThen;

import com.zenlogic.customerservice.customer.CustomerDirectory;
import com.zenlogic.customerservice.customer.CustomerStatus;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.Transfer;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages.TransferResult;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Moves available points from one customer to another of the same organization (a household, a
 * company and its buyers): a transfer_out row on the sender and a transfer_in row on the receiver,
 * in one transaction, under the keys {@code transfer_out:<id>} / {@code transfer_in:<id>}. The
 * receiver gets the sender's consumed lots (oldest first) with their earn and expiry dates, so
 * transferred points expire when they would have. Transferred points are not qualifying points:
 * the tier counts earn and reverse rows only.
 */
final class PointsTransfers {
  private final PointsLedger ledger;
  private final Postings postings;
  private final Clock clock;

  PointsTransfers(PointsLedger ledger, Postings postings, Clock clock) {
    this.ledger = ledger;
    this.postings = postings;
    this.clock = clock;
  }

  /** Input checks that need no data; the facade calls it before opening the transaction. */
  static void validate(Transfer r) {
    if (r.transferId() == null || r.transferId().isBlank() || r.transferId().length() > 100) {
      throw DomainException.invalid("transfer_id", "is required (at most 100 characters)");
    }
    if (r.fromCustomerId() == null) {
      throw DomainException.invalid("from_customer_id", "is required");
    }
    if (r.toCustomerId() == null) {
      throw DomainException.invalid("to_customer_id", "is required");
    }
    if (r.fromCustomerId().equals(r.toCustomerId())) {
      throw DomainException.invalid("to_customer_id", "must be another customer than from_customer_id");
    }
    if (r.points() < 1) {
      throw DomainException.invalid("points", "must be at least 1");
    }
    if (r.reason() != null && r.reason().length() > 200) {
      throw DomainException.invalid("reason", "at most 200 characters");
    }
  }

  Future<TransferResult> transfer(SqlConnection conn, Transfer r) {
    UUID org = r.caller().organizationId();
    UUID from = r.fromCustomerId();
    UUID to = r.toCustomerId();
    String outKey = "transfer_out:" + r.transferId();
    String inKey = "transfer_in:" + r.transferId();
    String hash = from + "|" + to + "|" + r.points();
    Instant now = clock.instant();
    return CustomerDirectory.require(conn, org, from)
        .compose(fromStatus -> CustomerDirectory.require(conn, org, to)
        .compose(toStatus -> ledger.program(conn, org)
        .compose(program -> lockBoth(conn, org, from, to, program.firstTier(), now)
        .compose(v -> postings.post(LedgerEntry.TRANSFER_OUT, conn, r.caller(), from, program.firstTier(), outKey, now, locked -> {
          if (locked.existing() != null) {
            LedgerEntry out = locked.existing();
            if (!out.requestHash().equals(hash)) {
              throw conflict(r.transferId());
            }
            return answer(ledger.entryByKey(conn, org, inKey).map(in -> result(r.transferId(), out, in, true)));
          }
          if (!program.transfersEnabled()) {
            throw ErrorCode.TRANSFERS_DISABLED.exception();
          }
          if (program.maxTransferPoints() != null && r.points() > program.maxTransferPoints()) {
            throw DomainException.invalid("points", "at most " + program.maxTransferPoints() + " per transfer in this program");
          }
          if (fromStatus == CustomerStatus.BLOCKED) {
            throw ErrorCode.CUSTOMER_BLOCKED.exception(from);
          }
          if (toStatus == CustomerStatus.BLOCKED) {
            throw ErrorCode.CUSTOMER_BLOCKED.exception(to);
          }
          PointsMovements.requireAvailable(locked.account(), r.points());
          List<PointsLedger.LotTake> taken = new ArrayList<>();
          Posting.Builder out = Posting.of(LedgerEntry.TRANSFER_OUT, locked.account(), outKey, now).points(-r.points())
              .reference(r.transferId()).requestHash(hash).reason(r.reason()).actor(r.caller().userId())
              // The sender's lots, oldest first; the receiver's side hands on exactly these.
              .also((c, saved) -> ledger.consume(c, org, from, r.points(), -1, -1).map(takes -> {
                taken.addAll(takes);
                return null;
              }));
          out.event(LoyaltyEvents.POINTS_TRANSFERRED_OUT, new JsonObject().put("transfer_id", r.transferId())
              .put("customer_id", from.toString()).put("to_customer_id", to.toString()).put("points", r.points())
              .put("points_balance", out.balanceAfter()).put("reason", r.reason()));
          return writeThen(out.build(), savedOut -> receive(conn, r, hash, inKey, program.firstTier(), now, savedOut, taken),
              // Another pair of customers' transfer took this id first: never a second effect.
              () -> Future.failedFuture(conflict(r.transferId())));
        })))));
  }

  private Future<TransferResult> receive(SqlConnection conn, Transfer r, String hash, String inKey, String firstTier, Instant now,
                                         LedgerEntry savedOut, List<PointsLedger.LotTake> taken) {
    UUID org = r.caller().organizationId();
    UUID to = r.toCustomerId();
    return postings.post(LedgerEntry.TRANSFER_IN, conn, r.caller(), to, firstTier, null, now, locked -> {
      Posting.Builder in = Posting.of(LedgerEntry.TRANSFER_IN, locked.account(), inKey, now).points(r.points())
          .reference(r.transferId()).requestHash(hash).reason(r.reason()).actor(r.caller().userId())
          .also((c, saved) -> ledger.addTransferredLots(c, org, saved, taken));
      in.event(LoyaltyEvents.POINTS_TRANSFERRED_IN, new JsonObject().put("transfer_id", r.transferId())
          .put("customer_id", to.toString()).put("from_customer_id", r.fromCustomerId().toString()).put("points", r.points())
          .put("points_balance", in.balanceAfter()).put("reason", r.reason()));
      return writeThen(in.build(),
          savedIn -> ledger.recordTransfer(conn, org, r.transferId(), savedOut, savedIn, r.caller().correlationId())
              .map(v -> result(r.transferId(), savedOut, savedIn, false)),
          () -> Future.failedFuture(conflict(r.transferId())));
    });
  }

  /**
   * Both accounts, in PostgreSQL's uuid order (the order the expiry and tier jobs lock accounts in
   * their batches), so two opposite transfers, or a transfer and a batch, never wait on each other
   * in a cycle. Postings.post locks each again later; a row lock already held is granted at once.
   */
  private Future<Void> lockBoth(SqlConnection conn, UUID org, UUID a, UUID b, String firstTier, Instant now) {
    UUID first = pgOrder(a, b) < 0 ? a : b;
    UUID second = first.equals(a) ? b : a;
    return ledger.lockAccount(conn, org, first, firstTier, now)
        .compose(x -> ledger.lockAccount(conn, org, second, firstTier, now)).mapEmpty();
  }

  /** PostgreSQL compares uuids as 16 unsigned bytes; UUID.compareTo compares signed longs. */
  static int pgOrder(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }

  private static TransferResult result(String transferId, LedgerEntry out, LedgerEntry in, boolean replayed) {
    return new TransferResult(transferId, out.customerId(), in.customerId(), in.points(), out.balanceAfter(), in.balanceAfter(),
        replayed);
  }

  private static DomainException conflict(String transferId) {
    return new DomainException(ErrorCode.IDEMPOTENCY_CONFLICT, ErrorCode.IDEMPOTENCY_CONFLICT.format("transfer_id " + transferId),
        "transfer_id");
  }
}
