#!/usr/bin/env bash
# axe-core (Deque's accessibility checker) from the npm registry, for the tests that run it in
# headless Chromium against the site's pages. Only its one browser file is kept. Pinned.
set -euo pipefail
target=${1:-.make/axe}
AXE=4.10.3
. "$(dirname "$0")/npm-work.sh"
cd "$work"
npm pack --silent "axe-core@$AXE" >/dev/null
tar xzf "axe-core-$AXE.tgz"
cp package/axe.min.js axe.min.js
rm -rf package "axe-core-$AXE.tgz"
cd - >/dev/null
rm -rf "$target"
mv "$work" "$target"
echo "axe-core $AXE in $target/axe.min.js"
