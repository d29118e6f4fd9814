package com.zenlogic.customerservice.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A cluster of real service JVMs on 127.0.0.1: each node is {@code java -cp <test classpath>
 * com.zenlogic.customerservice.Main} with its environment (its own ports, the shared test
 * database, Redis key prefix, broker vhost and JWT secret). Logs go to target/cluster-nodes/.
 */
public final class ClusterNodes implements AutoCloseable {
  public final TestDatabase db;
  public final String amqpUrl;
  public final String cachePrefix = "test-cluster-" + UUID.randomUUID();
  private final String clusterName = "cs-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Node> nodes = new ArrayList<>();
  private final List<Integer> memberPorts = new ArrayList<>();
  private final Map<String, String> common = new HashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One JVM of the cluster. */
  public static final class Node {
    public final String name;
    public final String role;
    public final int httpPort;
    public final int grpcPort;
    public final int clusterPort;
    public final int busPort;
    public final Path log;
    private Process process;

    Node(String name, String role, int httpPort, int grpcPort, int clusterPort, int busPort, Path log) {
      this.name = name;
      this.role = role;
      this.httpPort = httpPort;
      this.grpcPort = grpcPort;
      this.clusterPort = clusterPort;
      this.busPort = busPort;
      this.log = log;
    }

    public boolean alive() {
      return process != null && process.isAlive();
    }

    @Override
    public String toString() {
      return name + "(" + role + ", http " + httpPort + ", grpc " + grpcPort + ")";
    }
  }

  public ClusterNodes(TestDatabase db, String amqpUrl, int jobLeaseSeconds) {
    this.db = db;
    this.amqpUrl = amqpUrl;
    common.put("DB_URL", db.url());
    common.put("DB_APP_USER", "customer_app_test");
    common.put("DB_APP_PASSWORD", "customer_app_test");
    common.put("DB_POOL_SIZE", "8");
    common.put("JWT_HS256_SECRET", TestApp.SECRET);
    common.put("REDIS_URL", "redis://127.0.0.1:6379");
    common.put("CACHE_KEY_PREFIX", cachePrefix);
    if (amqpUrl != null) {
      common.put("AMQP_URL", amqpUrl);
    }
    common.put("HTTP_INSTANCES", "1");
    common.put("GRPC_INSTANCES", "1");
    common.put("DEFAULT_PHONE_REGION", "CL");
    common.put("CLUSTER", "true");
    common.put("CLUSTER_HOST", "127.0.0.1");
    common.put("CLUSTER_NAME", clusterName);
    common.put("JOB_LEASE_SECONDS", Integer.toString(jobLeaseSeconds));
    common.put("LOYALTY_JOBS_FIRST_RUN_SECONDS", "5");
    common.put("LOYALTY_JOBS_INTERVAL_SECONDS", "5");
  }

  /** Starts a node (does not wait): role all, api or worker; extra env overrides (e.g. CLUSTER_BUS_PUBLIC_PORT). */
  public Node start(String name, String role, Map<String, String> extra) throws IOException {
    int clusterPort = listenPort();
    int busPort = listenPort();
    Node node = new Node(name, role, listenPort(), listenPort(), clusterPort, busPort,
        Path.of("target", "cluster-nodes", clusterName, name + ".log"));
    Files.createDirectories(node.log.getParent());
    memberPorts.add(clusterPort);
    Map<String, String> env = new HashMap<>(common);
    env.put("HTTP_PORT", Integer.toString(node.httpPort));
    env.put("GRPC_PORT", Integer.toString(node.grpcPort));
    env.put("CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("CLUSTER_BUS_PORT", Integer.toString(busPort));
    env.put("CLUSTER_MEMBERS", memberPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("NODE_ROLE", role);
    env.put("NODE_NAME", name);
    env.putAll(extra);
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dvertx.disableDnsResolver=true", "-cp", classpath, "com.zenlogic.customerservice.Main")
        .redirectErrorStream(true).redirectOutput(node.log.toFile()).directory(new File(System.getProperty("user.dir")));
    pb.environment().keySet().removeIf(k -> k.startsWith("CLUSTER") || k.startsWith("NODE_") || k.startsWith("JOB_"));
    pb.environment().putAll(env);
    node.process = pb.start();
    nodes.add(node);
    return node;
  }

  private static final java.util.Set<Integer> TAKEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port for a node to listen on, below the kernel's ephemeral range (32768+ here): a port the OS
   * hands out for "any free port" can be taken meanwhile by an outgoing connection of the nodes
   * themselves (Hazelcast, PostgreSQL, Redis clients), and the node then fails to bind.
   */
  public static int listenPort() throws IOException {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + random.nextInt(12_000);
      if (!TAKEN.add(port)) {
        continue;
      }
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(false);
        probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException inUse) {
        // try another
      }
    }
    throw new IOException("no free port in 20000-32000");
  }

  public Node start(String name, String role) throws IOException {
    return start(name, role, Map.of());
  }

  /** Waits until /health/ready answers 200, or fails with the node's log tail. */
  public void awaitReady(Node node, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!node.alive()) {
        throw new AssertionError(node + " exited: " + tail(node));
      }
      if (status(node, "/health/ready") == 200) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(node + " not ready in " + timeout + ": " + tail(node));
  }

  public int status(Node node, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** kill -9: no shutdown hook, no lease release, no goodbye to Hazelcast. */
  public void kill(Node node) throws InterruptedException {
    node.process.destroyForcibly();
    node.process.waitFor(10, TimeUnit.SECONDS);
  }

  /** A token the nodes accept (the shared HS256 secret), valid 30 minutes. */
  public static String token(UUID org, String... permissions) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("iss", "zenlogic-auth").put("aud", "customer-service").put("sub", "tester").put("user_id", "tester").put("organization_id", org.toString())
        .put("permissions", new JsonArray(List.of(permissions))).put("iat", now).put("exp", now + 1800);
    return Jwts.hs256(TestApp.SECRET, claims.encode());
  }

  public String tail(Node node) {
    try {
      List<String> lines = Files.readAllLines(node.log);
      return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  @Override
  public void close() throws Exception {
    for (Node node : nodes) {
      if (node.alive()) {
        node.process.destroy();
      }
    }
    for (Node node : nodes) {
      if (node.process != null && !node.process.waitFor(20, TimeUnit.SECONDS)) {
        node.process.destroyForcibly();
      }
    }
  }
}
