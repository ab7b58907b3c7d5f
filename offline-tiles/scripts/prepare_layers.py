#!/usr/bin/env python3
"""Turn the packaged sources into one GeoJSON file per vector-tile layer.

Inputs (all local files, nothing is fetched here):
  --ne DIR          Natural Earth 1:10m shapefiles (.shp/.shx; the .dbf is not needed)
  --geo FILE        the project's assets/demo/jiangsu-geo.json
  --neighbours FILE offline-tiles/data/neighbours.json
Output: --out DIR with land, ocean, lakes, rivers, boundaries, provinces, places and
water_labels as .geojson, each a FeatureCollection with features in a fixed order and
coordinates rounded to 6 decimals, so that the same inputs give the same bytes.

Per-feature zoom limits are written as the "tippecanoe" member that tippecanoe reads.
"""
import argparse
import json
import math
import os
import sys

import shapefile  # pyshp
import shapely
from shapely import geometry as sg
from shapely.ops import linemerge, polygonize_full, polylabel, unary_union

# Area the archive covers: Jiangsu (116.3-121.9 E, 30.7-35.2 N) and its neighbours, with
# some margin around the lon 114-124 / lat 28-37 window asked for.
BBOX = (113.5, 27.5, 124.5, 37.5)
CLIP = sg.box(*BBOX)
ROUND = 6

# Waterways of the demo network by importance: 1 = drawn from the lowest zooms.
RIVER_RANK = {
    "yangtze": 1, "yangtze_north": 1,
    "huaihe": 2, "grand_canal_north": 2, "grand_canal_south": 2, "huaihe_rujiang": 2,
    "subei_guangai": 2, "xinyihe": 2, "guanhe": 2, "xinshuhe": 2, "tongyu": 2,
}
RIVER_MINZOOM = {1: 0, 2: 5, 3: 6}

PINYIN_SUFFIXES = (" Sheng", " Shi", " Qu", " Xian")


def log(*a):
    print("[prepare]", *a, file=sys.stderr)


def read_shapes(ne_dir, name):
    """All non-empty shapes of a Natural Earth layer that touch BBOX, clipped to it."""
    base = os.path.join(ne_dir, name)
    out = []
    with open(base + ".shp", "rb") as shp, open(base + ".shx", "rb") as shx:
        reader = shapefile.Reader(shp=shp, shx=shx)
        for shape in reader.iterShapes():
            if shape.shapeType == shapefile.NULL or not shape.points:
                continue
            x0, y0, x1, y1 = shape.bbox
            if x0 > BBOX[2] or x1 < BBOX[0] or y0 > BBOX[3] or y1 < BBOX[1]:
                continue
            geom = sg.shape(shape.__geo_interface__)
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            clipped = geom.intersection(CLIP)
            if not clipped.is_empty:
                out.append(clipped)
    return out


def parts(geom, kinds):
    """Flatten a geometry into its parts of the given geometry types."""
    if geom.is_empty:
        return []
    if geom.geom_type in kinds:
        return [geom]
    if hasattr(geom, "geoms"):
        res = []
        for g in geom.geoms:
            res.extend(parts(g, kinds))
        return res
    return []


def polygons(geom):
    return parts(geom, ("Polygon",))


def lines(geom):
    return parts(geom, ("LineString",))


def rnd(geom):
    return shapely.set_precision(geom, 10 ** -ROUND) if geom is not None else geom


def coords_json(geom):
    """GeoJSON geometry with coordinates rounded to ROUND decimals."""
    g = sg.mapping(geom)

    def r(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(c[0]), ROUND), round(float(c[1]), ROUND)]
        return [r(x) for x in c]

    return {"type": g["type"], "coordinates": r(g["coordinates"])}


def feature(geom, props, minzoom=None, maxzoom=None):
    f = {"type": "Feature", "properties": props, "geometry": coords_json(geom)}
    tc = {}
    if minzoom is not None:
        tc["minzoom"] = minzoom
    if maxzoom is not None:
        tc["maxzoom"] = maxzoom
    if tc:
        f["tippecanoe"] = tc
    return f


def point(lon, lat):
    return sg.Point(round(lon, ROUND), round(lat, ROUND))


def pinyin_short(p):
    for s in PINYIN_SUFFIXES:
        if p.endswith(s):
            return p[: -len(s)]
    return p


def short_zh(name):
    """京杭大运河（苏北段：中运河—里运河） -> 京杭大运河 (map label without the note)."""
    for sep in ("（", "("):
        if sep in name:
            return name.split(sep, 1)[0].strip()
    return name


def polygon_key(p):
    c = p.representative_point()
    return (round(c.x, 4), round(c.y, 4), round(p.area, 8))


