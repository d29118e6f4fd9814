package com.zenlogic.customerservice.platform.inbox;

import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.bus.Bus;
import java.util.Set;
import java.util.UUID;

/**
 * Which consumed message a request to an engine comes from: the tenant, the consumer that took it
 * from its queue, the message id and type (with the consumer, the inbox key) and the correlation id
 * its effects carry.
 */
public record Delivery(UUID organizationId, String consumer, String messageId, String eventType, String correlationId)
    implements Bus.Local {

  /** The consumer acting for the sending service: no user, no permissions (it is trusted by the broker's routing). */
  public Caller caller() {
    return new Caller(organizationId, "consumer:" + consumer, null, Set.of(), correlationId);
  }
}
