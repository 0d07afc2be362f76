#!/usr/bin/env bash
# Make sure the services CI requires answer: PostgreSQL and Redis on this machine. Starts a stopped
# local server (Debian's packages), creates the CI database if it is missing, and exits non-zero
# when a service still does not answer, so CI fails instead of skipping tests.
#   usage: scripts/ensure-services.sh POSTGRES_URL REDIS_URL
set -euo pipefail
pg_url="$1"
redis_url="$2"

pg_ok() { pg_isready -q -d "$pg_url" -t 3 2>/dev/null; }
redis_ok() { [ "$(redis-cli -u "$redis_url" ping 2>/dev/null)" = "PONG" ]; }

if ! pg_ok && command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    echo "Starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_ok && break; sleep 1; done
fi
if ! pg_ok; then
  echo "PostgreSQL does not answer at $pg_url" >&2
  exit 1
fi

if ! redis_ok && command -v redis-server >/dev/null 2>&1; then
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 30); do redis_ok && break; sleep 1; done
fi
if ! redis_ok; then
  echo "Redis does not answer at $redis_url" >&2
  exit 1
fi

# The database named in the URL must exist: Django creates test_<name> through it.
db_name="${pg_url##*/}"
db_name="${db_name%%\?*}"
admin_url="${pg_url%/*}/postgres"
exists="$(psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'")"
if [ "$exists" != "1" ]; then
  echo "Creating database $db_name"
  psql "$admin_url" -qc "CREATE DATABASE \"$db_name\""
fi
echo "PostgreSQL and Redis answer."
