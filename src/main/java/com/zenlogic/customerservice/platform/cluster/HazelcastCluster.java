package com.zenlogic.customerservice.platform.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import com.zenlogic.customerservice.platform.metrics.Metrics;
import io.vertx.core.VertxOptions;
import com.zenlogic.customerservice.platform.tracing.Tracing;
import com.zenlogic.customerservice.platform.tracing.TracingConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.regex.Pattern;

/**
 * The clustered Vert.x on Hazelcast. Only Main calls it, and only when CLUSTER=true, so a single
 * process never loads a Hazelcast class.
 *
 * <p>Why these settings: TCP-IP join from a fixed member list (multicast is off in every data
 * centre we know, and it would merge test clusters); no join wait (the default 5 s per start);
 * a dead member is dropped after 10 s without heartbeat (the default 60 s would keep sending
 * bus messages to a corpse for a minute); logging through slf4j like the rest of the service.
 */
public final class HazelcastCluster {
  private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private HazelcastCluster() {}

  public static Future<Vertx> start(ClusterConfig cluster, VertxOptions options) {
    return start(cluster, options, TracingConfig.off());
  }

  /** With the tracer when tracing is configured (platform/tracing). */
  public static Future<Vertx> start(ClusterConfig cluster, VertxOptions options, TracingConfig tracing) {
    // Hazelcast reads its logging type before the first instance exists.
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cluster.name());
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(cluster.port()).setPortAutoIncrement(false);
    net.setPublicAddress(cluster.host() + ":" + cluster.port());
    if (IP.matcher(cluster.host()).matches()) {
      net.getInterfaces().setEnabled(true).addInterface(cluster.host());
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    ClusterManager manager = new HazelcastClusterManager(hz);
    EventBusOptions bus = options.getEventBusOptions();
    bus.setHost(IP.matcher(cluster.host()).matches() ? cluster.host() : "0.0.0.0").setPort(cluster.busPort())
        .setClusterPublicHost(cluster.host());
    if (cluster.busPublicPort() > 0) {
      bus.setClusterPublicPort(cluster.busPublicPort());
    }
    return Tracing.builder(options, tracing).withMetrics(Metrics.factory()).withClusterManager(manager).buildClustered();
  }
}
