#!/usr/bin/env bash
# Runs the export tests against the real WordPress and Ghost: installs what is
# missing, starts both on free loopback ports with their data in a temp dir,
# runs the ignored `cms_real` tests (a missing server fails them), and stops
# both servers whatever happens. Extra arguments go to the test binary
# (e.g. a test name filter).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tests/cms"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/beatdesk-cms.XXXXXX")"

cleanup() {
  local rc=$?
  bash "$HERE/ghost.sh" stop "$DATA" || true
  bash "$HERE/wordpress.sh" stop "$DATA" || true
  if [ $rc -ne 0 ] && [ -z "${KEEP_CMS_DATA:-}" ]; then
    # Keep the servers' logs visible in CI output before the folder goes.
    for f in "$DATA"/wordpress/php.log "$DATA"/wordpress/setup.log "$DATA"/ghost/ghost.log; do
      [ -f "$f" ] && { echo "== tail $f" >&2; tail -20 "$f" >&2; }
    done
  fi
  [ -n "${KEEP_CMS_DATA:-}" ] && echo "cms data kept in $DATA" >&2 || rm -rf "$DATA"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ghost's one-off install (5-6 min) and WordPress's apt install run side by side.
bash "$HERE/ghost.sh" install &
ghost_install=$!
bash "$HERE/wordpress.sh" start "$DATA"
wait $ghost_install
bash "$HERE/ghost.sh" start "$DATA"

set -a
. "$DATA/wordpress.env"
. "$DATA/ghost.env"
set +a
cd "$ROOT"
keyctl session - cargo test -p beatdesk-core --test cms_real -- --ignored --test-threads=2 "$@"
