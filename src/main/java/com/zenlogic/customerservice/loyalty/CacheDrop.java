package com.zenlogic.customerservice.loyalty;

import com.zenlogic.customerservice.customer.CustomerChangeListener;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.UUID;

/** After a batch committed: each changed customer's cached view is dropped (a cache outage fails none of them). */
record CacheDrop(CustomerChangeListener listener) {
  Future<Void> dropAll(UUID org, Collection<UUID> customers) {
    Future<Void> chain = Future.succeededFuture();
    for (UUID id : customers) {
      chain = chain.compose(v -> listener.customerChanged(org, id).recover(e -> Future.succeededFuture()));
    }
    return chain;
  }
}
