#!/usr/bin/env bash
# Start-up benchmark: time from process start to the map's first drawn frame, in the real window
# (release build, under Xvfb), on the demo province. Prints each run and the median.
#   scripts/bench-startup.sh [RUNS]     (default 7; the first run warms the page cache and is not counted)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p yingji-desktop -p yingji-cli >/dev/null
db="$(mktemp -d)/demo.db"
"$target"/release/yingji init --demo "$db" >/dev/null
figures=()
for i in $(seq 0 "$runs"); do
  out=$(xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    "$target"/release/yingji-desktop --db "$db" --view map --exit-after-first-frame 2>/dev/null || true)
  line=$(grep -o 'first-map-frame-ms=[0-9]*' <<<"$out" || true)
  ms="${line#first-map-frame-ms=}"
  if [ -z "$ms" ]; then echo "run $i: no first frame reported" >&2; exit 1; fi
  if [ "$i" -eq 0 ]; then echo "warm-up: $ms ms"; continue; fi
  echo "run $i: $ms ms   $(sed -n 's/.*process start): //p' <<<"$out")"
  figures+=("$ms")
done
median=$(printf '%s\n' "${figures[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "start-up to first map frame: median ${median} ms over ${#figures[@]} runs (target 1500 ms)"
rm -rf "$(dirname "$db")"
