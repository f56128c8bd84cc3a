#!/usr/bin/env bash
# Starts a throw-away PostgreSQL from Debian's packages, runs the given
# command against it, and stops it whatever happens.
#   tests/pg/start.sh cargo test -p beatdesk-store-pg -- --ignored
# The cluster lives in a temp dir and listens on a unix socket in that dir
# and on 127.0.0.1 only (a free port), with TLS from a CA made here by
# openssl (server name `localhost` only; a second, unrelated CA for the
# refusal tests); password auth (SCRAM) everywhere, so the login tests are
# real (fsync off unless BEATDESK_PG_FSYNC=on, for benchmarks). The command
# gets BEATDESK_PG_TEST_{HOST,PORT,USER,PASSWORD,LOG,CA,WRONG_CA}.
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

if ! command -v openssl >/dev/null; then
  echo "installing openssl (Debian package), for the throw-away CA" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends openssl >&2
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
# A throw-away CA and a server certificate for `localhost` (no IP in it, so
# verify-full by 127.0.0.1 is refused while verify-ca is not), plus a CA that
# signed nothing here.
TLS="$DATA/tls" && mkdir -p "$TLS"
ossl() { openssl "$@" >>"$DATA/openssl.log" 2>&1 || { cat "$DATA/openssl.log" >&2; exit 1; }; }
for ca in ca wrong_ca; do
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=beatdesk test $ca" -keyout "$TLS/$ca.key" -out "$TLS/$ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
done
ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
  -keyout "$TLS/server.key" -out "$TLS/server.csr"
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$TLS/server.ext"
ossl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" -CAcreateserial \
  -days 2 -extfile "$TLS/server.ext" -out "$TLS/server.crt"
chmod 600 "$TLS/server.key"
[ "$(id -u)" = 0 ] && chown postgres "$TLS/server.key" "$TLS/server.crt"

# A free loopback port (the socket in the temp dir uses the same number).
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -k $DATA/sock -p $PORT -c fsync=${BEATDESK_PG_FSYNC:-off} -c log_statement=all -c ssl=on -c ssl_cert_file=$TLS/server.crt -c ssl_key_file=$TLS/server.key" start >/dev/null

export BEATDESK_PG_TEST_HOST="$DATA/sock" BEATDESK_PG_TEST_PORT="$PORT"
export BEATDESK_PG_TEST_USER=beatdesk_admin BEATDESK_PG_TEST_PASSWORD="$PASSWORD"
# The server log (every statement): tests check no password reaches it.
export BEATDESK_PG_TEST_LOG="$DATA/log"
export BEATDESK_PG_TEST_CA="$TLS/ca.crt" BEATDESK_PG_TEST_WRONG_CA="$TLS/wrong_ca.crt"
"$@"
