#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the real window on the demo beat.
set -euo pipefail
cd "$(dirname "$0")/.."
npm --prefix ui run build
cargo build -p beatdesk-app -p beatdesk-cli
timeout 300 xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" keyctl session - \
  node tests/e2e/screenshots.mjs
