#!/usr/bin/env python3
"""Print and check what offline-tiles/ holds.

- the PMTiles header (bounds, zooms, tile count, compression) and metadata layers;
- the z=7 tile over Nanjing (118.8 E, 32.06 N): its layers and feature counts;
- that style.json matches the archive (source zooms, layer names, URLs);
- that every glyph PBF the style can ask for exists and decodes.
Exits non-zero on a mismatch.
"""
import argparse
import collections
import gzip
import json
import math
import os
import sys

import mapbox_vector_tile
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType

REQUIRED_LAYERS = {"land", "ocean", "boundaries", "lakes", "rivers", "places"}
REQUIRED_RANGES = ["0-255", "256-511", "8192-8447", "12288-12543", "65280-65535"]


def lonlat_to_tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return x, y


def decode_glyph_pbf(buf):
    """Minimal protobuf reader for the glyphs format: returns (stack name, range, glyphs)."""
    def varint(b, i):
        shift = res = 0
        while True:
            c = b[i]
            i += 1
            res |= (c & 0x7F) << shift
            if not c & 0x80:
                return res, i
            shift += 7

    def fields(b):
        i = 0
        while i < len(b):
            key, i = varint(b, i)
            tag, wt = key >> 3, key & 7
            if wt == 0:
                v, i = varint(b, i)
            elif wt == 2:
                n, i = varint(b, i)
                v = b[i:i + n]
                i += n
            else:
                raise ValueError(f"wire type {wt}")
            yield tag, v

    name = rng = None
    glyphs = []
    for tag, v in fields(buf):
        if tag != 1:
            continue
        for t2, v2 in fields(v):
            if t2 == 1:
                name = v2.decode()
            elif t2 == 2:
                rng = v2.decode()
            elif t2 == 3:
                g = {"bitmap": b""}
                for t3, v3 in fields(v2):
                    key = {1: "id", 2: "bitmap", 3: "width", 4: "height", 5: "left",
                           6: "top", 7: "advance"}.get(t3)
                    if key in ("left", "top"):
                        v3 = (v3 >> 1) ^ -(v3 & 1)
                    g[key] = v3
                glyphs.append(g)
    return name, rng, glyphs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--archive", required=True)
    ap.add_argument("--style", required=True)
    ap.add_argument("--glyphs", required=True)
    a = ap.parse_args()
    problems = []

    with open(a.archive, "rb") as f:
        get = MmapSource(f)
        r = Reader(get)
        h = r.header()
        meta = r.metadata()
        print("== PMTiles header ==")
        print(f"  tile type        {TileType(h['tile_type']).name}")
        print(f"  tile compression {Compression(h['tile_compression']).name}")
        print(f"  bounds           {h['min_lon_e7']/1e7:.4f},{h['min_lat_e7']/1e7:.4f} .. "
              f"{h['max_lon_e7']/1e7:.4f},{h['max_lat_e7']/1e7:.4f}")
        print(f"  zooms            {h['min_zoom']}..{h['max_zoom']}")
        print(f"  center           {h['center_lon_e7']/1e7},{h['center_lat_e7']/1e7} z{h['center_zoom']}")
        print(f"  tiles            {h['addressed_tiles_count']} addressed, "
              f"{h['tile_entries_count']} entries, {h['tile_contents_count']} distinct")
        print(f"  file size        {os.path.getsize(a.archive)} bytes")
        per_zoom = collections.Counter()
        size_zoom = collections.Counter()
        biggest = (0, None)
        for (z, x, y), data in all_tiles(get):
            per_zoom[z] += 1
            size_zoom[z] += len(data)
            if len(data) > biggest[0]:
                biggest = (len(data), (z, x, y))
        for z in sorted(per_zoom):
            print(f"    z{z:<2} {per_zoom[z]:5d} tiles {size_zoom[z]:9d} bytes")
        print(f"  largest tile     {biggest[1]} {biggest[0]} bytes")
        layers = [l["id"] for l in meta.get("vector_layers", [])]
        print(f"  metadata layers  {', '.join(layers)}")
        missing = REQUIRED_LAYERS - set(layers)
        if missing:
            problems.append(f"archive lacks layers {sorted(missing)}")

        z = 7
        x, y = lonlat_to_tile(118.8, 32.06, z)
        data = r.get(z, x, y)
        print(f"== tile z{z}/{x}/{y} over Nanjing (118.8, 32.06) ==")
        if data is None:
            problems.append("no z7 tile over Nanjing")
        else:
            raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            print(f"  {len(data)} bytes in the archive, {len(raw)} bytes decoded")
            tile = mapbox_vector_tile.decode(raw)
            for name in sorted(tile):
                feats = tile[name]["features"]
                kinds = collections.Counter(
                    f"{f['geometry']['type']}" + (f":{f['properties'].get('kind')}" if 'kind' in f['properties'] else "")
                    for f in feats)
                print(f"  {name:13s} {len(feats):4d} features  {dict(sorted(kinds.items()))}")
            names = [f["properties"].get("name_zh") for f in tile.get("places", {}).get("features", [])]
            print(f"  places: {', '.join(n for n in names if n)}")

    # ---- style -----------------------------------------------------------------------------
    style = json.load(open(a.style, encoding="utf-8"))
    src = style["sources"].get("base")
    print("== style.json ==")
    if not src:
        problems.append("style has no 'base' source")
    else:
        print(f"  source base: {src['tiles']} z{src.get('minzoom')}..{src.get('maxzoom')}")
        if src.get("minzoom") != h["min_zoom"] or src.get("maxzoom") != h["max_zoom"]:
            problems.append("style source zooms differ from the archive")
        if src["tiles"] != ["tiles://localhost/base/{z}/{x}/{y}.pbf"]:
            problems.append("unexpected tile URL")
    print(f"  glyphs: {style.get('glyphs')}")
    if style.get("glyphs") != "tiles://localhost/glyphs/{fontstack}/{range}.pbf":
        problems.append("unexpected glyphs URL")
    stacks = set()
    for layer in style["layers"]:
        if layer.get("source-layer") and layer["source-layer"] not in layers:
            problems.append(f"style layer {layer['id']} uses missing source-layer {layer['source-layer']}")
        tf = layer.get("layout", {}).get("text-font")
        if tf:
            if not isinstance(tf, list) or not all(isinstance(s, str) for s in tf):
                problems.append(f"layer {layer['id']}: text-font must be a literal list")
            else:
                stacks.add(",".join(tf))
    print(f"  {len(style['layers'])} layers; font stacks: {sorted(stacks)}")

    # ---- glyphs ----------------------------------------------------------------------------
    print("== glyphs ==")
    total = 0
    for stack in sorted(stacks):
        for rng in REQUIRED_RANGES:
            path = os.path.join(a.glyphs, stack, rng + ".pbf")
            if not os.path.exists(path):
                problems.append(f"missing {path}")
                continue
            buf = open(path, "rb").read()
            total += len(buf)
            name, prng, glyphs = decode_glyph_pbf(buf)
            bad = [g["id"] for g in glyphs if g.get("width", 0) and
                   len(g["bitmap"]) != (g["width"] + 6) * (g["height"] + 6)]
            if name != stack or prng != rng or bad:
                problems.append(f"{path}: name {name!r} range {prng!r} bad bitmaps {bad[:5]}")
            print(f"  {stack}/{rng}.pbf  {len(glyphs):3d} glyphs  {len(buf):6d} bytes")
    print(f"  total {total} bytes")

    if problems:
        print("== PROBLEMS ==")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("== OK ==")


if __name__ == "__main__":
    main()
