package com.zenlogic.customerservice.imports;

import com.zenlogic.customerservice.customer.Customer;
import com.zenlogic.customerservice.customer.CustomerBatch;
import com.zenlogic.customerservice.customer.CustomerEvents;
import com.zenlogic.customerservice.customer.CustomerFields;
import com.zenlogic.customerservice.customer.CustomerJson;
import com.zenlogic.customerservice.customer.CustomerProfile;
import com.zenlogic.customerservice.customer.CustomerRules;
import com.zenlogic.customerservice.customer.CustomerType;
import com.zenlogic.customerservice.customer.NaturalKeys;
import com.zenlogic.customerservice.loyalty.OpeningBalances;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.cache.CustomerCache;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.jobs.JobLease;
import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One import being run by this node, batch after batch: read and check rows on a worker thread,
 * then one tenant transaction per batch that locks the customers the batch names, writes them with
 * set-based SQL, posts their opening points, stores the rejected rows and moves the progress, all
 * or nothing. The committed progress is where a resumed run starts (by re-reading the file up to
 * it), so no row is applied twice and none is skipped.
 */
final class ImportRun {
  private static final Logger LOG = LoggerFactory.getLogger(ImportRun.class);
  private static final int MAX_ATTEMPTS = 5;
  private static final Set<String> RETRIED = Set.of(Db.UNIQUE_VIOLATION, Db.SERIALIZATION_FAILURE, "40P01");

  /** The node lost the import's lease, or another node moved the progress: stop without writing. */
  static final class Superseded extends RuntimeException {
    Superseded() {
      super("import superseded", null, false, false);
    }
  }

  /** The rows read for one batch: checked as far as the file alone allows. */
  private record ReadBatch(long firstRow, List<ImportFile.RawRow> rows, List<Rejection> rejected, Map<Long, Long> points,
                           long bytesRead, boolean last) {
    int size() {
      return rows.size() + rejected.size();
    }
  }

  /** One row decided against what is stored: written, unchanged, or rejected. */
  private record Decided(List<ImportFile.RawRow> rows, List<UUID> ids, List<CustomerProfile> writes, List<Customer> existing,
                         List<Long> writePoints, List<Customer> unchanged, List<Long> unchangedPoints, List<Long> unchangedRows,
                         List<Rejection> rejected) {}

  private record Outcome(long created, long updated, long unchanged, long rejected, long points, List<UUID> changed) {}

  private final Vertx vertx;
  private final Db db;
  private final ImportRepository imports;
  private final CustomerBatch customers = new CustomerBatch();
  private final OpeningBalances openings = new OpeningBalances();
  private final CustomerCache cache;
  private final ImportConfig config;
  private final String phoneRegion;
  private final UUID org;
  private final UUID id;
  private final JobLease lease;
  private final SeenExternalIds seen = new SeenExternalIds();
  private ImportFile file;
  private Caller caller;
  private long rowsCommitted;
  private boolean stopped;

  ImportRun(Vertx vertx, Db db, ImportRepository imports, CustomerCache cache, ImportConfig config, String phoneRegion,
            UUID org, UUID id, JobLease lease) {
    this.vertx = vertx;
    this.db = db;
    this.imports = imports;
    this.cache = cache;
    this.config = config;
    this.phoneRegion = phoneRegion;
    this.org = org;
    this.id = id;
    this.lease = lease;
  }

  static Path spoolFile(ImportConfig config, UUID org, UUID id) {
    return config.spoolDir().resolve(org.toString()).resolve(id + ".upload");
  }

