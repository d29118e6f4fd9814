"""Structural check of deploy/: what the schema tools cannot see, the references between files.

Run by scripts/check-deploy (python3 + PyYAML). Prints one line per problem and exits 1 if any.
"""
import glob
import os
import re
import sys
from urllib.parse import urlparse

import yaml

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
DEPLOY = os.path.join(ROOT, "deploy")
problems = []


def fail(where, msg):
    problems.append(f"{where}: {msg}")


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


# Keys every node needs (README Configuration; the image runs with ZERO_CONFIG=false).
NODE_KEYS = {"DB_URL", "DB_APP_PASSWORD", "REDIS_URL", "AMQP_URL", "OPS_TOKEN", "NODE_ROLE",
             "CLUSTER", "CLUSTER_MEMBERS", "CLUSTER_HOST", "CLUSTER_PORT", "CLUSTER_BUS_PORT"}
JWT_KEYS = {"JWT_HS256_SECRET", "JWT_PUBLIC_KEY_PATH"}
ROLES = {"all", "api", "worker"}


def check_node_env(where, env):
    missing = NODE_KEYS - set(env)
    if missing:
        fail(where, "missing env " + ", ".join(sorted(missing)))
    if not JWT_KEYS & set(env):
        fail(where, "neither JWT_HS256_SECRET nor JWT_PUBLIC_KEY_PATH")
    role = env.get("NODE_ROLE")
    if isinstance(role, str) and role not in ROLES:
        fail(where, f"NODE_ROLE {role!r} not one of {sorted(ROLES)}")


# ---------------------------------------------------------------- docker-compose
compose_path = os.path.join(DEPLOY, "docker-compose.yml")
compose = load(compose_path)[0]
services = compose.get("services", {})
nodes = {n: s for n, s in services.items() if isinstance(s.get("environment"), dict) and "NODE_ROLE" in s["environment"]}
for name in ("postgres", "redis", "rabbitmq", "prometheus", "grafana"):
    if name not in services:
        fail("compose", f"no service {name}")
if not nodes:
    fail("compose", "no Customer Service node (a service with NODE_ROLE)")
roles = {s["environment"]["NODE_ROLE"] for s in nodes.values()}
if not ({"api", "worker"} <= roles or roles == {"all"}):
    fail("compose", f"roles {sorted(roles)}: need api + worker, or all")
if not services.get("postgres", {}).get("image", "").startswith("postgres:15"):
    fail("compose", "postgres is not PostgreSQL 15")
if services.get("rabbitmq", {}).get("image") != "rabbitmq:3.10-management":
    fail("compose", "rabbitmq is not rabbitmq:3.10-management")
for name, svc in services.items():
    if "healthcheck" not in svc:
        fail(f"compose {name}", "no healthcheck")
    for dep, cond in (svc.get("depends_on") or {}).items():
        if dep not in services:
            fail(f"compose {name}", f"depends on unknown service {dep}")
        elif cond.get("condition") == "service_healthy" and "healthcheck" not in services[dep]:
            fail(f"compose {name}", f"waits for {dep} healthy, which has no healthcheck")
ops_tokens = set()
for name, svc in nodes.items():
    env = svc["environment"]
    check_node_env(f"compose {name}", env)
    ops_tokens.add(env.get("OPS_TOKEN"))
    if env.get("CLUSTER_HOST") not in (name, svc.get("hostname")):
        fail(f"compose {name}", f"CLUSTER_HOST {env.get('CLUSTER_HOST')} is not this service")
    for member in str(env.get("CLUSTER_MEMBERS", "")).split(","):
        host, _, port = member.strip().partition(":")
        if host not in nodes:
            fail(f"compose {name}", f"CLUSTER_MEMBERS names {host}, not a node")
        if port != str(env.get("CLUSTER_PORT")):
            fail(f"compose {name}", f"CLUSTER_MEMBERS port {port} != CLUSTER_PORT")
    if "depends_on" not in svc or "postgres" not in svc["depends_on"]:
        fail(f"compose {name}", "does not wait for postgres")
    if not any("/health" in " ".join(map(str, svc.get("healthcheck", {}).get("test", []))) for _ in [0]):
        fail(f"compose {name}", "healthcheck does not probe /health")
    db = urlparse(env.get("DB_URL", ""))
    if db.hostname and db.hostname not in services:
        fail(f"compose {name}", f"DB_URL host {db.hostname} is not a service")
