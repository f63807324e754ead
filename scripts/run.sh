#!/usr/bin/env bash
# `make run`: database, schema, data, API and UI, then watch them. When any part stops, say which and stop
# the rest (and the database, when we started it), so a second `make run` starts cleanly; Ctrl-C does the
# same. Each part runs in a process group of its own, so stopping it stops its children too (the API's
# workers, Node's). A run that was itself killed leaves its groups in .data/run.pids: the next run stops them.
#
# Settings (environment): API_PORT, UI_PORT, DATABASE_URL, EMBEDDED_PG_PORT, DATA_DIR (the embedded server's
# files, default .data), SEED_DIR (default seed_data), PROXY_SECRET (default: a new one per run),
# SESSION_COOKIE_SECURE (default false: plain HTTP on 127.0.0.1; see docker-compose.yml for behind TLS).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
API_PORT=${API_PORT:-8000}
UI_PORT=${UI_PORT:-3000}
SEED_DIR=${SEED_DIR:-seed_data}
STATE_DIR=${DATA_DIR:-.data}
PIDS_FILE="$STATE_DIR/run.pids"
export NEXT_TELEMETRY_DISABLED=1 API_PORT UI_PORT
# The UI's proxy and the API share this secret: with it, the API believes the client address the UI forwards
# (service/client_address.py); nobody else knows it.
PROXY_SECRET=${PROXY_SECRET:-$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')}
export PROXY_SECRET
export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-false}
# Sign-in failures and remembered devices, kept across runs (service/auth/rate_limit.py).
export LOGIN_LIMITER_FILE=${LOGIN_LIMITER_FILE:-$STATE_DIR/sign-in-limits.sqlite}
mkdir -p "$STATE_DIR"

declare -A names=()
pids=()
stopping=0

say() { echo "make run: $*" >&2; }

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stop_groups() {  # stop_groups PGID...: TERM, up to 10 s to finish, then KILL
  local pgid waited
  for pgid in "$@"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for waited in $(seq 1 100); do
    local alive=0
    for pgid in "$@"; do group_alive "$pgid" && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for pgid in "$@"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
}

stop_all() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap - INT TERM EXIT
  if [ "${#pids[@]}" -gt 0 ]; then
    say "stopping ${names[*]}..."
    stop_groups "${pids[@]}"
    wait 2>/dev/null || true
  fi
  rm -f "$PIDS_FILE"
  if [ -z "${DATABASE_URL:-}" ]; then "$BIN/medspa" db stop >/dev/null 2>&1 || true; fi
  say "stopped."
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

start() {  # start NAME COMMAND...: in a new session (its own process group), remembered by pid
  local name=$1
  shift
  setsid "$@" &
  pids+=("$!")
  names[$!]=$name
  echo "$! $name" >>"$PIDS_FILE"
}

stopped_name=""
stopped_status=0
stopped_part() {  # true when a part has exited: its name and exit status in stopped_name, stopped_status
  local pid
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      stopped_status=0
      wait "$pid" 2>/dev/null || stopped_status=$?
      stopped_name=${names[$pid]}
      return 0
    fi
  done
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Leftovers of a run that was killed before it could stop its parts.
if [ -f "$PIDS_FILE" ]; then
  leftovers=()
  while read -r pgid name; do
    if group_alive "$pgid"; then leftovers+=("$pgid"); say "stopping the $name left running by an earlier run"; fi
  done <"$PIDS_FILE"
  [ "${#leftovers[@]}" -gt 0 ] && stop_groups "${leftovers[@]}"
  rm -f "$PIDS_FILE"
fi
for port in "$API_PORT" "$UI_PORT"; do
  if ! port_free "$port"; then
    say "port $port is taken by another program; set API_PORT / UI_PORT to free ones"
    exit 1
  fi
done

echo "database:  $("$BIN/medspa" db start | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#')"
"$BIN/medspa" migrate
if ! ls "$SEED_DIR"/*.json >/dev/null 2>&1; then
  echo "$SEED_DIR/ is empty: generating a demo data set anchored today..."
  "$BIN/medspa" seed generate --out "$SEED_DIR"
fi
"$BIN/medspa" seed load --dir "$SEED_DIR" --if-empty
"$BIN/medspa" users demo

# Build the UI when there is no production build or its sources changed since (the /api proxy
# reads API_PORT at run time, so one build serves any port).
"$BIN/python" scripts/ui_build.py --build  # prints each step and a line every 15 s

# One API process per core (at most 4) by default; API_WORKERS=N overrides (service/settings.py).
start API "$BIN/medspa" api --port "$API_PORT"
start UI env UI_PORT="$UI_PORT" node dashboard-ui/server.mjs >/dev/null

ready=0
for _ in $(seq 1 120); do
  if stopped_part; then
    say "the $stopped_name stopped while starting (exit status $stopped_status): stopping everything"
    exit 1
  fi
  if curl -fsS "http://127.0.0.1:$API_PORT/api/health" >/dev/null 2>&1 &&
    curl -fsS -o /dev/null "http://127.0.0.1:$UI_PORT/login" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ "$ready" = 0 ]; then
  say "the API or the UI did not answer within 60 s: stopping everything"
  exit 1
fi
cat <<MSG

  Beauty Med Spa analytics is running.
    Dashboard:  http://127.0.0.1:$UI_PORT   (demo sign-in: manager / manager-demo-pass, frontdesk / frontdesk-demo-pass)
    API:        http://127.0.0.1:$API_PORT/api/health   (OpenAPI: http://127.0.0.1:$API_PORT/docs)
  Press Ctrl-C to stop.

MSG

# Watch: the first part to stop, whatever the reason, stops the rest.
while :; do
  if stopped_part; then
    say "the $stopped_name stopped (exit status $stopped_status): stopping everything"
    exit 1
  fi
  sleep 0.5
done
