// The one map (一张图): MapLibre GL JS over the offline base map, with the replica's layers.
// Data comes from the `map_data` and `near` commands; this module only draws.
import maplibregl, { type GeoJSONSource, type MapMouseEvent, type StyleSpecification } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import type { MapData } from "./bindings/MapData";
import type { MapPackDto } from "./bindings/MapPackDto";
import type { NearResult } from "./bindings/NearResult";

export type LayerGroup = "incidents" | "risk" | "targets" | "zones" | "rivers" | "works" | "teams" | "experts" | "warehouses";
export const LAYER_GROUPS: LayerGroup[] = ["incidents", "risk", "targets", "zones", "rivers", "works", "teams", "experts", "warehouses"];

/** Colours of the legend, shared by the layers and the legend swatches. */
export const COLOURS = {
  major: "#b3261e",
  larger: "#d9730d",
  general: "#3b7d3e",
  intake: "#1565c0",
  target: "#6a4c93",
  zone: "#1e88e5",
  river: "#4f9fd6",
  riverMain: "#2b7bb9",
  line: "#8d4f2c",
  work: "#263238",
  team: "#00897b",
  expert: "#7b1fa2",
  warehouse: "#ef6c00",
  query: "#0b57d0",
  incident: "#d50000",
  incidentClosed: "#757575",
};

/** The base map's style, served with its tiles and glyphs by the shell (`tiles://`). */
export const BASE_STYLE_URL = "tiles://localhost/style.json";

/** Fetches the base map's style; `null` when the base map is missing or unreadable. */
export async function loadBaseStyle(): Promise<StyleSpecification | null> {
  try {
    const r = await fetch(BASE_STYLE_URL);
    if (!r.ok) return null;
    return (await r.json()) as StyleSpecification;
  } catch {
    return null;
  }
}

export const BLANK_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2ea" } }],
};

type Feature = GeoJSON.Feature<GeoJSON.Geometry, Record<string, unknown>>;
const collection = (features: Feature[]): GeoJSON.FeatureCollection => ({ type: "FeatureCollection", features });

export interface MapCallbacks {
  /** A record was clicked. */
  open(kind: string, id: string, name: string): void;
  /** The user asked what is around a point (right-click, or a click in query mode). */
  query(lat: number, lon: number): void;
}

export class OneMap {
  readonly map: maplibregl.Map;
  private ready: Promise<void>;
  private visible = new Set<LayerGroup>(LAYER_GROUPS);
  /** When set, the next click on the map asks what is around that point. */
  private queryMode = false;

