package com.zenlogic.customerservice.consumers;

import com.zenlogic.customerservice.platform.db.DbUrl;
import com.zenlogic.customerservice.platform.config.OpsConfig;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Decimals;
import com.zenlogic.customerservice.loyalty.LoyaltyEventMessages;
import com.zenlogic.customerservice.loyalty.LoyaltyMessages;
import com.zenlogic.customerservice.platform.inbox.Applied;
import com.zenlogic.customerservice.platform.inbox.Delivery;
import com.zenlogic.customerservice.segmentation.Purchase;
import com.zenlogic.customerservice.segmentation.PurchaseItem;
import com.zenlogic.customerservice.segmentation.PurchaseItems;
import com.zenlogic.customerservice.segmentation.SegmentationEventMessages;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * customer_pos_queue on pos_events: pos.transaction.completed earns points (once, even if the POS
 * already called AddLoyaltyPoints for the same transaction) and enters the purchase history; the
 * loyalty engine, then segmentation, apply it. No customer means an anonymous sale: nothing to apply.
 */
public final class PosEventsConsumer extends EventConsumerVerticle {

  public PosEventsConsumer(DbUrl runtimeDb, String amqpUrl, OpsConfig ops) {
    super(runtimeDb, amqpUrl, ops);
  }

  @Override
  protected String name() {
    return "customer_pos_consumer";
  }

  @Override
  protected String exchange() {
    return "pos_events";
  }

  @Override
  protected String queue() {
    return "customer_pos_queue";
  }

  @Override
  protected List<String> routingKeys() {
    return List.of("pos.transaction.completed");
  }

  @Override
  protected Future<Applied> handOver(ConsumedEvent event, Delivery delivery) {
    if (!"pos.transaction.completed".equals(event.eventType()) || event.data().getValue("customer_id") == null) {
      return nothingToApply(delivery);
    }
    UUID customer = event.customerId();
    JsonObject totals = event.data().getValue("totals") instanceof JsonObject t ? t : null;
    if (totals == null) {
      throw DomainException.invalid("data.totals.total_amount", "is required");
    }
    String transaction = event.text("transaction_id");
    BigDecimal amount = Decimals.money("data.totals.total_amount", totals.getValue("total_amount"));
    List<PurchaseItem> lines = lines(event.data());
    List<LoyaltyMessages.Item> items = items(lines);
    Purchase purchase = purchase(event, customer, "pos", "pos:" + transaction, amount, lines);
    // Loyalty first: it refuses an unknown or blocked customer, and then segmentation records nothing.
    return LoyaltyEventMessages.APPLY_PURCHASE.request(vertx,
            new LoyaltyEventMessages.Sale(delivery, customer, transaction, amount, "pos", items))
        .compose(earned -> SegmentationEventMessages.APPLY_PURCHASE.request(vertx,
            new SegmentationEventMessages.PurchaseMade(delivery, null, purchase)).map(earned::and));
  }

  /** The purchase as history keeps it: when it happened (the event's occurred_at), where, how many items. */
  static Purchase purchase(ConsumedEvent event, UUID customer, String source, String reference, java.math.BigDecimal amount,
                           List<PurchaseItem> lines) {
    java.time.Instant at;
    try {
      at = event.occurredAt() == null ? java.time.Instant.now() : java.time.Instant.parse(event.occurredAt());
    } catch (java.time.format.DateTimeParseException e) {
      throw DomainException.invalid("occurred_at", "must be an ISO-8601 instant");
    }
    String local = optional(event.data(), "data.local_id", "local_id");
    return new Purchase(customer, source, reference, amount, at, local,
        lines.isEmpty() ? null : lines.stream().mapToInt(PurchaseItem::wholeUnits).sum(), lines);
  }

  /** The purchased lines, data.items[] ({product_id | variant_id, name, category, quantity, unit_price}, others ignored). */
  static List<PurchaseItem> lines(JsonObject data) {
    return PurchaseItems.read("data.items", data.getValue("items"));
  }

  /** The lines as punch cards count them: product (else variant), category, whole units. */
  static List<LoyaltyMessages.Item> items(List<PurchaseItem> lines) {
    List<LoyaltyMessages.Item> items = new ArrayList<>(lines.size());
    for (PurchaseItem i : lines) {
      items.add(new LoyaltyMessages.Item(i.productId() != null ? i.productId() : i.variantId(), i.category(), i.wholeUnits(),
          i.lineAmount()));
    }
    return items;
  }

  /** An optional text field: absent, a string (at most 200 characters), or a permanent failure naming it. */
  static String optional(JsonObject json, String path, String field) {
    Object v = json.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.length() > 200) {
      throw DomainException.invalid(path, "must be a string of at most 200 characters");
    }
    return s;
  }
}
