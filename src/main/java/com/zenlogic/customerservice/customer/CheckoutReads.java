package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The POS checkout's reads: one statement each (see V2__checkout_reads.sql), the tenant set inside
 * that statement so Row-Level Security still applies. Deleted customers are not found.
 */
public final class CheckoutReads {
  private static final String BY_ID = "SELECT * FROM checkout_customer($1, $2)";
  private static final String BY_KEY = "SELECT * FROM checkout_customer_by($1, $2, $3)";

  private final Pool pool;

  public CheckoutReads(Pool pool) {
    this.pool = pool;
  }

  public Future<Customer> byId(UUID org, UUID id) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(org, id)).map(CheckoutReads::first);
  }

  public Future<Customer> byKey(UUID org, LookupKey key) {
    return pool.preparedQuery(BY_KEY).execute(Tuple.of(org, key.kind(), key.values().toArray(String[]::new)))
        .map(CheckoutReads::first);
  }

  private static Customer first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? CustomerRepository.fromRow(it.next()) : null;
  }
}
