#!/usr/bin/env python3
"""Render MapLibre glyph PBFs (signed distance fields) from open fonts.

Writes <out>/<fontstack>/<start>-<end>.pbf for each font stack and range below, in the
format that maplibre-gl's parse_glyph_pbf.ts reads and that node-fontnik writes:

  message glyphs    { repeated fontstack stacks = 1; }
  message fontstack { string name = 1; string range = 2; repeated glyph glyphs = 3; }
  message glyph     { uint32 id = 1; bytes bitmap = 2; uint32 width = 3; uint32 height = 4;
                      sint32 left = 5; sint32 top = 6; uint32 advance = 7; }

Conventions (those of fontnik / sdf-glyph-foundry and of maplibre-gl's TinySDF):
  - font size 24 px, buffer 3 px: the bitmap is (width + 6) x (height + 6) bytes, one
    byte per pixel, row-major from the top; glyphs with no ink carry no bitmap;
  - byte = clamp(round(255 - 255 * (d / 8 + 0.25))), d the signed distance in pixels from
    the pixel centre to the outline, positive outside (radius 8, cutoff 0.25): the edge
    is at 191;
  - left = floor of the ink box's left edge; top = ceil of its top edge minus ASCENDER,
    advance in whole pixels.

Each glyph is rasterised by FreeType at SUPERSAMPLE x 24 px, the exact Euclidean distance
transform (scipy) is taken on that grid and averaged back to 24 px, which keeps edges to
about 1/8 px. The output only depends on the font files and these constants.

The primary font is Noto Sans (variable; Regular = wght 400, Bold = wght 700). Code points
it lacks in the requested ranges (CJK punctuation U+3000-303F, full-width forms U+FF00-FFEF)
come from Noto Sans SC (the WOFF subsets of @fontsource/noto-sans-sc), so the style still
has them when maplibre-gl is not told to draw CJK locally.
"""
import argparse
import json
import os
import re
import sys

import freetype
import numpy as np
from scipy.ndimage import distance_transform_edt

SIZE = 24
BUFFER = 3
RADIUS = 8.0
CUTOFF = 0.25
SUPERSAMPLE = 4
# Baseline to glyph-origin offset used for "top". fontnik uses the font's ascender (26 px
# for Noto Sans at 24 px); maplibre-gl places the CJK glyphs it draws itself with 27.5.
# 27 keeps our Latin letters, digits and punctuation on the same baseline as those.
ASCENDER = 27

STACKS = {
    "Noto Sans Regular": {"wght": 400, "fallback_weight": 400},
    "Noto Sans Bold": {"wght": 700, "fallback_weight": 700},
}
RANGES = [(0, 255), (256, 511), (8192, 8447), (12288, 12543), (65280, 65535)]
# Code points taken from the fallback font: CJK symbols and punctuation, full-width ASCII
# variants and full-width signs. Not kana, half-width katakana or hangul.
FALLBACK_BLOCKS = [(0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFF60), (0xFFE0, 0xFFEF)]


# ---- protobuf writing ------------------------------------------------------------------------
def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(tag, wire):
    return _varint((tag << 3) | wire)


def _uint(tag, v):
    return _key(tag, 0) + _varint(v)


def _sint(tag, v):
    return _key(tag, 0) + _varint((v << 1) ^ (v >> 63) if v < 0 else v << 1)


def _bytes(tag, b):
    return _key(tag, 2) + _varint(len(b)) + b


def encode_glyph(g):
    out = _uint(1, g["id"])
    if g["width"] > 0 and g["height"] > 0:
        out += _bytes(2, g["bitmap"])
    out += _uint(3, g["width"]) + _uint(4, g["height"])
    out += _sint(5, g["left"]) + _sint(6, g["top"]) + _uint(7, g["advance"])
    return out


def encode_range(name, start, end, glyphs):
    body = _bytes(1, name.encode()) + _bytes(2, f"{start}-{end}".encode())
    for g in glyphs:
        body += _bytes(3, encode_glyph(g))
    return _bytes(1, body)


# ---- rendering -------------------------------------------------------------------------------
LOAD_FLAGS = freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_NO_BITMAP


