package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.bus.Address;
import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.auth.Caller;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The segmentation verticle's event-bus addresses and records (passed by reference within a node, versioned JSON across nodes: see platform/bus). */
public final class SegmentationMessages {
  public static final Address<CustomerQuery, Segment> SEGMENT =
      Address.of("segmentation.segment", CustomerQuery.class, Segment.class).idempotent();
  public static final Address<CustomerQuery, View> STATS =
      Address.of("segmentation.stats", CustomerQuery.class, View.class).idempotent();
  public static final Address<HistoryQuery, History> HISTORY =
      Address.of("segmentation.history", HistoryQuery.class, History.class).idempotent();
  public static final Address<OrganizationQuery, View> SEGMENTS =
      Address.of("segmentation.segments", OrganizationQuery.class, View.class).idempotent();
  public static final Address<SegmentQuery, Rows> SEGMENT_CUSTOMERS =
      Address.of("segmentation.segment.customers", SegmentQuery.class, Rows.class).idempotent();
  public static final Address<OrganizationQuery, View> RECALCULATE =
      Address.of("segmentation.recalculate", OrganizationQuery.class, View.class).timeout(300_000);
  public static final Address<RecordPurchase, Recorded> RECORD_PURCHASE =
      Address.of("segmentation.purchase", RecordPurchase.class, Recorded.class).idempotent();
  public static final Address<KpiQuery, View> KPIS =
      Address.of("segmentation.kpis", KpiQuery.class, View.class).idempotent();

  private SegmentationMessages() {}

  public record CustomerQuery(Caller caller, UUID customerId) implements Bus.Local {}

  /** authorization is forwarded to the Order Service when history is backfilled from it. */
  public record HistoryQuery(Caller caller, UUID customerId, java.time.Instant beforeAt, Long beforeId, int limit, String authorization) implements Bus.Local {}

  /** A page of history; partial when the Order Service could not be asked (circuit open or down). */
  public record History(List<JsonObject> rows, boolean partial) implements Bus.Local {}

  public record SegmentQuery(Caller caller, String segment, UUID after, int limit) implements Bus.Local {}

  public record OrganizationQuery(Caller caller) implements Bus.Local {}

  public record RecordPurchase(Caller caller, Purchase purchase) implements Bus.Local {}

  public record KpiQuery(Caller caller, Instant from, Instant to) implements Bus.Local {}

  /** A JSON view (statistics, counts, KPIs): the REST layer passes it through as is. */
  public record View(JsonObject json) implements Bus.Local {}

  public record Rows(List<JsonObject> rows) implements Bus.Local {}

  public record Segment(Score score) implements Bus.Local {}

  public record Recorded(boolean isNew) implements Bus.Local {}
}
