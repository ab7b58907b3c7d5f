#!/usr/bin/env bash
# Runs every test: the UI type check and build, the Rust unit/property/integration tests, the
# binding and dependency checks, clippy, and the real-window end-to-end tests under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { echo; echo "==> $*"; }

step "chemical library: assets/chemicals/build.py reproduces library.json byte for byte"
# Reuses the pinned venv in target/chem-venv; fails (never skips) if pip cannot install it.
python3 assets/chemicals/build.py --check

step "UI: type check and build"
(cd ui && npm run build)

step "cargo build (workspace, with the desktop app)"
cargo build --workspace --all-targets

step "cargo test (core crates; also regenerates ui/src/bindings)"
cargo test --workspace --exclude yingji-desktop

step "TypeScript bindings are up to date"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git add -N ui/src/bindings >/dev/null 2>&1 || true
  if ! git diff --exit-code --stat -- ui/src/bindings; then
    echo "ui/src/bindings changed: run 'cargo test -p yingji-api' and commit the result" >&2
    exit 1
  fi
fi

step "dependency invariants"
# The model crate is pure: no database, no window, no network.
for dep in rusqlite tauri reqwest; do
  if cargo tree -p yingji-model -e normal -i "$dep" >/dev/null 2>&1; then
    echo "yingji-model must not depend on $dep" >&2; exit 1
  fi
done
# Core crates never depend on the window.
for crate in yingji-store yingji-api yingji-cli; do
  if cargo tree -p "$crate" -e normal -i tauri >/dev/null 2>&1; then
    echo "$crate must not depend on tauri" >&2; exit 1
  fi
done

# The window and the CLI reach the core only through the façade.
for crate in yingji-cli yingji-desktop; do
  direct=$(cargo tree -p "$crate" -e normal --depth 1 --prefix none | grep -oE '^yingji-[a-z-]+' | sort -u | grep -vx "$crate" | tr '\n' ' ')
  if [ "$direct" != "yingji-api " ]; then
    echo "$crate must depend on yingji-api only among our crates, found: $direct" >&2; exit 1
  fi
done

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "real window: end-to-end tests (tauri-driver + WebKitWebDriver under Xvfb), network cut off"
# Built first, with the network; then run in a network namespace that has only loopback.
cargo test -p yingji-tests --features e2e --test e2e --no-run
if [ "$(id -u)" -eq 0 ]; then offline=(unshare --net); else offline=(unshare --net --map-root-user); fi
"${offline[@]}" -- bash -c 'ip link set lo up && YINGJI_E2E_OFFLINE=1 CARGO_NET_OFFLINE=true \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test -p yingji-tests --features e2e --test e2e' 2>&1 | grep -vE "^dbus-daemon|SpiRegistry"
exit "${PIPESTATUS[0]}"