def render(face, cp):
    """SDF glyph for code point cp from an already sized face (SIZE * SUPERSAMPLE px)."""
    S = SUPERSAMPLE
    face.load_char(cp, LOAD_FLAGS)
    slot = face.glyph
    advance = int(round(slot.linearHoriAdvance / 65536.0 / S))
    outline = slot.outline
    if outline.n_points == 0:
        return {"id": cp, "width": 0, "height": 0, "left": 0, "top": 0, "advance": advance,
                "bitmap": b""}
    bbox = outline.get_bbox()  # 26.6 at SIZE * S px
    x_min, x_max = bbox.xMin / 64.0 / S, bbox.xMax / 64.0 / S
    y_min, y_max = bbox.yMin / 64.0 / S, bbox.yMax / 64.0 / S
    left, right = int(np.floor(x_min)), int(np.ceil(x_max))
    bottom, top = int(np.floor(y_min)), int(np.ceil(y_max))
    w, h = right - left, top - bottom
    if w <= 0 or h <= 0:
        return {"id": cp, "width": 0, "height": 0, "left": 0, "top": 0, "advance": advance,
                "bitmap": b""}

    slot.render(freetype.FT_RENDER_MODE_NORMAL)
    bm = slot.bitmap
    rows, cols, pitch = bm.rows, bm.width, bm.pitch
    cov = np.zeros(((h + 2 * BUFFER) * S, (w + 2 * BUFFER) * S), dtype=np.float32)
    if rows and cols:
        src = np.array(bm.buffer, dtype=np.uint8).reshape(rows, pitch)[:, :cols] / 255.0
        # Canvas origin (top-left) in high-resolution glyph coordinates, y up.
        x0 = (left - BUFFER) * S
        y0 = (top + BUFFER) * S
        c0 = slot.bitmap_left - x0
        r0 = y0 - slot.bitmap_top
        if c0 < 0 or r0 < 0 or r0 + rows > cov.shape[0] or c0 + cols > cov.shape[1]:
            raise RuntimeError(f"U+{cp:04X}: bitmap outside its box")
        cov[r0:r0 + rows, c0:c0 + cols] = src
    inside = cov >= 0.5
    if inside.any():
        # Distance between pixel centres to the nearest pixel of the other kind; the edge
        # lies about half a pixel before it.
        d_out = distance_transform_edt(~inside)
        d_in = distance_transform_edt(inside)
        sd = np.where(inside, -(d_in - 0.5), d_out - 0.5)
        # Back to 24 px: block mean of the distances, in low-resolution pixels.
        sd = sd.reshape(h + 2 * BUFFER, S, w + 2 * BUFFER, S).mean(axis=(1, 3)) / S
        val = np.clip(np.round(255.0 - 255.0 * (sd / RADIUS + CUTOFF)), 0, 255).astype(np.uint8)
    else:
        val = np.zeros((h + 2 * BUFFER, w + 2 * BUFFER), dtype=np.uint8)
    return {"id": cp, "width": w, "height": h, "left": left, "top": top - ASCENDER,
            "advance": advance, "bitmap": val.tobytes()}


def open_face(path, wght=None):
    face = freetype.Face(path)
    if wght is not None and face.has_multiple_masters:
        axes = face.get_variation_info().axes
        coords = [float(wght) if a.tag == "wght" else float(a.default) for a in axes]
        face.set_var_design_coords(coords)
    face.set_char_size(SIZE * SUPERSAMPLE * 64)
    return face


def parse_unicode_range(s):
    out = []
    for part in s.split(","):
        part = part.strip().upper().replace("U+", "")
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-")
            out.append((int(a, 16), int(b, 16)))
        elif "?" in part:
            out.append((int(part.replace("?", "0"), 16), int(part.replace("?", "F"), 16)))
        else:
            out.append((int(part, 16), int(part, 16)))
    return out


class Fallback:
    """Noto Sans SC from @fontsource/noto-sans-sc: one WOFF per unicode subset."""

    def __init__(self, directory, weight):
        self.dir = directory
        self.weight = weight
        self.subsets = []
        if directory and os.path.exists(os.path.join(directory, "unicode.json")):
            table = json.load(open(os.path.join(directory, "unicode.json"), encoding="utf-8"))
            for key in sorted(table):
                sub = re.sub(r"[\[\]]", "", key)
                path = os.path.join(directory, "files", f"noto-sans-sc-{sub}-{weight}-normal.woff")
                if os.path.exists(path):
                    self.subsets.append((parse_unicode_range(table[key]), path))
        self.faces = {}

    def face_for(self, cp):
        for ranges, path in self.subsets:
            if any(a <= cp <= b for a, b in ranges):
                if path not in self.faces:
                    self.faces[path] = open_face(path)
                face = self.faces[path]
                if face.get_char_index(cp):
                    return face
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--font", required=True, help="Noto Sans variable TTF")
    ap.add_argument("--fallback-dir", help="unpacked @fontsource/noto-sans-sc")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    total = 0
    for stack, opts in STACKS.items():
        primary = open_face(a.font, opts["wght"])
        fallback = Fallback(a.fallback_dir, opts["fallback_weight"])
        if a.fallback_dir and not fallback.subsets:
            raise SystemExit(f"no Noto Sans SC subsets in {a.fallback_dir}")
        d = os.path.join(a.out, stack)
        os.makedirs(d, exist_ok=True)
        for start, end in RANGES:
            glyphs = []
            n_fallback = 0
            for cp in range(start, end + 1):
                if primary.get_char_index(cp):
                    glyphs.append(render(primary, cp))
                    continue
                if not any(lo <= cp <= hi for lo, hi in FALLBACK_BLOCKS):
                    continue
                face = fallback.face_for(cp)
                if face is not None:
                    glyphs.append(render(face, cp))
                    n_fallback += 1
            buf = encode_range(stack, start, end, glyphs)
            with open(os.path.join(d, f"{start}-{end}.pbf"), "wb") as f:
                f.write(buf)
            total += len(buf)
            print(f"[glyphs] {stack}/{start}-{end}.pbf: {len(glyphs)} glyphs "
                  f"({n_fallback} from Noto Sans SC), {len(buf)} bytes", file=sys.stderr)
    print(f"[glyphs] {total} bytes in all", file=sys.stderr)


if __name__ == "__main__":
    main()
