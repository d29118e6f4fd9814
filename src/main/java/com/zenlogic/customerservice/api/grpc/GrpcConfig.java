package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.config.ConfigReader;
import java.util.List;

/** The gRPC way in: port, verticle instances, whether token-less internal callers pass, request size limit. */
public record GrpcConfig(int port, int instances, boolean trustNetwork, int maxMessageBytes) {
  public static final List<String> KEYS =
      List.of("GRPC_PORT", "GRPC_INSTANCES", "GRPC_TRUST_NETWORK", "GRPC_MAX_MESSAGE_BYTES");

  public static GrpcConfig from(ConfigReader r) {
    return new GrpcConfig(r.port("GRPC_PORT", 50007),
        r.positive("GRPC_INSTANCES", Runtime.getRuntime().availableProcessors()),
        r.bool("GRPC_TRUST_NETWORK", false),
        r.positive("GRPC_MAX_MESSAGE_BYTES", 64 * 1024));
  }
}