def write_layer(out_dir, name, features):
    path = os.path.join(out_dir, name + ".geojson")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f,
                  ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    log(f"{name}: {len(features)} features")


def extend_to_coast(line, coast, eps=1e-6, by=1e-3):
    """Natural Earth's province lines stop within ~1e-9 degrees of the coast without
    crossing it, which leaves the province areas open. Push such ends a little seaward."""
    c = list(line.coords)
    for i, j in ((0, 1), (-1, -2)):
        if coast.distance(sg.Point(c[i])) < eps:
            dx, dy = c[i][0] - c[j][0], c[i][1] - c[j][1]
            n = math.hypot(dx, dy) or 1.0
            c[i] = (c[i][0] + dx / n * by, c[i][1] + dy / n * by)
    return sg.LineString(c)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ne", required=True)
    ap.add_argument("--geo", required=True)
    ap.add_argument("--neighbours", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    geo = json.load(open(a.geo, encoding="utf-8"))
    nb = json.load(open(a.neighbours, encoding="utf-8"))

    # ---- land / ocean ----------------------------------------------------------------
    land_parts = []
    for g in read_shapes(a.ne, "ne_10m_land"):
        land_parts.extend(polygons(g))
    land = unary_union(land_parts)
    land_polys = sorted(polygons(rnd(land)), key=polygon_key)
    write_layer(a.out, "land", [feature(p, {"kind": "land"}) for p in land_polys])

    ocean_parts = []
    for g in read_shapes(a.ne, "ne_10m_ocean"):
        ocean_parts.extend(polygons(g))
    ocean_polys = sorted(polygons(rnd(unary_union(ocean_parts))), key=polygon_key)
    write_layer(a.out, "ocean", [feature(p, {"kind": "ocean"}) for p in ocean_polys])

    # ---- lakes: Natural Earth outlines, named from the project's lakes --------------------
    ne_lakes = []
    for g in read_shapes(a.ne, "ne_10m_lakes"):
        ne_lakes.extend(polygons(g))
    ne_lakes = sorted(polygons(rnd(unary_union(ne_lakes))), key=polygon_key)
    lake_feats = []
    named = {}
    for lake in geo["lakes"]:
        p = sg.Point(lake["lon"], lake["lat"])
        hit = [i for i, poly in enumerate(ne_lakes) if poly.contains(p)]
        if hit:
            named[hit[0]] = lake
        else:
            # Not in Natural Earth at 1:10m: use the project's approximate outline.
            ring = lake["outline"]
            if ring[0] != ring[-1]:
                ring = ring + [ring[0]]
            poly = shapely.make_valid(sg.Polygon(ring))
            for pp in polygons(rnd(poly)):
                lake_feats.append(feature(pp, {
                    "kind": "lake", "source": "project", "id": lake["id"],
                    "name_zh": lake["name_zh"], "name_en": lake["name_pinyin"],
                }))
            log(f"lake {lake['id']}: not in Natural Earth 10m, using the project outline")
    for i, poly in enumerate(ne_lakes):
        props = {"kind": "lake", "source": "naturalearth"}
        if i in named:
            lake = named[i]
            props.update({"id": lake["id"], "name_zh": lake["name_zh"], "name_en": lake["name_pinyin"]})
        lake_feats.append(feature(poly, props))
    write_layer(a.out, "lakes", lake_feats)

    # ---- rivers and canals (project network) -----------------------------------------------
    river_feats = []
    for r in geo["rivers"]:
        rank = RIVER_RANK.get(r["id"], 3)
        kind = "canal" if r["kind"] == "canal" or "运河" in r["name_zh"] else "river"
        line = sg.LineString(r["line"]).intersection(CLIP)
        for ln in lines(rnd(line)):
            river_feats.append(feature(ln, {
                "kind": kind, "waterway": r["kind"], "id": r["id"], "rank": rank,
                "name_zh": r["name_zh"], "label_zh": short_zh(r["name_zh"]),
                "name_en": r["name_pinyin"], "width_m": r["typical"]["width_m"],
            }, minzoom=RIVER_MINZOOM[rank]))
    write_layer(a.out, "rivers", river_feats)

    # ---- boundaries and province areas -----------------------------------------------------
    coast = land.boundary
    adm1 = []
    for g in read_shapes(a.ne, "ne_10m_admin_1_states_provinces_lines"):
        adm1.extend(lines(g))
    adm1 = lines(linemerge(adm1))
    adm1 = [extend_to_coast(l, coast) for l in adm1]
    areas, _cuts, _dangles, _invalid = polygonize_full(unary_union([coast] + adm1))
    areas = polygons(areas)

    province_feats, province_polys = [], {}
    for prov in nb["provinces"]:
        seed = sg.Point(*prov["seed"])
        hit = [p for p in areas if p.contains(seed)]
        if not hit:
            log(f"province {prov['code']}: seed outside every area, skipped")
            continue
        poly = hit[0]
        for other, opoly in province_polys.items():
            if opoly.equals(poly):
                raise SystemExit(f"provinces {other} and {prov['code']} fall in one area: "
                                 "the province lines did not close")
        province_polys[prov["code"]] = poly
    js = province_polys["320000"]
    for prov in nb["provinces"]:
        poly = province_polys.get(prov["code"])
        if poly is None:
            continue
        province_feats.append(feature(rnd(poly), {
            "kind": "province", "code": prov["code"], "name_zh": prov["name_zh"],
            "name_en": prov["name_en"], "jiangsu": prov["code"] == "320000",
        }))
    write_layer(a.out, "provinces", province_feats)

    js_edge = js.boundary.buffer(1e-6)
    bnd_feats = []
    land_area = land.buffer(0)
    adm1_clean = [l.intersection(land_area) for l in adm1]  # drop the seaward stubs
    for l in sorted((ll for g in adm1_clean for ll in lines(rnd(g))),
                    key=lambda l: (round(l.coords[0][0], 4), round(l.coords[0][1], 4), round(l.length, 6))):
        on_js = l.length > 0 and l.intersection(js_edge).length / l.length > 0.5
        bnd_feats.append(feature(l, {"kind": "province", "admin_level": 4, "jiangsu": on_js}))
    adm0 = []
    for g in read_shapes(a.ne, "ne_10m_admin_0_boundary_lines_land"):
        adm0.extend(lines(g))
    for l in sorted(lines(rnd(linemerge(adm0))) if adm0 else [], key=lambda l: l.coords[0]):
        bnd_feats.append(feature(l, {"kind": "country", "admin_level": 2, "jiangsu": False}))
    write_layer(a.out, "boundaries", bnd_feats)

    # ---- places --------------------------------------------------------------------------
    place_feats = []
    # Province names at an inner point of each province area (lowest zooms only).
    for prov in nb["provinces"]:
        poly = province_polys.get(prov["code"])
        if poly is None:
            continue
        lp = polylabel(poly, tolerance=0.01)
        place_feats.append(feature(point(lp.x, lp.y), {
            "kind": "province", "code": prov["code"], "name_zh": prov["name_zh"],
            "name_en": prov["name_en"], "rank": 1, "jiangsu": prov["code"] == "320000",
            "source": "neighbours" if prov["code"] != "320000" else "project",
        }, minzoom=4, maxzoom=8))
    for city in geo["cities"]:
        place_feats.append(feature(point(city["lon"], city["lat"]), {
            "kind": "city", "code": city["code"], "name_zh": city["name_zh"],
            "name_en": pinyin_short(city["name_pinyin"]), "name_pinyin": city["name_pinyin"],
            "capital": city["code"] == "320100", "rank": 2, "jiangsu": True, "source": "project",
        }, minzoom=5))
        for c in city["counties"]:
            is_district = c["name_zh"].endswith("区")
            place_feats.append(feature(point(c["lon"], c["lat"]), {
                "kind": "district" if is_district else "county", "code": c["code"],
                "name_zh": c["name_zh"], "name_en": pinyin_short(c["name_pinyin"]),
                "name_pinyin": c["name_pinyin"], "city_code": city["code"],
                "capital": False, "rank": 4 if is_district else 3, "jiangsu": True,
                "source": "project",
            }, minzoom=8 if is_district else 7))
    for c in nb["cities"]:
        place_feats.append(feature(point(c["lon"], c["lat"]), {
            "kind": "city", "name_zh": c["name_zh"], "name_en": c["name_en"],
            "province_code": c["province"], "capital": bool(c.get("capital")),
            "rank": 2 if c.get("capital") else 3, "jiangsu": False, "source": "neighbours",
        }, minzoom=5 if c.get("capital") else 6))
    write_layer(a.out, "places", place_feats)

    # ---- water labels (lake and sea names as points) ---------------------------------------
    wl = []
    for lake in geo["lakes"]:
        big = lake["area_km2"] >= 500
        wl.append(feature(point(lake["lon"], lake["lat"]), {
            "kind": "lake", "id": lake["id"], "name_zh": lake["name_zh"],
            "name_en": lake["name_pinyin"], "area_km2": lake["area_km2"],
        }, minzoom=6 if big else 8))
    for s in nb["seas"]:
        wl.append(feature(point(s["lon"], s["lat"]), {
            "kind": "sea", "name_zh": s["name_zh"], "name_en": s["name_en"],
        }, minzoom=4))
    write_layer(a.out, "water_labels", wl)


if __name__ == "__main__":
    main()
