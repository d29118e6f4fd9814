# Shared by scripts/test and scripts/bench: make PostgreSQL, Redis and RabbitMQ reachable on this
# machine, installing (apt-get) and starting whatever is missing. Sourced, not run.

log() { printf '\033[1m[%s]\033[0m %s\n' "${LOG_TAG:-scripts}" "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  log "$name did not open port $port"; return 1
}

ensure_tools() {
  command -v java >/dev/null || apt_install openjdk-17-jdk-headless
  command -v mvn >/dev/null || apt_install maven
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    log "installing PostgreSQL"; apt_install postgresql postgresql-contrib
  fi
  if ! port_open 5432; then
    log "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    wait_port 5432 PostgreSQL
  fi
  # The test role owns the per-class test databases; created via the socket as postgres, so no
  # assumption about pg_hba trust. Over TCP it logs in with its password (scram or trust both work).
  as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q -d postgres" <<'SQL' >/dev/null
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'customer_test') THEN
    CREATE ROLE customer_test LOGIN CREATEDB CREATEROLE PASSWORD 'customer_test';
  ELSE
    ALTER ROLE customer_test LOGIN CREATEDB CREATEROLE PASSWORD 'customer_test';
  END IF;
END $$;
SQL
}

ensure_redis() {
  command -v redis-server >/dev/null || { log "installing Redis"; apt_install redis-server; }
  if ! port_open 6379; then
    log "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_port 6379 Redis
  fi
}

ensure_rabbitmq() {
  command -v rabbitmq-server >/dev/null || { log "installing RabbitMQ"; apt_install rabbitmq-server; }
  if ! port_open 5672; then
    log "starting RabbitMQ"
    as_root rabbitmq-server -detached || true
    wait_port 5672 RabbitMQ
  fi
  # Tests create their own vhosts through the management-free CLI; wait until the node answers it.
  for _ in $(seq 1 60); do as_root rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
}

