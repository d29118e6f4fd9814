package com.zenlogic.customerservice.platform.cluster;

import com.zenlogic.customerservice.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How this process takes part in a cluster: whether it is clustered at all, which Hazelcast
 * members it joins, the address it advertises, its role and the job lease TTL. Parsed here (not in
 * AppConfig) because only Main and the deployment of roles need it.
 *
 * @param enabled CLUSTER: false runs today's single process, with no Hazelcast class loaded
 * @param members CLUSTER_MEMBERS host:port,... for the TCP-IP join (this node may be listed too)
 * @param host CLUSTER_HOST, advertised for Hazelcast and the event bus
 * @param port CLUSTER_PORT, this node's Hazelcast port
 * @param busPort CLUSTER_BUS_PORT, the event-bus listening port (0: any free port)
 * @param busPublicPort CLUSTER_BUS_PUBLIC_PORT, the event-bus port other nodes dial (a proxy may sit in between)
 * @param name CLUSTER_NAME, the Hazelcast cluster name, so two clusters on one network never merge
 * @param role NODE_ROLE
 * @param nodeName NODE_NAME, shown as the holder of job leases (default pid@host)
 * @param jobLeaseSeconds JOB_LEASE_SECONDS, the time another node waits before taking a job over from a dead holder
 */
public record ClusterConfig(boolean enabled, List<String> members, String host, int port, int busPort, int busPublicPort,
                            String name, NodeRole role, String nodeName, int jobLeaseSeconds) {

  public static final String[] KEYS = {"CLUSTER", "CLUSTER_MEMBERS", "CLUSTER_HOST", "CLUSTER_PORT", "CLUSTER_BUS_PORT",
      "CLUSTER_BUS_PUBLIC_PORT", "CLUSTER_NAME", "NODE_ROLE", "NODE_NAME", "JOB_LEASE_SECONDS"};

  /** What a node deploys. */
  public enum NodeRole {
    /** Everything, as a single process does. */
    ALL,
    /** HTTP and gRPC (and the cache listener); reaches the engines over the clustered bus. */
    API,
    /** The engines, the consumers, the outbox relay and the jobs; HTTP serves health only. */
    WORKER;

    public boolean servesApi() {
      return this != WORKER;
    }

    public boolean runsEngines() {
      return this != API;
    }
  }

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /** The single process: no cluster, every role. */
  public static ClusterConfig single() {
    return new ClusterConfig(false, List.of(), "127.0.0.1", 5701, 0, 0, "customer-service", NodeRole.ALL, defaultNodeName(), 30);
  }

  public static ClusterConfig from(JsonObject json) {
    boolean enabled = bool(json, "CLUSTER");
    NodeRole role = role(json);
    if (!enabled && role != NodeRole.ALL) {
      throw new ConfigException("NODE_ROLE", "is " + role.name().toLowerCase(Locale.ROOT)
          + " but CLUSTER is not true: an api or worker node needs the clustered event bus");
    }
    String host = text(json, "CLUSTER_HOST", "127.0.0.1");
    int port = port(json, "CLUSTER_PORT", 5701, false);
    int busPort = port(json, "CLUSTER_BUS_PORT", 0, true);
    int busPublicPort = port(json, "CLUSTER_BUS_PUBLIC_PORT", busPort, true);
    List<String> members = new ArrayList<>();
    String list = text(json, "CLUSTER_MEMBERS", host + ":" + port);
    for (String member : list.split(",")) {
      String m = member.trim();
      if (m.isEmpty()) {
        continue;
      }
      int colon = m.lastIndexOf(':');
      if (colon <= 0 || !m.substring(colon + 1).matches("\\d{1,5}")) {
        throw new ConfigException("CLUSTER_MEMBERS", "must be host:port,... (got '" + m + "')");
      }
      members.add(m);
    }
    long lease = number(json, "JOB_LEASE_SECONDS", 30);
    if (lease < 3 || lease > 3600) {
      throw new ConfigException("JOB_LEASE_SECONDS", "must be 3..3600 (renewed every third of it)");
    }
    return new ClusterConfig(enabled, members, host, port, busPort, busPublicPort, text(json, "CLUSTER_NAME", "customer-service"),
        role, text(json, "NODE_NAME", defaultNodeName()), (int) lease);
  }

  private static String defaultNodeName() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return ProcessHandle.current().pid() + "@" + host;
  }

  private static NodeRole role(JsonObject json) {
    String value = text(json, "NODE_ROLE", "all");
    try {
      return NodeRole.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("NODE_ROLE", "must be all, api or worker (got '" + value + "')");
    }
  }

  private static String text(JsonObject json, String key, String fallback) {
    Object v = json.getValue(key);
    return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
  }

  private static boolean bool(JsonObject json, String key) {
    String v = text(json, key, "false").toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ConfigException(key, "must be true or false (got '" + v + "')");
    }
    return v.equals("true");
  }

  private static long number(JsonObject json, String key, long fallback) {
    String v = text(json, key, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a whole number (got '" + v + "')");
    }
  }

  private static int port(JsonObject json, String key, int fallback, boolean zeroAllowed) {
    long p = number(json, key, fallback);
    if (p < (zeroAllowed ? 0 : 1) || p > 65535) {
      throw new ConfigException(key, "must be a port number (got " + p + ")");
    }
    return (int) p;
  }
}
