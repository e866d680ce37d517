#!/usr/bin/env bash
# Runs the web server and one worker side by side until Ctrl-C, then stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ADDRESS="${STUDIO_ADDRESS:-127.0.0.1:8000}"

$PY manage.py qcluster &
worker=$!
$PY manage.py runserver --noreload "$ADDRESS" &
web=$!

stop() {
    kill "$web" "$worker" 2>/dev/null || true
    wait "$web" "$worker" 2>/dev/null || true
}
trap stop INT TERM EXIT

echo "Tuning Studio on http://$ADDRESS/ (worker pid $worker). Ctrl-C stops both."
# Whichever stops first brings the other down, so a dead worker is never hidden.
wait -n "$web" "$worker"
