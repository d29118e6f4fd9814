package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;
import java.util.stream.Stream;

/** Segmentation: the scoring policy, and the Order Service (host:port, null = no purchase-history backfill). */
public record SegmentationConfig(SegmentPolicy policy, String orderServiceGrpc) {
  public static final List<String> KEYS =
      Stream.concat(SegmentPolicy.KEYS.stream(), Stream.of("ORDER_SERVICE_GRPC")).toList();

  public static SegmentationConfig from(ConfigReader r) {
    return new SegmentationConfig(SegmentPolicy.from(r), r.hostPort("ORDER_SERVICE_GRPC"));
  }
}
