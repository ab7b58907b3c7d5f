// A small map for the drill pages: the replay's map as it was at the chosen drill time (the
// incident, threat zones and river paths of the model runs saved by then, affected intakes,
// the gates open or shut then), and the scenario editor's position picker. The figures come
// from the Rust side (DrillReplayMapDto); this module only draws them.
import maplibregl, { type GeoJSONSource, type StyleSpecification } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import type { DrillReplayMapDto } from "./bindings/DrillReplayMapDto";
import { BLANK_STYLE, COLOURS, loadBaseStyle } from "./map";

type Feature = GeoJSON.Feature<GeoJSON.Geometry, Record<string, unknown>>;
const collection = (features: Feature[]): GeoJSON.FeatureCollection => ({ type: "FeatureCollection", features });
const point = (lon: number, lat: number, props: Record<string, unknown> = {}): Feature =>
  ({ type: "Feature", geometry: { type: "Point", coordinates: [lon, lat] }, properties: props });

let style: Promise<StyleSpecification | null> | null = null;

export class DrillMap {
  readonly map: maplibregl.Map;
  private ready: Promise<void>;
  private fitted = false;

  /** A map in `container` over the offline base map; `onPick` makes a click choose a position. */
  static async create(container: HTMLElement, onPick?: (lat: number, lon: number) => void): Promise<DrillMap> {
    const s = await (style ??= loadBaseStyle());
    return new DrillMap(container, s ?? BLANK_STYLE, onPick);
  }

  private constructor(private container: HTMLElement, base: StyleSpecification, onPick?: (lat: number, lon: number) => void) {
    container.classList.add("drill-map");
    this.map = new maplibregl.Map({
      container,
      style: base,
      center: [119.4, 32.9],
      zoom: 6,
      minZoom: 4,
      maxZoom: 16,
      attributionControl: false,
      localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.ready = new Promise((resolve) => {
      this.map.once("load", () => {
        this.addLayers();
        container.dataset.ready = "true";
        resolve();
      });
    });
    if (onPick) {
      this.map.getCanvas().style.cursor = "crosshair";
      this.map.on("click", (e) => onPick(e.lngLat.lat, e.lngLat.lng));
    }
  }

  private addLayers(): void {
    const m = this.map;
    for (const id of ["dm-zones", "dm-paths", "dm-intakes", "dm-works", "dm-incident"]) {
      m.addSource(id, { type: "geojson", data: collection([]) });
    }
    m.addLayer({ id: "dm-zones", source: "dm-zones", type: "fill",
      paint: { "fill-color": ["match", ["get", "n"], 0, COLOURS.major, 1, COLOURS.larger, COLOURS.general], "fill-opacity": 0.22, "fill-outline-color": COLOURS.major } });
    m.addLayer({ id: "dm-paths", source: "dm-paths", type: "line", paint: { "line-color": COLOURS.major, "line-width": 4, "line-opacity": 0.75 } });
    m.addLayer({ id: "dm-intakes", source: "dm-intakes", type: "circle",
      paint: { "circle-radius": 6, "circle-color": COLOURS.intake, "circle-stroke-color": COLOURS.major, "circle-stroke-width": 2 } });
    m.addLayer({ id: "dm-works", source: "dm-works", type: "circle",
      paint: {
        "circle-radius": 7,
        "circle-color": ["case", ["to-boolean", ["get", "closed"]], COLOURS.work, "#ffffff"],
        "circle-stroke-color": COLOURS.work, "circle-stroke-width": 3,
      } });
    m.addLayer({ id: "dm-incident", source: "dm-incident", type: "circle",
      paint: {
        "circle-radius": 9,
        "circle-color": ["case", ["to-boolean", ["get", "closed"]], COLOURS.incidentClosed, COLOURS.incident],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
      } });
  }

  private set(id: string, features: Feature[]): void {
    (this.map.getSource(id) as GeoJSONSource | undefined)?.setData(collection(features));
  }

  /** The editor's chosen position (none when both are 0 or not numbers). */
  async setPick(lat: number, lon: number, recentre = false): Promise<void> {
    await this.ready;
    const ok = Number.isFinite(lat) && Number.isFinite(lon) && !(lat === 0 && lon === 0);
    this.set("dm-incident", ok ? [point(lon, lat, { closed: false })] : []);
    this.container.dataset.pick = ok ? `${lat.toFixed(5)},${lon.toFixed(5)}` : "";
    if (ok && recentre) this.map.jumpTo({ center: [lon, lat], zoom: Math.max(this.map.getZoom(), 9) });
  }

  /** The map as it was at the replay time (`minute`: drill minutes since the start). */
  async setReplay(r: DrillReplayMapDto, minute: number): Promise<void> {
    await this.ready;
    this.set("dm-incident", [
      point(r.incident_lon, r.incident_lat, { closed: r.incident_status === "closed", name: r.incident_name }),
      ...r.other_incidents.map((o) => point(o.lon, o.lat, { closed: o.closed, name: o.name })),
    ]);
    this.set("dm-zones", r.zones.map((z, n) => ({
      type: "Feature",
      geometry: { type: "Polygon", coordinates: [z.ring.map(([lat, lon]) => [lon, lat])] },
      properties: { name: z.name, n },
    })));
    this.set("dm-paths", r.river_paths.map((line) => ({ type: "Feature", geometry: { type: "LineString", coordinates: line }, properties: {} })));
    this.set("dm-intakes", r.intakes.map((i) => point(i.lon, i.lat, { name: i.name })));
    this.set("dm-works", r.works.map((w) => point(w.lon, w.lat, { name: w.name, closed: w.closed })));
    // Observable state for people and tests: what is drawn now.
    const d = this.container.dataset;
    d.zones = String(r.zones.length);
    d.riverPaths = String(r.river_paths.length);
    d.intakes = String(r.intakes.length);
    d.worksClosed = r.works.filter((w) => w.closed).map((w) => w.name).join("|");
    d.worksOpen = r.works.filter((w) => !w.closed).map((w) => w.name).join("|");
    d.incidentStatus = r.incident_status;
    d.minute = String(minute);
    d.incidents = String(1 + r.other_incidents.length);
    if (!this.fitted) {
      this.fitted = true;
      const b = new maplibregl.LngLatBounds([r.incident_lon, r.incident_lat], [r.incident_lon, r.incident_lat]);
      for (const w of r.works) b.extend([w.lon, w.lat]);
      this.map.fitBounds(b, { padding: 60, maxZoom: 11, duration: 0 });
    }
  }

  resize(): void {
    this.map.resize();
  }
}