if len(ops_tokens) > 1:
    fail("compose", "nodes disagree on OPS_TOKEN")

# The init script creates the owner role and database DB_URL logs into.
init = os.path.join(DEPLOY, "postgres", "init-owner.sql")
if nodes:
    db = urlparse(next(iter(nodes.values()))["environment"]["DB_URL"])
    sql = open(init, encoding="utf-8").read() if os.path.exists(init) else ""
    if not re.search(rf"CREATE ROLE {db.username}\b.*LOGIN", sql):
        fail("postgres init", f"does not create login role {db.username}")
    if not re.search(rf"CREATE DATABASE {db.path.lstrip('/')} OWNER {db.username}\b", sql):
        fail("postgres init", f"does not create database {db.path.lstrip('/')} owned by {db.username}")
    mounts = " ".join(services.get("postgres", {}).get("volumes", []))
    if "init-owner.sql:/docker-entrypoint-initdb.d/" not in mounts:
        fail("compose postgres", "init-owner.sql not mounted into /docker-entrypoint-initdb.d")

# ---------------------------------------------------------------- prometheus + grafana
prom = load(os.path.join(DEPLOY, "prometheus", "prometheus.yml"))[0]
cs_jobs = [j for j in prom.get("scrape_configs", []) if j.get("metrics_path") == "/metrics" and j.get("authorization")]
if not cs_jobs:
    fail("prometheus", "no /metrics job with a bearer authorization")
scraped = set()
for job in cs_jobs:
    auth = job["authorization"]
    if auth.get("type", "Bearer") != "Bearer":
        fail("prometheus", "authorization is not Bearer")
    if ops_tokens and auth.get("credentials") not in ops_tokens and "credentials_file" not in auth:
        fail("prometheus", "bearer credentials differ from the nodes' OPS_TOKEN")
    for sc in job.get("static_configs", []):
        for t in sc.get("targets", []):
            scraped.add(t)
want = {f"{n}:8007" for n in nodes}
if scraped != want:
    fail("prometheus", f"targets {sorted(scraped)} != nodes {sorted(want)}")
ds = load(os.path.join(DEPLOY, "grafana", "provisioning", "datasources", "prometheus.yml"))[0]
urls = [d.get("url", "") for d in ds.get("datasources", []) if d.get("type") == "prometheus"]
if not urls or urlparse(urls[0]).hostname != "prometheus":
    fail("grafana", "no Prometheus datasource pointing at the prometheus service")

# ---------------------------------------------------------------- alert rules + dashboard
if "alerts.yml" not in (prom.get("rule_files") or []):
    fail("prometheus", "rule_files does not load alerts.yml")
if "alerts.yml:/etc/prometheus/alerts.yml" not in " ".join(services.get("prometheus", {}).get("volumes", [])):
    fail("compose prometheus", "alerts.yml not mounted beside prometheus.yml")
METRIC = re.compile(r"\b((?:customer|vertx|jvm|process|system)_[a-zA-Z0-9_:]*)")
expressions = []
rules = load(os.path.join(DEPLOY, "prometheus", "alerts.yml"))[0]
for group in rules.get("groups", []):
    for rule in group.get("rules", []):
        where = f"alert {rule.get('alert')}"
        for key in ("alert", "expr", "labels", "annotations"):
            if key not in rule:
                fail(where, f"no {key}")
        if rule.get("labels", {}).get("severity") not in ("warning", "critical"):
            fail(where, "severity is not warning or critical")
        if "runbook" not in rule.get("annotations", {}):
            fail(where, "no runbook annotation")
        expressions.append((where, rule.get("expr", "")))
import json
dash_dir = os.path.join(DEPLOY, "grafana", "dashboards")
provider = load(os.path.join(DEPLOY, "grafana", "provisioning", "dashboards", "customer-service.yml"))[0]
paths = [p.get("options", {}).get("path") for p in provider.get("providers", [])]
if f"./grafana/dashboards:{paths[0] if paths else ''}" not in " ".join(services.get("grafana", {}).get("volumes", [])):
    fail("compose grafana", "deploy/grafana/dashboards not mounted where the dashboard provider reads")
