#!/usr/bin/env bash
# Drop a throwaway test database created by pg-test-db.sh (argument: its URL).
set -euo pipefail
name="${1##*/}"
case "$name" in caseman_test_*) ;; *) echo "refusing to drop $name" >&2; exit 1 ;; esac
if [ "$(id -u)" -eq 0 ]; then su postgres -c "dropdb --if-exists $name"; else sudo -u postgres dropdb --if-exists "$name"; fi
