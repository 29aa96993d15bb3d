# Sourced by the install scripts that take packages from the npm registry: npm itself (Debian's
# package) when it is missing, and a fresh working directory "$work" beside "$target", which
# the script moves into place when it is done (so a failed install leaves nothing half made).
if ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq npm >/dev/null
fi
work="$target.tmp"
rm -rf "$work"
mkdir -p "$work"