dashboards = sorted(glob.glob(os.path.join(dash_dir, "*.json")))
if not dashboards:
    fail("grafana", "no dashboard JSON in deploy/grafana/dashboards")
for path in dashboards:
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        dash = json.load(f)
    for key in ("uid", "title", "panels"):
        if key not in dash:
            fail(name, f"no {key}")
    ids = [p.get("id") for p in dash.get("panels", [])]
    if len(ids) != len(set(ids)):
        fail(name, "panel ids are not unique")
    for panel in dash.get("panels", []):
        if panel.get("type") == "row":
            continue
        where = f"{name} panel {panel.get('title')!r}"
        if panel.get("datasource", {}).get("uid") != "prometheus":
            fail(where, "datasource is not the provisioned prometheus (uid prometheus)")
        gp = panel.get("gridPos", {})
        if not all(k in gp for k in ("h", "w", "x", "y")) or gp.get("x", 0) + gp.get("w", 0) > 24:
            fail(where, "gridPos incomplete or wider than 24")
        if not panel.get("targets"):
            fail(where, "no targets")
        for t in panel.get("targets", []):
            if not t.get("expr"):
                fail(where, f"target {t.get('refId')} has no expr")
            expressions.append((where, t.get("expr", "")))
# target/metrics-names.txt: what /metrics exposed in MetricsTest's scenario (written by that test).
names_path = os.path.join(ROOT, "target", "metrics-names.txt")
if os.path.exists(names_path):
    with open(names_path, encoding="utf-8") as f:
        exposed = {line.strip() for line in f if line.strip()}
    for where, expr in expressions:
        for m in METRIC.finditer(re.sub(r'"[^"]*"', '""', expr)):
            if m.group(1) not in exposed:
                fail(where, f"{m.group(1)} is not a metric the service exposes")

# ---------------------------------------------------------------- kubernetes
objs = []
for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
    for d in load(path):
        objs.append((os.path.basename(path), d))
by_kind = {}
for f, d in objs:
    by_kind.setdefault(d.get("kind"), {})[d["metadata"]["name"]] = d
    if "namespace" in d["metadata"]:
        fail(f, f"{d['kind']}/{d['metadata']['name']} names a namespace (manifests are namespace-less)")
for kind, names in {"ConfigMap": ["customer-service-config"], "Secret": ["customer-service-secrets"],
                    "Deployment": ["customer-service-api", "customer-service-worker"],
                    "Service": ["customer-service", "customer-service-cluster"],
                    "HorizontalPodAutoscaler": ["customer-service-api"],
                    "PodDisruptionBudget": ["customer-service-api", "customer-service-worker"]}.items():
    for n in names:
        if n not in by_kind.get(kind, {}):
            fail("k8s", f"no {kind}/{n}")


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


