#!/usr/bin/env bash
# Optional: draws the committed base map with maplibre-gl in headless Chromium and writes
# screenshots to offline-tiles/.build/render/*.png. Not part of build.sh.
# Needs: chromium (Debian: apt-get install chromium), npm, fonts-noto-cjk for the Chinese
# labels (Debian: apt-get install fonts-noto-cjk), and offline-tiles/.venv (build.sh makes it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
R="$HERE/.build/render"
PORT="${PORT:-8765}"
mkdir -p "$R"
if [ ! -d "$R/node_modules/maplibre-gl" ] || [ ! -d "$R/node_modules/puppeteer-core" ]; then
    [ -f "$R/package.json" ] || (cd "$R" && npm init -y >/dev/null)
    (cd "$R" && npm install --silent --no-audit --no-fund maplibre-gl@5.24.1 puppeteer-core@24.43.1)
fi
"$HERE/.venv/bin/python" "$HERE/scripts/render_check/serve.py" "$HERE" "$PORT" \
    "$R/node_modules/maplibre-gl/dist" 2> "$R/server.log" &
SERVER=$!
trap 'kill $SERVER' EXIT
sleep 1
NODE_PATH="$R/node_modules" node "$HERE/scripts/render_check/shot.js" "$R" "$PORT"
echo "glyph requests:"; sort "$R/server.log" | uniq -c
