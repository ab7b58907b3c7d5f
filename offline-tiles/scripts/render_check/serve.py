#!/usr/bin/env python3
"""Test server for render_check.sh: serves style.json, the tiles of jiangsu.pmtiles under
/base/{z}/{x}/{y}.pbf and the glyph PBFs under /glyphs/{fontstack}/{range}.pbf - the paths
that style.json names under tiles://localhost/ - plus a test page. 127.0.0.1 only."""
import http.server
import os
import sys
import urllib.parse

from pmtiles.reader import MmapSource, Reader

ROOT, PORT, MAPLIBRE_DIST = sys.argv[1], int(sys.argv[2]), sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
archive = open(os.path.join(ROOT, "jiangsu.pmtiles"), "rb")
reader = Reader(MmapSource(archive))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, body=b"", ctype="application/octet-stream"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlparse(self.path).path)
        parts = path.strip("/").split("/")
        if path == "/":
            return self.reply(200, open(os.path.join(HERE, "page.html"), "rb").read(), "text/html")
        if path == "/style.json":
            return self.reply(200, open(os.path.join(ROOT, "style.json"), "rb").read(), "application/json")
        if path in ("/maplibre-gl.js", "/maplibre-gl.css"):
            ctype = "text/css" if path.endswith("css") else "application/javascript"
            return self.reply(200, open(os.path.join(MAPLIBRE_DIST, path[1:]), "rb").read(), ctype)
        if parts[0] == "base" and len(parts) == 4 and parts[3].endswith(".pbf"):
            tile = reader.get(int(parts[1]), int(parts[2]), int(parts[3][:-4]))
            # Tiles are stored uncompressed: sent as they are. No tile -> 204 (empty).
            return self.reply(200, tile, "application/x-protobuf") if tile else self.reply(204)
        if parts[0] == "glyphs" and len(parts) == 3:
            f = os.path.join(ROOT, "glyphs", parts[1], parts[2])
            sys.stderr.write(f"glyph request {parts[1]}/{parts[2]} {'ok' if os.path.exists(f) else '404'}\n")
            if os.path.exists(f):
                return self.reply(200, open(f, "rb").read(), "application/x-protobuf")
        return self.reply(404)


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
