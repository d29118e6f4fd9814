package com.zenlogic.customerservice.customer;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * Told after a change commits and before it is acknowledged, so caches can drop what they hold
 * and a read after an acknowledged write is never stale.
 */
@FunctionalInterface
public interface CustomerChangeListener {
  CustomerChangeListener NONE = (organizationId, customerId) -> Future.succeededFuture();

  Future<Void> customerChanged(UUID organizationId, UUID customerId);
}
