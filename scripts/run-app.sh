#!/usr/bin/env bash
# Builds and opens Beatdesk with the offline demo beat loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build
cargo build -p beatdesk-cli -p beatdesk-app
# The demo beat ships with Beatdesk: no network, no API keys.
target/debug/beatdesk demo
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running under Xvfb (screenshot with: import -display \$DISPLAY -window root shot.png)"
  exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" target/debug/beatdesk-app
fi
exec target/debug/beatdesk-app
