package com.zenlogic.customerservice.imports;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.db.Db;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.errors.ErrorCode;
import com.zenlogic.customerservice.platform.values.Ids;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * Starting an import and reading its progress. An upload is streamed to the spool directory (never
 * held in memory), synced to disk, its header checked, and only then recorded as a running import:
 * from that moment any node running imports (ImportsVerticle) can take it, and resume it after a crash.
 */
public final class CustomerImports {
  private final Vertx vertx;
  private final Db db;
  private final ImportConfig config;
  private final ImportRepository imports = new ImportRepository();

  public CustomerImports(Vertx vertx, Db db, ImportConfig config) {
    this.vertx = vertx;
    this.db = db;
    this.config = config;
  }

  public long maxBytes() {
    return config.maxBytes();
  }

  /** Spools the body and records the import; the body must be paused or not yet read. */
  public Future<ImportStatus> upload(Caller caller, ImportFormat format, String fileName, ReadStream<Buffer> body) {
    UUID org = caller.organizationId();
    UUID id = Ids.newId();
    Path path = ImportRun.spoolFile(config, org, id);
    return vertx.executeBlocking(() -> Files.createDirectories(path.getParent()), false)
        .compose(dir -> vertx.fileSystem().open(path.toString(), new OpenOptions().setWrite(true).setCreateNew(true)))
        .compose(file -> spool(body, file).eventually(file::close))
        .compose(bytes -> vertx.executeBlocking(() -> {
          if (bytes == 0) {
            throw DomainException.invalid("body", "the upload is empty");
          }
          // Durable before the import exists: a crash after the 202 must find the whole file.
          try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.force(true);
          }
          ImportFile.open(path, format).close();
          return bytes;
        }, false))
        .compose(bytes -> db.withTenant(org, conn -> imports.insert(conn, org, id, format, fileName, bytes, caller.userId(),
            caller.correlationId())))
        .map(ImportRepository.Stored::status)
        .onFailure(e -> vertx.executeBlocking(() -> Files.deleteIfExists(path), false));
  }

  public Future<ImportStatus> status(Caller caller, UUID id) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> imports.find(conn, org, id)).map(stored -> {
      if (stored == null) {
        throw ErrorCode.IMPORT_NOT_FOUND.exception(id);
      }
      return stored.status();
    });
  }

  /** One page of the rejected rows after row {@code afterRow}, in row order; 404 for another tenant's import. */
  public Future<List<Rejection>> rejections(Caller caller, UUID id, long afterRow, int limit) {
    UUID org = caller.organizationId();
    return db.withTenant(org, conn -> imports.find(conn, org, id).compose(stored -> {
      if (stored == null) {
        throw ErrorCode.IMPORT_NOT_FOUND.exception(id);
      }
      return imports.rejections(conn, org, id, afterRow, limit);
    }));
  }

  /** Copies the body to the file with back-pressure, counting bytes; more than the limit fails at once. */
  private Future<Long> spool(ReadStream<Buffer> body, AsyncFile file) {
    Promise<Long> done = Promise.promise();
    long[] bytes = {0};
    body.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      bytes[0] += chunk.length();
      if (bytes[0] > config.maxBytes()) {
        done.tryFail(ErrorCode.IMPORT_TOO_LARGE.exception(config.maxBytes()));
        return;
      }
      file.write(chunk);
      if (file.writeQueueFull()) {
        body.pause();
        file.drainHandler(v -> body.resume());
      }
    });
    body.exceptionHandler(done::tryFail);
    file.exceptionHandler(done::tryFail);
    body.endHandler(v -> {
      if (!done.future().isComplete()) {
        file.flush().onComplete(ar -> {
          if (ar.succeeded()) {
            done.tryComplete(bytes[0]);
          } else {
            done.tryFail(ar.cause());
          }
        });
      }
    });
    body.resume();
    return done.future();
  }
}
