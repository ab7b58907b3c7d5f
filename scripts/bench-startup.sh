#!/usr/bin/env bash
# Start-up benchmark: time from launching the app to the map's first fully drawn frame (the base
# map's `load`), in the real window (release build) on the demo province. Prints each run, where
# its time went, and the median.
#   scripts/bench-startup.sh [RUNS]     (default 7; the first run warms the page cache and is not counted)
#
# One X server (Xvfb) and one D-Bus session serve all runs, as a desktop session would; the clock
# starts just before the app is executed (`YINGJI_LAUNCHED_AT_NS`), so loading its libraries is
# counted, the start of Xvfb and D-Bus is not.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p yingji-desktop -p yingji-cli >/dev/null
work="$(mktemp -d)"
trap 'kill "${xvfb_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$target"/release/yingji init --demo "$work/demo.db" >/dev/null 2>&1

# A display of its own: Xvfb picks a free number and writes it to the pipe.
exec 3<> <(:)
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
read -r -t 10 display <&3 || { echo "Xvfb did not start" >&2; exit 1; }
exec 3>&-

export DISPLAY=":$display" APP="$PWD/$target/release/yingji-desktop" DB="$work/demo.db" RUNS="$runs"
dbus-run-session -- bash -c '
  set -euo pipefail
  figures=()
  for i in $(seq 0 "$RUNS"); do
    out=$(YINGJI_LAUNCHED_AT_NS=$(date +%s%N) "$APP" --db "$DB" --view map --exit-after-first-frame 2>/dev/null || true)
    line=$(grep -o "first-map-frame-ms=[0-9]*" <<<"$out" || true)
    ms="${line#first-map-frame-ms=}"
    if [ -z "$ms" ]; then echo "run $i: no first frame reported" >&2; exit 1; fi
    if [ "$i" -eq 0 ]; then echo "warm-up: $ms ms"; continue; fi
    echo "run $i: $ms ms   $(sed -n "s/.*process start): //p" <<<"$out")"
    figures+=("$ms")
  done
  median=$(printf "%s\n" "${figures[@]}" | sort -n | awk "{a[NR]=\$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}")
  echo "start-up to first map frame: median ${median} ms over ${#figures[@]} runs (target 1500 ms)"
' 2> >(grep -vE "^dbus-daemon|SpiRegistry" >&2)
