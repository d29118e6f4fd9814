package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.bus.Bus;
import com.zenlogic.customerservice.platform.auth.Caller;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The segmentation verticle's event-bus addresses and records (local to the process, see Bus). */
public final class SegmentationMessages {
  public static final String SEGMENT = "segmentation.segment";
  public static final String STATS = "segmentation.stats";
  public static final String HISTORY = "segmentation.history";
  public static final String SEGMENTS = "segmentation.segments";
  public static final String SEGMENT_CUSTOMERS = "segmentation.segment.customers";
  public static final String RECALCULATE = "segmentation.recalculate";
  public static final String RECORD_PURCHASE = "segmentation.purchase";
  public static final String KPIS = "segmentation.kpis";

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
