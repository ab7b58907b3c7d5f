#!/usr/bin/env bash
# Sets everything up and starts the console on the built-in demo province.
# Usage: scripts/start.sh [--db PATH]   (without --db: the demo database in the app data folder)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "==> building the UI and the app"
(cd ui && npm run build)
cargo build -p yingji-desktop -p yingji-cli

echo "==> starting Yingji"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec target/debug/yingji-desktop "$@"
else
  echo "No display found: starting under a virtual display (xvfb-run); a screenshot goes to target/start.png"
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c \
    'target/debug/yingji-desktop "$@" & app=$!; sleep 12; import -window root target/start.png; echo "screenshot: target/start.png"; wait $app' _ "$@"
fi
