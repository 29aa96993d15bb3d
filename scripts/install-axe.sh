#!/usr/bin/env bash
# axe-core (Deque's accessibility checker) from the npm registry, for the tests that run it in
# headless Chromium against the site's pages. Only its one browser file is kept. Pinned.
set -euo pipefail
target=${1:-.make/axe}
AXE=4.10.3
if ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq npm >/dev/null
fi
work="$target.tmp"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
npm pack --silent "axe-core@$AXE" >/dev/null
tar xzf "axe-core-$AXE.tgz"
cp package/axe.min.js axe.min.js
rm -rf package "axe-core-$AXE.tgz"
cd - >/dev/null
rm -rf "$target"
mv "$work" "$target"
echo "axe-core $AXE in $target/axe.min.js"
