#!/usr/bin/env bash
# The real Ghost 5.130.6 on 127.0.0.1 for the export tests: SQLite, data in
# DATA_DIR, a loopback guard preloaded so nothing leaves the machine.
#   ghost.sh install          npm install into ~/.cache/beatdesk (once; 5-6 minutes)
#   ghost.sh start DATA_DIR   writes DATA_DIR/ghost.env (URL, Admin API key)
#   ghost.sh stop DATA_DIR
# Facts and gotchas: shared/reference/cms-servers.md (G1-G17).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/lib.sh"

start() {
  local D; D="$(mkdir -p "$1" && cd "$1" && pwd)/ghost"
  if [ -f "$D/ghost.env" ] && alive "$(cat "$D/node.pgid" 2>/dev/null || echo 0)"; then
    cp "$D/ghost.env" "$1/ghost.env"; return 0
  fi
  local INSTALL; INSTALL=$(bash "$HERE/ghost-install.sh")
  mkdir -p "$D"
  local PORT; PORT=$(free_port)
  local URL="http://127.0.0.1:$PORT"
  [ -d "$D/content" ] || cp -r "$INSTALL/content" "$D/content"
  mkdir -p "$D/content/data" "$D/content/logs"
  # Ghost finds its package from the working directory or ./current (G6).
  ln -sfn "$INSTALL" "$D/current"
  cp "$HERE/loopback-guard.js" "$D/loopback-guard.js"
  cat > "$D/config.development.json" <<JSON
{
  "url": "$URL",
  "server": { "host": "127.0.0.1", "port": $PORT },
  "database": {
    "client": "sqlite3",
    "connection": { "filename": "$D/content/data/ghost.db" },
    "useNullAsDefault": true
  },
  "paths": { "contentPath": "$D/content/" },
  "mail": { "transport": "stub" },
  "logging": { "transports": ["stdout"], "level": "info" },
  "privacy": { "useTinfoil": true },
  "security": { "staffDeviceVerification": false }
}
JSON
  (cd "$D"; NODE_ENV=development BEATDESK_GUARD_LOG="$D/guard.log" setsid node \
     --require "$D/loopback-guard.js" "$D/current/index.js" </dev/null >"$D/ghost.log" 2>&1 &
   echo $! > "$D/node.pgid")
  # First boot runs the migrations: allow a minute on a loaded machine.
  wait_http "$URL/ghost/api/admin/site/" 120 || { tail -30 "$D/ghost.log" >&2; return 1; }

  # Owner, session (needs an Origin, G8), integration; the admin key is already id:secret (G9).
  local API="$URL/ghost/api/admin" PW JAR="$D/cookies.txt"
  PW=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  curl -sf -X POST "$API/authentication/setup/" -H 'Content-Type: application/json' -H "Origin: $URL" \
    -d "{\"setup\":[{\"name\":\"Desk Owner\",\"email\":\"owner@example.invalid\",\"password\":\"$PW\",\"blogTitle\":\"Beatdesk test desk\"}]}" >/dev/null
  curl -sf -c "$JAR" -X POST "$API/session/" -H 'Content-Type: application/json' -H "Origin: $URL" \
    -d "{\"username\":\"owner@example.invalid\",\"password\":\"$PW\"}" >/dev/null
  local KEY
  KEY=$(curl -sf -b "$JAR" -X POST "$API/integrations/?include=api_keys,webhooks" \
    -H 'Content-Type: application/json' -H "Origin: $URL" \
    -d '{"integrations":[{"name":"beatdesk-tests"}]}' |
    python3 -c 'import json,sys
keys = json.load(sys.stdin)["integrations"][0]["api_keys"]
k = [k for k in keys if k["type"] == "admin"][0]
s = k["secret"]
print(s if ":" in s else k["id"] + ":" + s)')
  rm -f "$JAR"
  cat > "$D/ghost.env" <<ENV
BEATDESK_TEST_GHOST_URL=$URL
BEATDESK_TEST_GHOST_ADMIN_KEY=$KEY
BEATDESK_TEST_GHOST_LOG=$D/ghost.log
BEATDESK_TEST_GHOST_GUARD_LOG=$D/guard.log
ENV
  cp "$D/ghost.env" "$1/ghost.env"
  echo "ghost: up at $URL" >&2
}

stop() {
  local D="$1/ghost"
  [ -d "$D" ] || return 0
  stop_group "$(cat "$D/node.pgid" 2>/dev/null || true)"
  rm -f "$D/node.pgid" "$1/ghost.env"
}

case "${1:-}" in
  install) bash "$HERE/ghost-install.sh" >/dev/null ;;
  start) start "${2:?DATA_DIR}" ;;
  stop) stop "${2:?DATA_DIR}" ;;
  *) echo "usage: $0 install | start DATA_DIR | stop DATA_DIR" >&2; exit 2 ;;
esac