  constructor(container: HTMLElement, private cb: MapCallbacks, style?: StyleSpecification) {
    this.map = new maplibregl.Map({
      container,
      style: style ?? BLANK_STYLE,
      center: [119.4, 32.9],
      zoom: 6.3,
      minZoom: 5,
      maxZoom: 16,
      // The base map covers Jiangsu and its neighbours; beyond it there is nothing to show.
      maxBounds: [[111.5, 26.5], [126.5, 38.5]],
      attributionControl: false,
      // Chinese characters are drawn with the system's CJK font, so labels need no network.
      localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif",
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    this.ready = new Promise((resolve) => this.map.once("load", () => resolve()));
    // Observable state for people and tests: base tiles drawn, where the map looks.
    let baseTiles = 0;
    let packTiles = 0;
    this.map.on("sourcedata", (e) => {
      if (!e.tile || !e.sourceId || e.sourceId.startsWith("yj-")) return;
      if (e.sourceId.startsWith("pack-")) container.dataset.packTiles = String(++packTiles);
      else container.dataset.baseTiles = String(++baseTiles);
    });
    this.map.on("moveend", () => {
      const c = this.map.getCenter();
      container.dataset.center = `${c.lat.toFixed(4)},${c.lng.toFixed(4)}`;
      container.dataset.zoom = this.map.getZoom().toFixed(2);
    });
    this.map.on("contextmenu", (e) => this.cb.query(e.lngLat.lat, e.lngLat.lng));
    this.map.on("click", (e) => this.onClick(e));
  }

  /** Resolves when the first frame of the style has been drawn. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  async setData(data: MapData): Promise<void> {
    await this.ready;
    const m = this.map;
    const point = (p: MapData["points"][number]): Feature => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [p.lon, p.lat] },
      properties: { kind: p.kind, id: p.id, name: p.name, subtype: p.subtype, grade: p.grade ?? "", figure: p.figure ?? 0 },
    });
    const of = (kind: string) => collection(data.points.filter((p) => p.kind === kind).map(point));
    const lines = (kind: string) =>
      collection(
        data.lines
          .filter((l) => l.kind === kind)
          .map((l) => ({
            type: "Feature",
            geometry: { type: "LineString", coordinates: l.coordinates },
            properties: { kind: l.kind, id: l.id, name: l.name, subtype: l.subtype },
          })),
      );
    const zones = collection(
      data.areas.map((a) => ({
        type: "Feature",
        geometry: { type: "Polygon", coordinates: [a.ring] },
        properties: { kind: a.kind, id: a.id, name: a.name },
      })),
    );
    const sources: Record<string, [GeoJSON.FeatureCollection, boolean]> = {
      "yj-risk": [of("risk_source"), true],
      "yj-risk-lines": [lines("risk_source"), false],
      "yj-targets": [of("target"), false],
      "yj-zones": [zones, false],
      "yj-rivers": [lines("reach"), false],
      "yj-works": [of("control_work"), false],
      "yj-teams": [of("team"), true],
      "yj-experts": [of("expert"), false],
      "yj-warehouses": [of("warehouse"), false],
      "yj-incidents": [of("incident"), false],
    };
    for (const [id, [data, cluster]] of Object.entries(sources)) {
      const existing = m.getSource(id) as GeoJSONSource | undefined;
      if (existing) existing.setData(data);
      else m.addSource(id, { type: "geojson", data, cluster, clusterRadius: 40, clusterMaxZoom: 9 });
    }
    if (!m.getLayer("yj-rivers")) this.addLayers();
    // Observable for people and tests: how many incidents the layer holds.
    m.getContainer().dataset.incidents = String(data.points.filter((p) => p.kind === "incident").length);
  }

  private addLayers(): void {
    const m = this.map;
    const c = COLOURS;
    const clusterCircle = (id: string, source: string, colour: string, group: LayerGroup) => {
      m.addLayer({
        id, source, type: "circle", filter: ["has", "point_count"], metadata: { group },
        paint: {
          "circle-color": colour, "circle-opacity": 0.85, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
          "circle-radius": ["step", ["get", "point_count"], 12, 10, 16, 50, 21],
        },
      });
      // Cluster counts need glyphs for digits: only once the base style brings its glyphs.
      if (!m.getStyle().glyphs) return;
      m.addLayer({
        id: `${id}-count`, source, type: "symbol", filter: ["has", "point_count"], metadata: { group },
        layout: { "text-field": ["to-string", ["get", "point_count"]], "text-size": 12, "text-font": ["Noto Sans Regular"] },
        paint: { "text-color": "#fff" },
      });
    };
    const dots = (id: string, source: string, colour: maplibregl.ExpressionSpecification | string, group: LayerGroup, radius = 6) =>
      m.addLayer({
        id, source, type: "circle", filter: ["!", ["has", "point_count"]], metadata: { group },
        paint: { "circle-color": colour, "circle-radius": radius, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 },
      });

    m.addLayer({ id: "yj-zones", source: "yj-zones", type: "fill", metadata: { group: "zones" }, minzoom: 9,
      paint: { "fill-color": c.zone, "fill-opacity": 0.18, "fill-outline-color": c.zone } });
    m.addLayer({ id: "yj-rivers", source: "yj-rivers", type: "line", metadata: { group: "rivers" },
      paint: {
        "line-color": ["match", ["get", "subtype"], ["yangtze", "yangtze_north"], c.riverMain, c.river],
        "line-width": ["interpolate", ["linear"], ["zoom"], 5, ["match", ["get", "subtype"], ["yangtze", "yangtze_north"], 3, 1.2], 10, ["match", ["get", "subtype"], ["yangtze", "yangtze_north"], 8, 3]],
      } });
    m.addLayer({ id: "yj-risk-lines", source: "yj-risk-lines", type: "line", metadata: { group: "risk" },
      paint: { "line-color": c.line, "line-width": 2, "line-dasharray": [3, 2] } });
    dots("yj-works", "yj-works", c.work, "works", 5);
    dots("yj-targets", "yj-targets", ["match", ["get", "subtype"], "drinking_water_intake", c.intake, c.target], "targets", 6);
    clusterCircle("yj-teams-cluster", "yj-teams", c.team, "teams");
    dots("yj-teams", "yj-teams", c.team, "teams", 6);
    dots("yj-experts", "yj-experts", c.expert, "experts", 7);
    dots("yj-warehouses", "yj-warehouses", c.warehouse, "warehouses", 7);
    clusterCircle("yj-risk-cluster", "yj-risk", c.major, "risk");
    dots("yj-risk", "yj-risk", ["match", ["get", "grade"], "major", c.major, "larger", c.larger, c.general], "risk", 6);
    // Incidents on top: a large ring, red while open, grey once closed.
    m.addLayer({ id: "yj-incidents", source: "yj-incidents", type: "circle", metadata: { group: "incidents" },
      paint: {
        "circle-color": ["match", ["get", "subtype"], "closed", c.incidentClosed, c.incident],
        "circle-radius": 9, "circle-stroke-color": "#fff", "circle-stroke-width": 3,
      } });
    if (m.getStyle().glyphs) {
      m.addLayer({ id: "yj-incidents-label", source: "yj-incidents", type: "symbol", metadata: { group: "incidents" }, minzoom: 8,
        layout: { "text-field": ["get", "name"], "text-size": 13, "text-offset": [0, 1.3], "text-anchor": "top", "text-font": ["Noto Sans Regular"] },
        paint: { "text-color": "#8b0000", "text-halo-color": "#fff", "text-halo-width": 1.5 } });
    }
    for (const g of LAYER_GROUPS) this.setVisible(g, this.visible.has(g));
  }

  setVisible(group: LayerGroup, on: boolean): void {
    if (on) this.visible.add(group);
    else this.visible.delete(group);
    for (const layer of this.map.getStyle()?.layers ?? []) {
      const meta = layer.metadata as { group?: string } | undefined;
      if (meta?.group === group) this.map.setLayoutProperty(layer.id, "visibility", on ? "visible" : "none");
    }
  }

  isVisible(group: LayerGroup): boolean {
    return this.visible.has(group);
  }

  private clickable(): string[] {
    return ["yj-incidents", "yj-risk", "yj-risk-lines", "yj-targets", "yj-works", "yj-teams", "yj-experts", "yj-warehouses", "yj-zones", "yj-rivers"]
      .filter((id) => this.map.getLayer(id));
  }

  private onClick(e: MapMouseEvent): void {
    if (this.queryMode) {
      this.setQueryMode(false);
      this.cb.query(e.lngLat.lat, e.lngLat.lng);
      return;
    }
    const box: [maplibregl.PointLike, maplibregl.PointLike] = [[e.point.x - 5, e.point.y - 5], [e.point.x + 5, e.point.y + 5]];
    const clusters = this.map.queryRenderedFeatures(box, { layers: ["yj-risk-cluster", "yj-teams-cluster"].filter((id) => this.map.getLayer(id)) });
    if (clusters.length) {
      this.map.easeTo({ center: e.lngLat, zoom: this.map.getZoom() + 2 });
      return;
    }
    const hit = this.map.queryRenderedFeatures(box, { layers: this.clickable() })[0];
    if (hit) {
      const p = hit.properties as { kind: string; id: string; name: string };
      this.cb.open(p.kind, p.id, p.name);
    }
  }

  setQueryMode(on: boolean): void {
    this.queryMode = on;
    this.map.getCanvas().style.cursor = on ? "crosshair" : "";
    this.onQueryMode?.(on);
  }

  /** Told when query mode turns on or off (the toolbar button shows it). */
  onQueryMode?: (on: boolean) => void;

  /** Layers the extra map packs above the base map and below the replica's layers. */
  async setPacks(packs: MapPackDto[]): Promise<void> {
    await this.ready;
    const m = this.map;
    for (const layer of m.getStyle().layers ?? []) if (layer.id.startsWith("pack-")) m.removeLayer(layer.id);
    for (const id of Object.keys(m.getStyle().sources ?? {})) if (id.startsWith("pack-")) m.removeSource(id);
    const before = m.getLayer("yj-zones") ? "yj-zones" : undefined;
    for (const p of packs.filter((p) => !p.is_base)) {
      const source = `pack-${p.id}`;
      const common = { tiles: [p.tiles_url], minzoom: p.min_zoom, maxzoom: p.max_zoom, bounds: p.bounds as [number, number, number, number] };
      if (p.tile_type === "mvt") {
        m.addSource(source, { type: "vector", ...common });
        for (const layer of p.vector_layers) {
          m.addLayer({ id: `${source}-${layer}-fill`, source, "source-layer": layer, type: "fill", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#8d6e63", "fill-opacity": 0.12 } }, before);
          m.addLayer({ id: `${source}-${layer}-line`, source, "source-layer": layer, type: "line", paint: { "line-color": "#6d4c41", "line-width": 1 } }, before);
        }
      } else {
        m.addSource(source, { type: "raster", tileSize: 256, ...common });
        m.addLayer({ id: `${source}-raster`, source, type: "raster", paint: { "raster-opacity": 0.9 } }, before);
      }
    }
  }

  flyTo(lat: number, lon: number, zoom = 12): void {
    this.map.flyTo({ center: [lon, lat], zoom: Math.max(zoom, this.map.getZoom()), speed: 1.6 });
  }

  /** Draws the circle of a one-click query and its hits. */
  showQuery(r: NearResult): void {
    const m = this.map;
    const ring: [number, number][] = [];
    const kmPerDegLat = 111.195;
    for (let i = 0; i <= 64; i++) {
      const a = (i / 64) * 2 * Math.PI;
      ring.push([
        r.lon + (r.radius_km * Math.sin(a)) / (kmPerDegLat * Math.cos((r.lat * Math.PI) / 180)),
        r.lat + (r.radius_km * Math.cos(a)) / kmPerDegLat,
      ]);
    }
    const circle = collection([{ type: "Feature", geometry: { type: "Polygon", coordinates: [ring] }, properties: {} }]);
    const centre = collection([{ type: "Feature", geometry: { type: "Point", coordinates: [r.lon, r.lat] }, properties: {} }]);
    for (const [id, data] of [["yj-query", circle], ["yj-query-centre", centre]] as const) {
      const s = m.getSource(id) as GeoJSONSource | undefined;
      if (s) s.setData(data);
      else m.addSource(id, { type: "geojson", data });
    }
    if (!m.getLayer("yj-query")) {
      m.addLayer({ id: "yj-query", source: "yj-query", type: "fill", paint: { "fill-color": COLOURS.query, "fill-opacity": 0.08 } }, "yj-zones");
      m.addLayer({ id: "yj-query-line", source: "yj-query", type: "line", paint: { "line-color": COLOURS.query, "line-width": 2, "line-dasharray": [2, 2] } });
      m.addLayer({ id: "yj-query-centre", source: "yj-query-centre", type: "circle", paint: { "circle-color": COLOURS.query, "circle-radius": 5, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
    }
    const pad = 40;
    const dLat = r.radius_km / kmPerDegLat;
    const dLon = dLat / Math.cos((r.lat * Math.PI) / 180);
    m.fitBounds([[r.lon - dLon, r.lat - dLat], [r.lon + dLon, r.lat + dLat]], { padding: pad, maxZoom: 14 });
  }

  clearQuery(): void {
    for (const id of ["yj-query-centre", "yj-query-line", "yj-query"]) if (this.map.getLayer(id)) this.map.removeLayer(id);
    for (const id of ["yj-query", "yj-query-centre"]) if (this.map.getSource(id)) this.map.removeSource(id);
  }

  resize(): void {
    this.map.resize();
  }
}
