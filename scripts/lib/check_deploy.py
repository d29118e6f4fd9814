#!/usr/bin/env python3
"""Structural check of deploy/: what a schema validator does not see (selectors that match, probes
on the right paths, ports that resolve, the cluster wiring), plus the required fields of each kind.
Used by scripts/check-deploy; exits 1 listing every problem."""
import os
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy")
NODE_ROLES = {"all", "api", "worker"}
problems = []


def fail(where, msg):
    problems.append(f"{where}: {msg}")


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def subset(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_k8s():
    k8s = os.path.join(ROOT, "k8s")
    kustomization = yaml.safe_load(open(os.path.join(k8s, "kustomization.yaml")))
    listed = set(kustomization.get("resources", []))
    files = {f for f in os.listdir(k8s) if f.endswith(".yaml") and f != "kustomization.yaml"}
    for f in sorted(files - listed):
        fail("k8s/kustomization.yaml", f"{f} is not listed in resources")
    for f in sorted(listed - files):
        fail("k8s/kustomization.yaml", f"lists missing {f}")

    docs = []
    for f in sorted(files):
        for d in load_all(os.path.join(k8s, f)):
            where = f"k8s/{f} {d.get('kind')}/{(d.get('metadata') or {}).get('name')}"
            for key in ("apiVersion", "kind", "metadata"):
                if key not in d:
                    fail(where, f"missing {key}")
            if not (d.get("metadata") or {}).get("name"):
                fail(where, "missing metadata.name")
            docs.append((where, d))

    by_kind = {}
    for where, d in docs:
        by_kind.setdefault(d.get("kind"), []).append((where, d))
    names = {(d.get("kind"), d["metadata"]["name"]) for _, d in docs if d.get("metadata")}

    deployments = by_kind.get("Deployment", [])
    roles = set()
    for where, d in deployments:
        spec = d.get("spec", {})
        tpl = spec.get("template", {})
        labels = tpl.get("metadata", {}).get("labels", {})
        if not subset(spec.get("selector", {}).get("matchLabels"), labels):
            fail(where, "spec.selector.matchLabels does not match the pod template labels")
        containers = tpl.get("spec", {}).get("containers", [])
        if not containers:
            fail(where, "no containers")
        for c in containers:
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
            for need, num in (("http", 8007), ("grpc", 50007), ("hazelcast", 5701)):
                if ports.get(need) != num:
                    fail(where, f"container port {need} must be {num}")
            for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health")):
                get = (c.get(probe) or {}).get("httpGet") or {}
                if get.get("path") != path:
                    fail(where, f"{probe} must GET {path}")
                if get.get("port") not in ("http", 8007):
                    fail(where, f"{probe} must use port http (8007)")
            res = c.get("resources") or {}
            for need in ("cpu", "memory"):
                if need not in (res.get("requests") or {}):
                    fail(where, f"resources.requests.{need} missing")
            if "memory" not in (res.get("limits") or {}):
                fail(where, "resources.limits.memory missing")
            env = {e.get("name"): e for e in c.get("env", [])}
            role = (env.get("NODE_ROLE") or {}).get("value")
            if role not in NODE_ROLES:
                fail(where, f"NODE_ROLE must be one of {sorted(NODE_ROLES)}, is {role!r}")
            roles.add(role)
            for need in ("CLUSTER_MEMBERS", "CLUSTER_HOST"):
                if need not in env:
                    fail(where, f"env {need} missing")
            for ref in c.get("envFrom", []):
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in ref and (kind, ref[key]["name"]) not in names:
                        fail(where, f"envFrom {kind} {ref[key]['name']} is not defined")
    if not {"api", "worker"} <= roles and "all" not in roles:
        fail("k8s", f"Deployments cover roles {sorted(r for r in roles if r)}: need api and worker, or all")

    def pods_matching(selector):
        return [(w, d) for w, d in deployments
                if subset(selector, d["spec"]["template"]["metadata"].get("labels", {}))]

    services = by_kind.get("Service", [])
    exposed = set()
    for where, s in services:
        spec = s.get("spec", {})
        matched = pods_matching(spec.get("selector"))
        if not matched:
            fail(where, "selector matches no Deployment's pods")
        for p in spec.get("ports", []):
            exposed.add(p.get("port"))
            target = p.get("targetPort", p.get("port"))
            for w, d in matched:
                cports = d["spec"]["template"]["spec"]["containers"][0].get("ports", [])
                if not any(target in (cp.get("name"), cp.get("containerPort")) for cp in cports):
                    fail(where, f"targetPort {target} is not a container port of {w}")
        if any(p.get("port") == 5701 for p in spec.get("ports", [])):
            if spec.get("clusterIP") != "None":
                fail(where, "the Hazelcast discovery Service must be headless (clusterIP: None)")
            if len(matched) != len(deployments):
                fail(where, "the Hazelcast discovery Service must select every role")
        if any(p.get("port") == 50007 for p in spec.get("ports", [])):
            if spec.get("clusterIP") != "None" and not s["metadata"].get("annotations"):
                fail(where, "gRPC Service: headless or an annotation on how calls are balanced")
    for port in (8007, 50007, 5701):
        if port not in exposed:
            fail("k8s", f"no Service exposes port {port}")

    for where, h in by_kind.get("HorizontalPodAutoscaler", []):
        ref = h.get("spec", {}).get("scaleTargetRef", {})
        if (ref.get("kind"), ref.get("name")) not in names:
            fail(where, f"scaleTargetRef {ref.get('kind')}/{ref.get('name')} is not defined")
        spec = h.get("spec", {})
        if spec.get("minReplicas", 1) > spec.get("maxReplicas", 0):
            fail(where, "minReplicas > maxReplicas")
        if not any(m.get("resource", {}).get("name") == "cpu" for m in spec.get("metrics", [])):
            fail(where, "no CPU metric")
    if not by_kind.get("HorizontalPodAutoscaler"):
        fail("k8s", "no HorizontalPodAutoscaler")
    for where, p in by_kind.get("PodDisruptionBudget", []):
        if not pods_matching(p.get("spec", {}).get("selector", {}).get("matchLabels")):
            fail(where, "selector matches no Deployment's pods")
    if not by_kind.get("PodDisruptionBudget"):
        fail("k8s", "no PodDisruptionBudget")


def check_compose():
    compose = yaml.safe_load(open(os.path.join(ROOT, "docker-compose.yml")))
    services = compose.get("services", {})
    nodes = {n: s for n, s in services.items() if n.startswith("customer-service")}
    if len(nodes) != 3:
        fail("docker-compose.yml", f"expected 3 customer-service nodes, found {len(nodes)}")
    for need in ("postgres", "redis", "rabbitmq", "prometheus", "grafana"):
        if need not in services:
            fail("docker-compose.yml", f"service {need} missing")
    if not str(services.get("postgres", {}).get("image", "")).startswith("postgres:15"):
        fail("docker-compose.yml", "postgres must be PostgreSQL 15")
    if not str(services.get("rabbitmq", {}).get("image", "")).startswith("rabbitmq:3.10-management"):
        fail("docker-compose.yml", "rabbitmq must be 3.10 with management")
    hosts = set()
    for name, s in nodes.items():
        where = f"docker-compose.yml {name}"
        env = s.get("environment", {})
        if str(env.get("CLUSTER")).lower() != "true":
            fail(where, "CLUSTER must be true")
        if env.get("NODE_ROLE") not in NODE_ROLES:
            fail(where, "NODE_ROLE missing or unknown")
        for need in ("DB_URL", "DB_APP_PASSWORD", "CLUSTER_PORT"):
            if need not in env:
                fail(where, f"{need} missing")
        members = str(env.get("CLUSTER_MEMBERS", "")).split(",")
        if sorted(members) != sorted(f"{n}:{env.get('CLUSTER_PORT')}" for n in nodes):
            fail(where, "CLUSTER_MEMBERS must list the three nodes host:CLUSTER_PORT")
        if env.get("CLUSTER_HOST") != s.get("hostname", name):
            fail(where, "CLUSTER_HOST must be the node's own hostname")
        hosts.add(env.get("CLUSTER_HOST"))
        test = " ".join(s.get("healthcheck", {}).get("test", []))
        if "/health" not in test:
            fail(where, "healthcheck must call /health or /health/ready")
    if len(hosts) != len(nodes):
        fail("docker-compose.yml", "CLUSTER_HOST must differ per node")
    prom = yaml.safe_load(open(os.path.join(ROOT, "prometheus", "prometheus.yml")))
    job = next((j for j in prom.get("scrape_configs", []) if j.get("job_name") == "customer-service"), None)
    if not job:
        fail("prometheus.yml", "no customer-service job")
        return
    if job.get("metrics_path") != "/metrics":
        fail("prometheus.yml", "metrics_path must be /metrics")
    if (job.get("authorization") or {}).get("type") != "Bearer":
        fail("prometheus.yml", "must send the OPS_TOKEN as a Bearer token")
    targets = {t for sc in job.get("static_configs", []) for t in sc.get("targets", [])}
    if targets != {f"{n}:8007" for n in nodes}:
        fail("prometheus.yml", f"targets {sorted(targets)} are not the three nodes on 8007")


check_k8s()
check_compose()
for p in problems:
    print(f"check-deploy: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
