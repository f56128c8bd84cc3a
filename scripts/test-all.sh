#!/usr/bin/env bash
# Runs every test: the Tauri-free crates, the UI, then the real window end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Ghost's one-off npm install (5-6 min, cached in ~/.cache/beatdesk) starts now,
# beside the cargo tests; tests/cms/run.sh waits for it (flock) further down.
mkdir -p target
bash tests/cms/ghost.sh install >target/ghost-install.log 2>&1 &

echo "== core crates (no webkit, no UI build needed)"
# keyctl gives the keychain tests a session keyring on a machine with no desktop session.
keyctl session - cargo test --workspace --exclude beatdesk-app

echo "== generated TypeScript bindings are up to date"
if ! git diff --quiet -- ui/src/bindings 2>/dev/null; then
  git --no-pager diff --stat -- ui/src/bindings
  echo "ui/src/bindings changed when the tests regenerated them: commit the new bindings" >&2
  exit 1
fi

echo "== the shared store on a real PostgreSQL (tests/pg), then the core suite on it"
# Installs Debian's postgresql if missing, runs a throw-away cluster on a unix
# socket in a temp dir, runs the ignored PostgreSQL tests, stops it whatever happens.
# The same cluster then runs the core's own suite on PostgreSQL (tests/pg/env.sh:
# every Store::open_in_memory is a fresh database there).
bash tests/pg/start.sh bash -c 'cargo test -p beatdesk-store-pg -- --ignored \
  && cargo test -p beatdesk-cli --test team -- --ignored \
  && bash tests/pg/env.sh keyctl session - cargo test -p beatdesk-store -p beatdesk-core -p beatdesk-ingest'

echo "== export to the real WordPress and Ghost on loopback (tests/cms)"
# Installs what is missing (apt: WordPress + MariaDB; Ghost from the cache),
# starts both with data in a temp dir, runs the ignored cms_real tests, stops both.
bash tests/cms/run.sh

echo "== UI: type check, unit tests, build"
npm --prefix ui run check
npm --prefix ui test
npm --prefix ui run build

echo "== the real window, end to end (tauri-driver + WebKitWebDriver under Xvfb)"
cargo build -p beatdesk-app -p beatdesk-cli
# Bounded: a stuck WebDriver session must fail the run, not hang it.
timeout 900 xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" keyctl session - \
  node --test --test-concurrency=1 --test-timeout=180000 tests/e2e/
# The window on a shared PostgreSQL store (LISTEN/NOTIFY): the same file
# skips itself above, and runs here inside a throw-away cluster.
timeout 300 bash tests/pg/start.sh bash tests/pg/env.sh \
  xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" keyctl session - \
  node --test --test-timeout=180000 tests/e2e/live-pg.test.mjs
echo "screenshots: tests/e2e/output/"
