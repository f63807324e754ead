#!/usr/bin/env bash
# `make run`: database, schema, data, API and UI, then wait; Ctrl-C stops everything we started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
API_PORT=${API_PORT:-8000}
UI_PORT=${UI_PORT:-3000}
export NEXT_TELEMETRY_DISABLED=1

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -z "${DATABASE_URL:-}" ]; then "$BIN/medspa" db stop >/dev/null || true; fi
  echo "stopped."
}
trap cleanup INT TERM EXIT

echo "database:  $("$BIN/medspa" db start | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#')"
"$BIN/medspa" migrate
if ! ls seed_data/*.json >/dev/null 2>&1; then
  echo "seed_data/ is empty: generating a demo data set anchored today..."
  "$BIN/medspa" seed generate --out seed_data
fi
"$BIN/medspa" seed load --dir seed_data --if-empty
"$BIN/medspa" users demo

# Build the UI when there is no production build or its sources changed since (the /api proxy
# reads API_PORT at run time, so one build serves any port).
.venv/bin/python scripts/ui_build.py --build  # prints each step and a line every 15 s

# One API process per core (at most 4) by default; API_WORKERS=N overrides (service/settings.py).
"$BIN/medspa" api --port "$API_PORT" & pids+=($!)
(cd dashboard-ui && exec npx next start -p "$UI_PORT" -H 127.0.0.1 >/dev/null) & pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$API_PORT/api/health" >/dev/null 2>&1 && \
  curl -fsS -o /dev/null "http://127.0.0.1:$UI_PORT/" 2>/dev/null && break
  sleep 0.5
done
cat <<MSG

  Beauty Med Spa analytics is running.
    Dashboard:  http://127.0.0.1:$UI_PORT   (demo sign-in: manager / manager-demo-pass, frontdesk / frontdesk-demo-pass)
    API:        http://127.0.0.1:$API_PORT/api/health   (OpenAPI: http://127.0.0.1:$API_PORT/docs)
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
