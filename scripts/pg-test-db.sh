#!/usr/bin/env bash
# Start PostgreSQL 15 if it is down, create a throwaway test database, print its URL.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! pg_lsclusters -h 2>/dev/null | awk '$1=="15" && $2=="main"' | grep -q online; then
  $SUDO pg_ctlcluster 15 main start >&2
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
for _ in $(seq 1 30); do
  as_pg "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
name="caseman_test_$$_$(date +%s)"
as_pg "psql -qAtc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='caseman_test') THEN CREATE ROLE caseman_test LOGIN PASSWORD 'caseman_test' CREATEDB; END IF; END\\\$\\\$;\"" >&2
as_pg "createdb -O caseman_test -E UTF8 -T template0 --lc-collate=C.UTF-8 --lc-ctype=C.UTF-8 $name" >&2
echo "postgresql+psycopg://caseman_test:caseman_test@127.0.0.1:5432/$name"