configmaps = by_kind.get("ConfigMap", {})
secrets = by_kind.get("Secret", {})
deployments = by_kind.get("Deployment", {})
pod_ports = {}  # deployment -> {port name: number}
for name, dep in deployments.items():
    where = f"k8s Deployment/{name}"
    spec = dep["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    if not matches(spec["selector"].get("matchLabels"), labels):
        fail(where, "selector.matchLabels do not match the pod template labels")
    env = {}
    ports = {}
    for c in spec["template"]["spec"]["containers"]:
        for ef in c.get("envFrom", []):
            if "configMapRef" in ef:
                ref = ef["configMapRef"]["name"]
                if ref not in configmaps:
                    fail(where, f"envFrom unknown ConfigMap {ref}")
                else:
                    env.update(configmaps[ref].get("data", {}))
            if "secretRef" in ef:
                ref = ef["secretRef"]["name"]
                if ref not in secrets:
                    fail(where, f"envFrom unknown Secret {ref}")
                else:
                    env.update(secrets[ref].get("stringData", {}) or secrets[ref].get("data", {}))
        for e in c.get("env", []):
            env[e["name"]] = e.get("value", e.get("valueFrom"))
        for p in c.get("ports", []):
            if "name" not in p:
                fail(where, f"container port {p.get('containerPort')} has no name")
            else:
                ports[p["name"]] = p["containerPort"]
        if ports.get("http") != 8007:
            fail(where, "no container port http 8007")
        probes = [("readinessProbe", "/health/ready"), ("livenessProbe", "/health")]
        if "startupProbe" in c:
            probes.append(("startupProbe", "/health"))
        for probe, path in probes:
            get = (c.get(probe) or {}).get("httpGet") or {}
            if get.get("path") != path:
                fail(where, f"{probe} path {get.get('path')} != {path}")
            if get.get("port") not in ports and get.get("port") not in ports.values():
                fail(where, f"{probe} port {get.get('port')} is not a container port")
        res = c.get("resources", {})
        if not res.get("requests", {}).get("cpu") or not res.get("requests", {}).get("memory"):
            fail(where, "no cpu/memory requests")
    pod_ports[name] = ports
    check_node_env(where, env)
    host = env.get("CLUSTER_HOST")
    if not (isinstance(host, dict) and host.get("fieldRef", {}).get("fieldPath") == "status.podIP"):
        fail(where, "CLUSTER_HOST is not taken from status.podIP")
    role = env.get("NODE_ROLE")
    if role in ("api", "all") and ports.get("grpc") != 50007:
        fail(where, "api node without container port grpc 50007")
    if ports.get("hazelcast") != 5701 or ports.get("eventbus") != 5801:
        fail(where, "container ports hazelcast 5701 / eventbus 5801 missing")

for name, svc in by_kind.get("Service", {}).items():
    where = f"k8s Service/{name}"
    sel = svc["spec"].get("selector", {})
    targets = [d for d, dep in deployments.items() if matches(sel, dep["spec"]["template"]["metadata"].get("labels", {}))]
    if not targets:
        fail(where, f"selector {sel} matches no Deployment's pods")
    for p in svc["spec"].get("ports", []):
        if "name" not in p:
            fail(where, f"port {p.get('port')} has no name")
        tp = p.get("targetPort", p.get("port"))
        for d in targets:
            if tp not in pod_ports.get(d, {}) and tp not in pod_ports.get(d, {}).values():
                fail(where, f"targetPort {tp} is not a container port of {d}")
svc_ports = lambda n: {p["port"] for p in by_kind.get("Service", {}).get(n, {}).get("spec", {}).get("ports", [])}
if svc_ports("customer-service") != {8007, 50007}:
    fail("k8s Service/customer-service", "ports are not 8007 and 50007")
cluster = by_kind.get("Service", {}).get("customer-service-cluster", {}).get("spec", {})
if cluster.get("clusterIP") != "None":
    fail("k8s Service/customer-service-cluster", "is not headless (clusterIP: None)")
if svc_ports("customer-service-cluster") != {5701, 5801}:
    fail("k8s Service/customer-service-cluster", "ports are not 5701 and 5801")
for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
    ref = hpa["spec"]["scaleTargetRef"]
    if ref.get("kind") != "Deployment" or ref.get("name") not in deployments:
        fail(f"k8s HPA/{name}", f"targets unknown {ref.get('kind')}/{ref.get('name')}")
    if not any(m.get("resource", {}).get("name") == "cpu" for m in hpa["spec"].get("metrics", [])):
        fail(f"k8s HPA/{name}", "does not scale on cpu")
covered = set()
for name, pdb in by_kind.get("PodDisruptionBudget", {}).items():
    sel = pdb["spec"]["selector"].get("matchLabels", {})
    hit = [d for d, dep in deployments.items() if matches(sel, dep["spec"]["template"]["metadata"].get("labels", {}))]
    if not hit:
        fail(f"k8s PDB/{name}", "selector matches no Deployment's pods")
    covered.update(hit)
if deployments and covered != set(deployments):
    fail("k8s", f"Deployments without a PodDisruptionBudget: {sorted(set(deployments) - covered)}")

for p in problems:
    print("  " + p)
print(f"structural: {len(services)} compose services, {len(objs)} k8s objects, {len(problems)} problems")
sys.exit(1 if problems else 0)
