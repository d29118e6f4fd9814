package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentResponse;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** GetCustomerSegment for Pricing and Marketing, over the event bus to the segmentation verticle. */
final class SegmentRpc {
  static final Permission READ = Permission.SEGMENTS_READ;

  private final Vertx vertx;

  SegmentRpc(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<GetSegmentResponse> segment(Caller caller, GetSegmentRequest r) {
    return SegmentationMessages.SEGMENT.request(vertx, new SegmentationMessages.CustomerQuery(caller, Ids.parse("customer_id", r.getCustomerId()))).map(s -> GetSegmentResponse.newBuilder()
        .setSegment(s.score().segment()).setRecencyScore(s.score().recency()).setFrequencyScore(s.score().frequency())
        .setMonetaryScore(s.score().monetary()).setVip(s.score().vip()).setChurnRisk(s.score().churnRisk()).build());
  }
}
