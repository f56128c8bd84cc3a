#!/usr/bin/env bash
# Installs everything Beatdesk needs to build, run and test on Debian/Ubuntu.
# Idempotent: quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libwebkit2gtk-4.1-dev pkg-config build-essential xvfb xauth webkit2gtk-driver
  keyutils imagemagick fonts-dejavu-core fonts-noto-color-emoji fonts-wqy-microhei python3 curl
  ca-certificates openssl)  # the store's TLS: system roots, and tests/pg's throw-away CA

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is required (https://rustup.rs): curl https://sh.rustup.rs -sSf | sh" >&2
  exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: Node.js 20+ and npm are required" >&2
  exit 1
fi

# tauri-driver 2.x (3.0 alphas are tagged latest on crates.io).
if ! [ -x "$HOME/.cargo/bin/tauri-driver" ]; then
  cargo install tauri-driver --version ^2 --locked
fi

[ -d ui/node_modules ] || npm --prefix ui ci --no-audit --no-fund
[ -d tests/e2e/node_modules ] || npm --prefix tests/e2e ci --no-audit --no-fund
