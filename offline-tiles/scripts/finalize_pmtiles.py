#!/usr/bin/env python3
"""Rewrite tippecanoe's PMTiles output into the committed archive.

Tiles are copied byte for byte, in tile-id order. The metadata is replaced by a fixed
description: tippecanoe's own records its command line with absolute paths
(generator_options) and the output path, which would make the bytes depend on where the
tree is checked out.
"""
import json
import sys

from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

NAME = "Yingji base map: Jiangsu and neighbours"
DESCRIPTION = (
    "Vector base map of Jiangsu province and its neighbours (lon 113.5-124.5, lat 27.5-37.5), "
    "zoom 0-10. Layers: land, ocean, provinces, lakes, rivers, boundaries, places, water_labels. "
    "Built by offline-tiles/build.sh; see offline-tiles/README.md. For drills and training; "
    "not a surveyed or officially approved map."
)
ATTRIBUTION = "Natural Earth (public domain); Yingji demo geography"
# When the map's data was put together: the app shows the base map's age from it. Fixed here
# (not the build time) so a rebuild stays byte-identical; change it when the data changes.
DATA_DATE = "2026-11-29"


def main(src, dst):
    with open(src, "rb") as f:
        get = MmapSource(f)
        reader = Reader(get)
        header = reader.header()
        meta = reader.metadata()
        tiles = sorted(((zxy_to_tileid(*zxy), data) for zxy, data in all_tiles(get)),
                       key=lambda t: t[0])

    if header["tile_type"] != TileType.MVT:
        raise SystemExit("expected MVT tiles")

    vector_layers = meta.get("vector_layers")
    if vector_layers is None and "json" in meta:
        vector_layers = json.loads(meta["json"]).get("vector_layers")
    if not vector_layers:
        raise SystemExit("tippecanoe metadata has no vector_layers")
    # Stable order and no per-run fields.
    vector_layers = sorted(vector_layers, key=lambda l: l["id"])
    for layer in vector_layers:
        layer["fields"] = dict(sorted(layer.get("fields", {}).items()))

    metadata = {
        "name": NAME,
        "description": DESCRIPTION,
        "attribution": ATTRIBUTION,
        "version": "1",
        "built": DATA_DATE,
        "type": "baselayer",
        "format": "pbf",
        "minzoom": str(header["min_zoom"]),
        "maxzoom": str(header["max_zoom"]),
        "bounds": ",".join(f"{header[k] / 1e7:.6f}" for k in
                           ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")),
        "vector_layers": vector_layers,
    }

    out_header = {
        "tile_type": TileType.MVT,
        "tile_compression": header["tile_compression"],
        "min_lon_e7": header["min_lon_e7"],
        "min_lat_e7": header["min_lat_e7"],
        "max_lon_e7": header["max_lon_e7"],
        "max_lat_e7": header["max_lat_e7"],
        "center_zoom": 7,
        "center_lon_e7": 1190000000,
        "center_lat_e7": 330000000,
    }
    with open(dst, "wb") as f:
        w = Writer(f)
        for tile_id, data in tiles:
            w.write_tile(tile_id, data)
        w.finalize(out_header, metadata)
    comp = Compression(header["tile_compression"]).name
    print(f"[finalize] {len(tiles)} tiles, tile compression {comp} -> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:3])