  /** Runs to the end of the file, or until stopped or superseded; the future never fails. */
  Future<Void> run() {
    return db.withTenant(org, conn -> imports.find(conn, org, id))
        .compose(stored -> {
          if (stored == null || !ImportStatus.RUNNING.equals(stored.status().status())) {
            return db.withTenant(org, conn -> imports.finish(conn, org, id, ImportStatus.FAILED, "no such import")).mapEmpty();
          }
          caller = new Caller(org, stored.actor(), null, Set.of(), stored.correlationId());
          rowsCommitted = stored.status().rowsRead();
          Path path = spoolFile(config, org, id);
          return vertx.executeBlocking(() -> resumeAt(path, stored.status().format(), rowsCommitted), true)
              .recover(e -> fail("the spooled upload cannot be read (" + e.getClass().getSimpleName() + ")")
                  .compose(v -> Future.failedFuture(new Superseded())))
              .compose(v -> {
                if (rowsCommitted > 0) {
                  LOG.info("Import {} resumes after row {}", id, rowsCommitted);
                }
                return nextBatch();
              });
        })
        .recover(e -> {
          if (!(e instanceof Superseded)) {
            LOG.warn("Import {} stopped: {}", id, e.toString());
          }
          return Future.succeededFuture();
        })
        .eventually(this::closeFile);
  }

  void stop() {
    stopped = true;
  }

  private Void resumeAt(Path path, ImportFormat format, long rows) throws IOException {
    file = ImportFile.open(path, format);
    for (long n = 0; n < rows; n++) {
      ImportFile.RawRow row = file.next();
      if (row == null) {
        break;
      }
      if (row.externalId() != null) {
        seen.add(row.externalId());
      }
    }
    return null;
  }

  /**
   * Reads, writes and commits batch after batch until the file ends. Each batch is its own chain and
   * the loop goes on from its completion: a batch nested in the previous one's future (compose of
   * the next batch) kept every batch read so far reachable until the end, and a 1,000,000-row file
   * ran the service out of its heap.
   */
  private Future<Void> nextBatch() {
    Promise<Void> done = Promise.promise();
    batches(done);
    return done.future();
  }

