#!/usr/bin/env bash
# wabac.js's own WACZ signature check (the code inside ReplayWeb.page), for the tests.
# A full `npm install @webrecorder/wabac` fails here (a dependency the registry lacks), so:
# the package tarball from the npm registry, its src/wacz/certutils.ts bundled unmodified with
# esbuild, beside the three packages that file imports. Versions are pinned.
set -euo pipefail
target=${1:-.make/wabac}
WABAC=2.27.3
command -v node >/dev/null || { echo "install-wabac: node is missing (Debian package nodejs)" >&2; exit 1; }
. "$(dirname "$0")/npm-work.sh"
cd "$work"
npm pack --silent "@webrecorder/wabac@$WABAC" >/dev/null
tar xzf "webrecorder-wabac-$WABAC.tgz"
echo '{"name": "woo-archive-wabac-check", "private": true}' > package.json
npm install --silent --no-audit --no-fund \
  base64-js@1.5.1 @peculiar/x509@1.14.3 http-status-codes@2.3.0 esbuild@0.28.2 >/dev/null
./node_modules/.bin/esbuild package/src/wacz/certutils.ts --bundle --platform=node \
  --format=esm --log-level=warning --outfile=certutils.mjs
cd - >/dev/null
rm -rf "$target"
mv "$work" "$target"
echo "wabac.js $WABAC certutils bundled in $target/certutils.mjs"
