package com.zenlogic.customerservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The structural part of scripts/check-deploy, for machines without python3 + PyYAML (and so it
 * runs with every build): the Kubernetes manifests and the compose file reference each other
 * consistently. Schema validity is left to the real tools (docker-compose, promtool,
 * kubernetes-models) that scripts/check-deploy runs where they install.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final Set<String> NODE_KEYS = Set.of("DB_URL", "DB_APP_PASSWORD", "REDIS_URL", "AMQP_URL",
      "OPS_TOKEN", "NODE_ROLE", "CLUSTER", "CLUSTER_MEMBERS", "CLUSTER_HOST", "CLUSTER_PORT", "CLUSTER_BUS_PORT");

  @Test
  void kubernetesDeploymentsServicesAndBudgetsReferToEachOther() throws IOException {
    Map<String, Map<String, Map<String, Object>>> byKind = new HashMap<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : yaml().loadAll(Files.readString(f))) {
          if (doc == null) {
            continue;
          }
          Map<String, Object> obj = map(doc);
          byKind.computeIfAbsent((String) obj.get("kind"), k -> new HashMap<>())
              .put((String) map(obj.get("metadata")).get("name"), obj);
        }
      }
    }
    Map<String, Map<String, Object>> deployments = byKind.getOrDefault("Deployment", Map.of());
    assertEquals(Set.of("customer-service-api", "customer-service-worker"), deployments.keySet());
    Map<String, Map<String, Object>> podLabels = new HashMap<>();
    Map<String, Map<String, Object>> podPorts = new HashMap<>();
    for (var e : deployments.entrySet()) {
      String where = "Deployment/" + e.getKey();
      Map<String, Object> spec = map(e.getValue().get("spec"));
      Map<String, Object> template = map(spec.get("template"));
      Map<String, Object> labels = map(map(template.get("metadata")).get("labels"));
      assertTrue(matches(map(map(spec.get("selector")).get("matchLabels")), labels), where + ": selector != labels");
      podLabels.put(e.getKey(), labels);
      Map<String, Object> ports = new HashMap<>();
      Set<String> env = new HashSet<>();
      for (Object c : list(map(template.get("spec")).get("containers"))) {
        Map<String, Object> container = map(c);
        for (Object p : list(container.get("ports"))) {
          Map<String, Object> port = map(p);
          assertTrue(port.containsKey("name"), where + ": unnamed container port " + port);
          ports.put((String) port.get("name"), port.get("containerPort"));
        }
        assertEquals(8007, ports.get("http"), where + ": http port");
        checkProbe(where, container, "readinessProbe", "/health/ready", ports);
        checkProbe(where, container, "livenessProbe", "/health", ports);
        if (container.containsKey("startupProbe")) {
          checkProbe(where, container, "startupProbe", "/health", ports);
        }
        for (Object ef : list(container.get("envFrom"))) {
          Map<String, Object> from = map(ef);
          if (from.containsKey("configMapRef")) {
            env.addAll(map(refd(byKind, "ConfigMap", from.get("configMapRef"), where).get("data")).keySet());
          }
          if (from.containsKey("secretRef")) {
            env.addAll(map(refd(byKind, "Secret", from.get("secretRef"), where).get("stringData")).keySet());
          }
        }
        for (Object v : list(container.get("env"))) {
          Map<String, Object> var = map(v);
          env.add((String) var.get("name"));
          if ("CLUSTER_HOST".equals(var.get("name"))) {
            assertEquals("status.podIP", map(map(var.get("valueFrom")).get("fieldRef")).get("fieldPath"), where);
          }
        }
      }
      Set<String> missing = new HashSet<>(NODE_KEYS);
      missing.removeAll(env);
      assertTrue(missing.isEmpty(), where + ": missing env " + missing);
      assertTrue(env.contains("JWT_HS256_SECRET") || env.contains("JWT_PUBLIC_KEY_PATH"), where + ": no JWT key");
      podPorts.put(e.getKey(), ports);
    }
    for (var e : byKind.getOrDefault("Service", Map.of()).entrySet()) {
      Map<String, Object> spec = map(e.getValue().get("spec"));
      List<String> targets = deployments.keySet().stream()
          .filter(d -> matches(map(spec.get("selector")), podLabels.get(d))).toList();
      assertTrue(!targets.isEmpty(), "Service/" + e.getKey() + " selects no pods");
      for (Object p : list(spec.get("ports"))) {
        Map<String, Object> port = map(p);
        assertTrue(port.containsKey("name"), "Service/" + e.getKey() + ": unnamed port");
        Object target = port.getOrDefault("targetPort", port.get("port"));
        for (String d : targets) {
          Map<String, Object> ports = podPorts.get(d);
          assertTrue(ports.containsKey(String.valueOf(target)) || ports.containsValue(target),
              "Service/" + e.getKey() + ": targetPort " + target + " not on " + d);
        }
      }
    }
    assertEquals("None", map(byKind.get("Service").get("customer-service-cluster").get("spec")).get("clusterIP"));
    Set<String> budgeted = new HashSet<>();
    for (var pdb : byKind.getOrDefault("PodDisruptionBudget", Map.of()).values()) {
      Map<String, Object> sel = map(map(map(pdb.get("spec")).get("selector")).get("matchLabels"));
      deployments.keySet().stream().filter(d -> matches(sel, podLabels.get(d))).forEach(budgeted::add);
    }
    assertEquals(deployments.keySet(), budgeted, "every Deployment has a PodDisruptionBudget");
    for (var hpa : byKind.getOrDefault("HorizontalPodAutoscaler", Map.of()).values()) {
      Object target = map(map(hpa.get("spec")).get("scaleTargetRef")).get("name");
      assertTrue(deployments.containsKey(target), "HPA targets unknown " + target);
    }
  }

  @Test
  void composeNodesHaveTheirKeysAndEveryServiceAHealthcheck() throws IOException {
    Map<String, Object> services = map(map(yaml().load(Files.readString(DEPLOY.resolve("docker-compose.yml")))).get("services"));
    List<String> nodes = new ArrayList<>();
    for (var e : services.entrySet()) {
      Map<String, Object> svc = map(e.getValue());
      assertTrue(svc.containsKey("healthcheck"), e.getKey() + ": no healthcheck");
      for (String dep : map(svc.get("depends_on")).keySet()) {
        assertTrue(services.containsKey(dep), e.getKey() + " depends on unknown " + dep);
      }
      Map<String, Object> env = map(svc.get("environment"));
      if (env.containsKey("NODE_ROLE")) {
        nodes.add(e.getKey());
        assertTrue(env.keySet().containsAll(NODE_KEYS), e.getKey() + ": env " + env.keySet());
        assertEquals(e.getKey(), env.get("CLUSTER_HOST"), e.getKey() + ": CLUSTER_HOST");
      }
    }
    assertEquals(List.of("api", "worker-1", "worker-2"), nodes.stream().sorted().toList());
    String prometheus = Files.readString(DEPLOY.resolve("prometheus/prometheus.yml"));
    nodes.forEach(n -> assertTrue(prometheus.contains("\"" + n + ":8007\""), "Prometheus does not scrape " + n));
  }

  private static void checkProbe(String where, Map<String, Object> container, String probe, String path,
      Map<String, Object> ports) {
    Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
    assertEquals(path, get.get("path"), where + ": " + probe + " path");
    Object port = get.get("port");
    assertTrue(ports.containsKey(String.valueOf(port)) || ports.containsValue(port), where + ": " + probe + " port " + port);
  }

  private static Map<String, Object> refd(Map<String, Map<String, Map<String, Object>>> byKind, String kind, Object ref,
      String where) {
    Object name = map(ref).get("name");
    Map<String, Object> obj = byKind.getOrDefault(kind, Map.of()).get(name);
    assertTrue(obj != null, where + ": unknown " + kind + " " + name);
    return obj;
  }

  private static boolean matches(Map<String, Object> selector, Map<String, Object> labels) {
    return !selector.isEmpty() && selector.entrySet().stream().allMatch(s -> s.getValue().equals(labels.get(s.getKey())));
  }

  private static Yaml yaml() {
    return new Yaml(new LoaderOptions());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }
}