  private void batches(Promise<Void> done) {
    if (stopped || !lease.held()) {
      done.tryFail(new Superseded());
      return;
    }
    vertx.executeBlocking(this::read, true).compose(batch -> {
      if (batch.size() == 0) {
        return complete().map(true);
      }
      return write(batch, 1).compose(outcome -> invalidate(outcome.changed()))
          .compose(v -> batch.last() ? complete().map(true) : Future.succeededFuture(false));
    }).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else if (ar.result()) {
        done.tryComplete();
      } else {
        batches(done);
      }
    });
  }

  private ReadBatch read() throws IOException {
    List<ImportFile.RawRow> rows = new ArrayList<>(config.batchRows());
    List<Rejection> rejected = new ArrayList<>();
    Map<Long, Long> points = new HashMap<>();
    long first = rowsCommitted + 1;
    boolean last = false;
    while (rows.size() + rejected.size() < config.batchRows()) {
      ImportFile.RawRow row = file.next();
      if (row == null) {
        last = true;
        break;
      }
      if (!row.readable()) {
        rejected.add(new Rejection(row.number(), row.externalId(), row.field(), row.problem()));
        continue;
      }
      if (!seen.add(row.externalId())) {
        rejected.add(new Rejection(row.number(), row.externalId(), "external_id", "repeats the external_id of an earlier row of this file"));
        continue;
      }
      try {
        CustomerRules.text("external_id", row.externalId(), 100);
        long p = Decimals.points(ImportFile.OPENING_POINTS, row.openingPoints());
        if (p > 0) {
          points.put(row.number(), p);
        }
        rows.add(row);
      } catch (DomainException e) {
        rejected.add(rejection(row, e));
      }
    }
    return new ReadBatch(first, rows, rejected, points, file.bytesRead(), last);
  }

  private Future<Outcome> write(ReadBatch batch, int attempt) {
    return db.withTenant(org, conn -> writeIn(conn, batch))
        .recover(e -> {
          if (e instanceof PgException pg && RETRIED.contains(pg.getSqlState()) && attempt < MAX_ATTEMPTS) {
            // A concurrent request took a natural key (or a lock) in between: decide the batch again.
            return write(batch, attempt + 1);
          }
          if (e instanceof Superseded) {
            return Future.failedFuture(e);
          }
          String reason = e instanceof PgException pg ? "database error SQLSTATE " + pg.getSqlState() : e.getClass().getSimpleName();
          LOG.warn("Import {}: batch after row {} failed", id, rowsCommitted, e);
          return fail(reason).compose(v -> Future.failedFuture(new Superseded()));
        });
  }

  private Future<Outcome> writeIn(SqlConnection conn, ReadBatch batch) {
    List<String> externalIds = batch.rows().stream().map(ImportFile.RawRow::externalId).toList();
    long[] t = {System.nanoTime(), 0, 0, 0, 0};
    // PERF: the batch statements' arrays are thousands long and the table grows as the file
    // imports; a generic plan (chosen after five runs) guesses ten elements and scans the table.
    return conn.query("SET LOCAL plan_cache_mode = force_custom_plan").execute()
        .compose(v -> customers.lockByExternalIds(conn, org, externalIds))
        .compose(existing -> {
          t[1] = System.nanoTime();
          return vertx.executeBlocking(() -> decide(batch, existing), true);
        })
        .compose(decided -> {
          t[2] = System.nanoTime();
          return customers.holdersOfKeys(conn, org, decided.writes()).map(holders -> withoutCollisions(decided, holders));
        })
        .compose(decided -> {
          t[3] = System.nanoTime();
          return openings.posted(conn, org, existingIds(decided)).map(posted -> withoutPointConflicts(decided, posted));
        })
        .compose(decided -> customers.upsert(conn, org, decided.ids(), decided.writes()).compose(written -> {
          t[4] = System.nanoTime();
          LOG.debug("Import {} batch at row {}: lock {} decide {} holders {} upsert {} ms", id, rowsCommitted, (t[1] - t[0]) / 1_000_000, (t[2] - t[1]) / 1_000_000,
              (t[3] - t[2]) / 1_000_000, (t[4] - t[3]) / 1_000_000);
          List<UUID> pointIds = new ArrayList<>();
          List<Long> pointValues = new ArrayList<>();
          Map<String, Customer> byExternalId = new HashMap<>();
          long created = 0;
          List<UUID> changed = new ArrayList<>();
          for (CustomerBatch.Written w : written) {
            byExternalId.put(w.customer().profile().externalId(), w.customer());
            if (w.inserted()) {
              created++;
            } else {
              changed.add(w.customer().id());
            }
          }
          for (int i = 0; i < decided.writes().size(); i++) {
            Long p = decided.writePoints().get(i);
            if (p != null) {
              pointIds.add(byExternalId.get(decided.writes().get(i).externalId()).id());
              pointValues.add(p);
            }
          }
          for (int i = 0; i < decided.unchanged().size(); i++) {
            Long p = decided.unchangedPoints().get(i);
            if (p != null) {
              pointIds.add(decided.unchanged().get(i).id());
              pointValues.add(p);
            }
          }
          long points = pointValues.stream().mapToLong(Long::longValue).sum();
          List<Rejection> rejected = new ArrayList<>(batch.rejected());
          rejected.addAll(decided.rejected());
          Outcome outcome = new Outcome(created, written.size() - created, decided.unchanged().size(), rejected.size(), points, changed);
          return openings.post(conn, org, pointIds, pointValues, "import:" + id, caller.userId(), Instant.now())
              .compose(v -> imports.reject(conn, org, id, rejected))
              .compose(v -> rowEvents(conn, written))
              .compose(v -> imports.advance(conn, org, id, rowsCommitted, batch.size(), outcome.created(), outcome.updated(),
                  outcome.unchanged(), outcome.rejected(), outcome.points(), batch.bytesRead()))
              .map(moved -> {
                if (!moved) {
                  throw new Superseded();
                }
                return outcome;
              });
        }))
        .onSuccess(outcome -> rowsCommitted += batch.size());
  }

  /** Normalises every row with the API's rules: a new customer from the row, a known one merged with it. */
  private Decided decide(ReadBatch batch, Map<String, Customer> existingByExternalId) {
    int n = batch.rows().size();
    Decided d = new Decided(new ArrayList<>(n), new ArrayList<>(n), new ArrayList<>(n), new ArrayList<>(n), new ArrayList<>(n),
        new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    Map<NaturalKeys.Key, Long> keysInBatch = new HashMap<>();
    for (ImportFile.RawRow row : batch.rows()) {
      Customer existing = existingByExternalId.get(row.externalId());
      CustomerProfile profile;
      try {
        profile = CustomerRules.normalise(existing == null ? CustomerFields.create(row.fields())
            : merged(existing, row.fields()), phoneRegion);
      } catch (DomainException e) {
        d.rejected().add(rejection(row, e));
        continue;
      }
      Long points = batch.points().get(row.number());
      if (existing != null && profile.equals(existing.profile())) {
        d.unchanged().add(existing);
        d.unchangedPoints().add(points);
        d.unchangedRows().add(row.number());
        continue;
      }
      NaturalKeys.Key clash = null;
      for (NaturalKeys.Key k : NaturalKeys.of(profile)) {
        if (keysInBatch.containsKey(k)) {
          clash = k;
          break;
        }
      }
      if (clash != null) {
        d.rejected().add(new Rejection(row.number(), row.externalId(), clash.field(),
            "row " + keysInBatch.get(clash) + " of this file has the same " + clash.field()));
        continue;
      }
      for (NaturalKeys.Key k : NaturalKeys.of(profile)) {
        keysInBatch.put(k, row.number());
      }
      d.rows().add(row);
      d.ids().add(existing == null ? Ids.newId() : existing.id());
      d.writes().add(profile);
      d.existing().add(existing);
      d.writePoints().add(points);
    }
    return d;
  }

  private static CustomerProfile merged(Customer existing, CustomerFields.Source row) {
    if (row.has("customer_type")) {
      String type = row.text("customer_type");
      if (type != null && CustomerType.of("customer_type", type) != existing.profile().customerType()) {
        throw DomainException.invalid("customer_type", "cannot be changed");
      }
    }
    return CustomerFields.mergePatch(existing.profile(), row);
  }

  /** Rows whose natural keys another live customer holds are rejected, as the API answers 409 for them. */
  private static Decided withoutCollisions(Decided d, List<CustomerBatch.Holder> holders) {
    if (holders.isEmpty()) {
      return d;
    }
    Map<NaturalKeys.Key, UUID> holderOf = new HashMap<>();
    for (CustomerBatch.Holder h : holders) {
      for (NaturalKeys.Key k : h.keys()) {
        holderOf.put(k, h.id());
      }
    }
    Decided kept = new Decided(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        d.unchanged(), d.unchangedPoints(), d.unchangedRows(), new ArrayList<>(d.rejected()));
    for (int i = 0; i < d.writes().size(); i++) {
      UUID self = d.ids().get(i);
      NaturalKeys.Key clash = null;
      for (NaturalKeys.Key k : NaturalKeys.of(d.writes().get(i))) {
        UUID holder = holderOf.get(k);
        if (holder != null && !holder.equals(self)) {
          clash = k;
          break;
        }
      }
      if (clash != null) {
        ImportFile.RawRow row = d.rows().get(i);
        kept.rejected().add(new Rejection(row.number(), row.externalId(), clash.field(),
            ErrorCode.DUPLICATE_CUSTOMER.format(clash.field())));
        continue;
      }
      copy(d, i, kept);
    }
    return kept;
  }

  private static List<UUID> existingIds(Decided d) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < d.writes().size(); i++) {
      if (d.existing().get(i) != null && d.writePoints().get(i) != null) {
        ids.add(d.ids().get(i));
      }
    }
    for (int i = 0; i < d.unchanged().size(); i++) {
      if (d.unchangedPoints().get(i) != null) {
        ids.add(d.unchanged().get(i).id());
      }
    }
    return ids;
  }

  /**
   * A customer's opening balance is posted once: the same figure again is nothing to do, another
   * figure is a rejected row (as a reused idempotency key with another amount is a conflict).
   */
  private static Decided withoutPointConflicts(Decided d, Map<UUID, Long> posted) {
    if (posted.isEmpty()) {
      return d;
    }
    Decided kept = new Decided(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(d.rejected()));
    for (int i = 0; i < d.writes().size(); i++) {
      Long before = posted.get(d.ids().get(i));
      Long now = d.writePoints().get(i);
      if (before != null && now != null && !before.equals(now)) {
        ImportFile.RawRow row = d.rows().get(i);
        kept.rejected().add(pointConflict(row.number(), row.externalId(), before));
        continue;
      }
      copy(d, i, kept);
      if (before != null) {
        kept.writePoints().set(kept.writePoints().size() - 1, null);
      }
    }
    for (int i = 0; i < d.unchanged().size(); i++) {
      Customer c = d.unchanged().get(i);
      Long before = posted.get(c.id());
      Long now = d.unchangedPoints().get(i);
      if (before != null && now != null && !before.equals(now)) {
        kept.rejected().add(pointConflict(d.unchangedRows().get(i), c.profile().externalId(), before));
        continue;
      }
      kept.unchanged().add(c);
      kept.unchangedRows().add(d.unchangedRows().get(i));
      kept.unchangedPoints().add(before != null ? null : now);
    }
    return kept;
  }

  private static Rejection pointConflict(long row, String externalId, long before) {
    return new Rejection(row, externalId, ImportFile.OPENING_POINTS,
        "an opening balance of " + before + " points was already imported for this customer");
  }

  private static void copy(Decided from, int i, Decided to) {
    to.rows().add(from.rows().get(i));
    to.ids().add(from.ids().get(i));
    to.writes().add(from.writes().get(i));
    to.existing().add(from.existing().get(i));
    to.writePoints().add(from.writePoints().get(i));
  }

  private Future<Void> rowEvents(SqlConnection conn, List<CustomerBatch.Written> written) {
    if (!config.rowEvents()) {
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    for (CustomerBatch.Written w : written) {
      chain = chain.compose(v -> Outbox.record(conn, caller, w.inserted() ? CustomerEvents.CREATED : CustomerEvents.UPDATED,
          w.customer().id(), CustomerJson.of(w.customer())).mapEmpty());
    }
    return chain;
  }

  private Future<Void> invalidate(List<UUID> changed) {
    if (changed.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> all = new ArrayList<>(changed.size());
    for (UUID c : changed) {
      all.add(cache.invalidate(org, c));
    }
    return Future.join(all).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private Future<Void> complete() {
    return end(ImportStatus.DONE, null);
  }

  private Future<Void> fail(String reason) {
    LOG.warn("Import {} failed: {}", id, reason);
    return end(ImportStatus.FAILED, reason);
  }

  private Future<Void> end(String status, String error) {
    return db.withTenant(org, conn -> imports.finish(conn, org, id, status, error).compose(stored -> {
          if (stored == null) {
            return Future.succeededFuture();
          }
          ImportStatus s = stored.status();
          JsonObject data = new JsonObject().put("import_id", id.toString()).put("status", s.status())
              .put("format", s.format().code()).put("rows_read", s.rowsRead()).put("created", s.created())
              .put("updated", s.updated()).put("unchanged", s.unchanged()).put("rejected", s.rejected())
              .put("opening_points", s.openingPoints()).put("started_at", s.startedAt().toString())
              .put("finished_at", s.finishedAt().toString());
          Caller by = caller != null ? caller : new Caller(org, stored.actor(), null, Set.of(), stored.correlationId());
          return Outbox.record(conn, by, ImportEvents.COMPLETED, id, data).mapEmpty();
        }))
        .compose(v -> closeFile())
        .compose(v -> vertx.executeBlocking(() -> Files.deleteIfExists(spoolFile(config, org, id)), true))
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("Import {}: could not record its end: {}", id, e.toString());
          return Future.succeededFuture();
        });
  }

  private Future<Void> closeFile() {
    ImportFile f = file;
    file = null;
    if (f == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      f.close();
      return null;
    }, true).mapEmpty();
  }

  static Rejection rejection(ImportFile.RawRow row, DomainException e) {
    String field = e.field();
    String message = e.getMessage();
    if (field != null && message.startsWith(field + ": ")) {
      message = message.substring(field.length() + 2);
    }
    return new Rejection(row.number(), row.externalId(), field == null ? "row" : field, message);
  }
}
