#!/bin/sh
# Serve the site on 127.0.0.1:5000 with the background-job consumer (Huey) beside it; stopping
# the site (Ctrl-C) stops the consumer too. Called by `make run` after setup and demo data.
set -eu
BIN=${BIN:-.venv/bin}
"$BIN/huey_consumer" caseman.jobs.worker.huey --workers 2 --worker-type thread --quiet &
consumer=$!
trap 'kill "$consumer" 2>/dev/null || true' EXIT INT TERM
"$BIN/flask" --app app run --host 127.0.0.1 --port 5000
