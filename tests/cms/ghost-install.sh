#!/usr/bin/env bash
# Installs Ghost 5.130.6 once into ~/.cache/beatdesk (Ghost 6 needs Node 22).
# Built in a temp dir and renamed into place; flock keeps parallel runs from racing.
# Prints the install path on stdout. Facts: shared/reference/cms-servers.md (G1-G5).
set -euo pipefail
VERSION=5.130.6
CACHE="${BEATDESK_CACHE:-$HOME/.cache/beatdesk}"
DEST="$CACHE/ghost-$VERSION"
mkdir -p "$CACHE"

installed() { [ -f "$DEST/.complete" ]; }
if installed; then echo "$DEST"; exit 0; fi

exec 9>"$CACHE/ghost-$VERSION.lock"
flock 9
if installed; then echo "$DEST"; exit 0; fi

command -v node >/dev/null || { echo "ghost-install: Node.js 20 is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "ghost-install: npm is required" >&2; exit 1; }
NODE_PREFIX="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[ -f "$NODE_PREFIX/include/node/node.h" ] || {
  echo "ghost-install: Node headers missing under $NODE_PREFIX/include/node (needed to compile sqlite3 and re2)" >&2
  exit 1
}

BUILD="$(mktemp -d "$CACHE/ghost-build.XXXXXX")"
trap 'rm -rf "$BUILD"' EXIT
cd "$BUILD"
echo "ghost-install: fetching ghost@$VERSION (5-6 minutes the first time)" >&2
npm pack --silent "ghost@$VERSION" >/dev/null
tar xzf "ghost-$VERSION.tgz"
cd package

# G4: dev dependencies would still be fetched (one from GitHub); yarn resolutions -> npm overrides.
node - <<'JS'
const fs = require('fs');
const p = JSON.parse(fs.readFileSync('package.json', 'utf8'));
delete p.devDependencies;
const overrides = {};
for (const [key, value] of Object.entries(p.resolutions || {})) {
  const name = key.replace(/^\*\*\//, '');
  // A direct dependency must carry the same spec as its override.
  if (p.dependencies && p.dependencies[name] !== undefined) p.dependencies[name] = value;
  overrides[name] = value;
}
delete p.resolutions;
p.overrides = overrides;
fs.writeFileSync('package.json', JSON.stringify(p, null, 2));
JS

# G5: no prebuilt binaries from GitHub (dead loopback port), compile against the local headers.
export npm_config_sqlite3_binary_host=http://127.0.0.1:9/
export npm_config_sqlite3_binary_host_mirror=http://127.0.0.1:9/
export RE2_DOWNLOAD_MIRROR=http://127.0.0.1:9/
nice npm install --omit=dev --legacy-peer-deps --foreground-scripts --no-audit --no-fund \
  --nodedir="$NODE_PREFIX" --replace-registry-host=registry.yarnpkg.com >&2

node -e "require('sqlite3'); require('re2')" || {
  echo "ghost-install: sqlite3 or re2 did not build" >&2
  exit 1
}
touch .complete
cd "$CACHE"
rm -rf "$DEST"
mv "$BUILD/package" "$DEST"
echo "$DEST"
