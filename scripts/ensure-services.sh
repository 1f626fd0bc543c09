#!/usr/bin/env bash
# Start PostgreSQL and Redis when they are not running (installing them if absent).
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

install_if_missing() {
  local cmd=$1 pkg=$2
  if ! command -v "$cmd" >/dev/null && ! ls /usr/lib/postgresql/*/bin/"$cmd" >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null
  fi
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  install_if_missing pg_ctlcluster postgresql
  version=$(ls /etc/postgresql | sort -n | tail -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
# The tests connect as "postgres" over TCP; a fresh cluster may want a password there.
if ! psql "postgres://postgres@127.0.0.1:5432/postgres" -Atc "select 1" >/dev/null 2>&1; then
  echo "Allowing local trust authentication for the test cluster"
  version=$(ls /etc/postgresql | sort -n | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  install_if_missing redis-server redis-server
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
echo "redis: $(redis-cli -h 127.0.0.1 -p 6379 ping)"
