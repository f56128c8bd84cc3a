#!/usr/bin/env bash
# Starts a throw-away PostgreSQL from Debian's packages, runs the given
# command against it, and stops it whatever happens.
#   tests/pg/start.sh cargo test -p beatdesk-store-pg --test pg -- --ignored
# The cluster lives in a temp dir and listens only on a unix socket in that
# dir (no TCP at all); password auth (SCRAM) everywhere, so the login tests
# are real (fsync off unless BEATDESK_PG_FSYNC=on, for benchmarks). The command gets BEATDESK_PG_TEST_{HOST,PORT,USER,PASSWORD,LOG}.
set -euo pipefail

BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "installing postgresql (Debian package)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # A fresh machine may have no package lists yet.
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends postgresql >&2
  BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

DATA="$(mktemp -d "${TMPDIR:-/tmp}/beatdesk-pg.XXXXXX")"
chmod 755 "$DATA"
# initdb refuses to run as root: the cluster then belongs to `postgres`.
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; chown postgres "$DATA"
else as_pg() { "$@"; }; fi

stop() {
  local rc=$?
  as_pg "$BIN/pg_ctl" -D "$DATA/db" -m immediate -w stop >/dev/null 2>&1 || true
  if [ $rc -ne 0 ] && [ -f "$DATA/log" ]; then echo "== tail $DATA/log" >&2; tail -20 "$DATA/log" >&2; fi
  rm -rf "$DATA"
  exit $rc
}
trap stop EXIT
trap 'exit 130' INT TERM

PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
as_pg sh -c "umask 077; printf '%s\n' '$PASSWORD' > '$DATA/pw'"
mkdir -p "$DATA/sock" && { [ "$(id -u)" = 0 ] && chown postgres "$DATA/sock" || true; }
as_pg "$BIN/initdb" -D "$DATA/db" -U beatdesk_admin --pwfile="$DATA/pw" \
  --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$DATA/initdb.log" 2>&1 \
  || { cat "$DATA/initdb.log" >&2; exit 1; }
as_pg rm -f "$DATA/pw"
PORT=5432
as_pg "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w -t 60 \
  -o "-c listen_addresses='' -k $DATA/sock -p $PORT -c fsync=${BEATDESK_PG_FSYNC:-off} -c log_statement=all" start >/dev/null

export BEATDESK_PG_TEST_HOST="$DATA/sock" BEATDESK_PG_TEST_PORT="$PORT"
export BEATDESK_PG_TEST_USER=beatdesk_admin BEATDESK_PG_TEST_PASSWORD="$PASSWORD"
# The server log (every statement): tests check no password reaches it.
export BEATDESK_PG_TEST_LOG="$DATA/log"
"$@"
