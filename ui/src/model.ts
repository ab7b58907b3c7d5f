// The model panel: a gas release or a river spill from a point or a risk source, drawn on the one
// map, and the saved runs (re-run, compare). Every figure comes from the Rust core through the
// commands in ./api.ts; this file reads the form, draws what comes back and formats units.
import type { GeoJSONSource, Map as MlMap } from "maplibre-gl";
import { api, isApiError } from "./api";
import type { ChemicalDto } from "./bindings/ChemicalDto";
import type { ChemicalSummaryDto } from "./bindings/ChemicalSummaryDto";
import type { GasRunInput } from "./bindings/GasRunInput";
import type { GasRunResult } from "./bindings/GasRunResult";
import type { IntakeRowDto } from "./bindings/IntakeRowDto";
import type { ModelRunDto } from "./bindings/ModelRunDto";
import type { RerunDto } from "./bindings/RerunDto";
import type { RiverRunInput } from "./bindings/RiverRunInput";
import type { RiverRunResult } from "./bindings/RiverRunResult";
import type { RunComparisonDto } from "./bindings/RunComparisonDto";
import type { SourceStrengthInput } from "./bindings/SourceStrengthInput";
import type { StabilityChoice } from "./bindings/StabilityChoice";
import { clear, h } from "./dom";
import { lang, t } from "./i18n";
import "./i18n-model";

export interface ModelOrigin {
  lat: number;
  lon: number;
  /** A risk source's name, or "" for a point picked on the map. */
  place: string;
  regionCode: string | null;
  /** The chemicals a risk source holds (name, CAS), offered as the substance. */
  chemicals: { name: string; cas: string }[];
}

export interface ModelHost {
  /** The map to draw on (the panel opens it first). */
  map(): MlMap | null;
  /** Called when the panel closes. */
  closed(): void;
}

type Tab = "gas" | "river" | "runs";

/** Zone colours, most severe level first (red, orange, yellow as in ALOHA). */
const ZONE_COLOURS = ["#c62828", "#ef6c00", "#f9a825", "#7e57c2"];
const PATH_COLOUR = "#d81b60";

const LAYERS = ["yjm-zones-fill", "yjm-zones-line", "yjm-path", "yjm-intakes", "yjm-works", "yjm-origin"];
const SOURCES = ["yjm-zones", "yjm-path", "yjm-intakes", "yjm-works", "yjm-origin"];

/** Seconds as hours and minutes: "2 h 05 min". */
export function hours(s: number | null | undefined): string {
  if (s === null || s === undefined) return "—";
  if (s < 30) return t("model.at_once");
  const min = Math.round(s / 60);
  const hh = Math.floor(min / 60);
  const mm = min % 60;
  return hh > 0 ? `${hh} h ${String(mm).padStart(2, "0")} min` : `${mm} min`;
}

function metres(m: number): string {
  return m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${Math.round(m)} m`;
}

function num(v: number, digits = 3): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000 || Math.abs(v) < 0.001) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

export class ModelPanel {
  active = false;
  private origin: ModelOrigin | null = null;
  private tab: Tab = "gas";
  private busy = false;
  private error = "";
  // The forms, as typed (strings), so switching tabs or languages keeps them.
  private gas = {
    name: "", cas: "", molar: "", levels: [["AEGL-3", ""], ["AEGL-2", ""], ["AEGL-1", ""]] as [string, string][],
    wind: "3", from: "90", stabMode: "class", stabClass: "D", insolation: "moderate", cloud: "2",
    terrain: "rural", relKind: "continuous", amount: "", height: "0", label: "",
  };
  // Source-strength inputs (spec §9), in the units the core takes.
  private src = {
    kind: "gas_hole", density: "1000", hole: "0.01", gauge: "0", cd: "0.61", head: "1",
    k: "1.4", pressure: "500000", temp: "298.15", area: "10", liqTemp: "298.15", vp: "",
  };
  private srcNote = "";
  // The chemical library: the search text, its hits, and the chemical picked.
  private chemQuery = "";
  private chemHits: ChemicalSummaryDto[] = [];
  private chem: ChemicalDto | null = null;
  private chemTimer: number | undefined;
  private river = { name: "", cas: "", threshold: "", relKind: "instantaneous", mass: "", rate: "", durationH: "1", decay: "0", label: "" };
  private gasResult: GasRunResult | null = null;
  private riverResult: RiverRunResult | null = null;
  private runs: ModelRunDto[] = [];
  private picked = new Set<string>();
  private comparison: RunComparisonDto | null = null;
  private rerun: RerunDto | null = null;

  constructor(private el: HTMLElement, private host: ModelHost) {}

  /** Opens the panel; a risk source's first chemical is looked up in the library before the
   *  panel shows, so nothing the user types is overwritten later. */
  async open(origin: ModelOrigin): Promise<void> {
    this.origin = origin;
    this.active = true;
    this.error = "";
    this.drawOrigin();
    const first = origin.chemicals[0];
    if (first && !this.gas.name && !this.river.name) {
      this.setNames(first);
      if (first.cas) await this.pick(first.cas, true);
    }
    this.render();
  }

  close(): void {
    this.active = false;
    this.clearMap();
    this.host.closed();
  }

  render(): void {
    if (!this.active || !this.origin) return;
    const o = this.origin;
    const tabs: Tab[] = ["gas", "river", "runs"];
    clear(
      this.el,
      h("div", { class: "detail-head" },
        h("h2", { "data-testid": "model-title" }, t("model.title")),
        h("button", { class: "close", title: t("detail.close"), "aria-label": t("detail.close"), onclick: () => this.close() }, "×")),
      h("div", { class: "detail-kind mono" }, o.place ? `${o.place} · ` : "", `${o.lat.toFixed(5)}, ${o.lon.toFixed(5)}`),
      h("div", { class: "model-tabs", role: "tablist" },
        tabs.map((k) => h("button", {
          role: "tab", "aria-selected": String(this.tab === k), class: this.tab === k ? "on" : "", "data-testid": `model-tab-${k}`,
          onclick: () => { this.tab = k; this.error = ""; if (k === "runs") void this.loadRuns(); this.render(); },
        }, t(`model.tab.${k}`)))),
      this.error ? h("div", { class: "model-error", role: "alert", "data-testid": "model-error" }, this.error) : null,
      this.tab === "gas" ? this.gasView() : this.tab === "river" ? this.riverView() : this.runsView(),
    );
  }

  private useChemical(c: { name: string; cas: string }): void {
    this.setNames(c);
    if (c.cas) void this.pick(c.cas, true);
  }

  private setNames(c: { name: string; cas: string }): void {
    this.gas.name = c.name;
    this.gas.cas = c.cas;
    this.river.name = c.name;
    this.river.cas = c.cas;
  }

  /** Picks a chemical from the library: its molar mass, levels of concern and GB 3838 limit. */
  private async pick(cas: string, quiet = false): Promise<void> {
    let c: ChemicalDto;
    try {
      c = await api.chemical(cas);
    } catch (e) {
      if (!quiet) this.error = isApiError(e) ? (lang() === "en" ? e.message_en : e.message_zh) : String(e);
      this.render();
      return;
    }
    this.chem = c;
    this.chemHits = [];
    this.chemQuery = "";
    const name = lang() === "en" && c.name_en ? c.name_en : c.name_zh;
    this.gas.name = name;
    this.gas.cas = c.cas;
    this.gas.molar = String(c.molar_mass_g_mol);
    // One level per tier, most severe first, in the library's order of preference.
    const levels: [string, string][] = [];
    for (const tier of [3, 2, 1]) {
      const l = c.levels.find((x) => x.tier === tier);
      if (l) levels.push([l.name, String(l.ppm)]);
    }
    if (levels.length) this.gas.levels = levels;
    this.river.name = name;
    this.river.cas = c.cas;
    if (c.gb3838_limit_mg_l !== null) this.river.threshold = String(c.gb3838_limit_mg_l);
    this.render();
  }

  private chemPicker(): HTMLElement {
    const hits = h("ul", { class: "chem-hits", "data-testid": "chem-hits" });
    const drawHits = () => clear(hits, this.chemHits.map((c) =>
      h("li", {}, h("button", { class: "link", "data-cas": c.cas, onclick: () => void this.pick(c.cas) },
        `${c.name_zh} · ${c.name_en} · CAS ${c.cas} · ${num(c.molar_mass_g_mol)} g/mol`))));
    drawHits();
    const input = h("input", {
      type: "search", value: this.chemQuery, placeholder: t("model.chem_search"), "data-testid": "chem-search",
      oninput: (e: Event) => {
        this.chemQuery = (e.target as HTMLInputElement).value;
        window.clearTimeout(this.chemTimer);
        this.chemTimer = window.setTimeout(async () => {
          const text = this.chemQuery.trim();
          this.chemHits = text ? await api.chemicalSearch(text, 8).catch(() => []) : [];
          drawHits();
        }, 150);
      },
    });
    const c = this.chem;
    return h("div", { class: "chem-picker" },
      h("div", { class: "finder-row" }, input,
        h("button", { class: "link", onclick: () => { this.chem = null; this.render(); } }, t("model.custom"))),
      hits,
      c ? h("div", { class: "secondary", "data-testid": "chem-picked" },
        `${c.name_zh} (${c.cas}) · ${num(c.molar_mass_g_mol)} g/mol`,
        c.gas_denser_than_air ? h("strong", { class: "dense" }, " · ", t("model.denser")) : null,
        c.gb3838_limit_mg_l !== null ? ` · GB 3838 ${c.gb3838_item ?? ""} ${num(c.gb3838_limit_mg_l)} mg/L` : "",
        c.levels.length ? h("div", {}, c.levels.map((l) => `${l.name} ${num(l.ppm)} ppm${l.verified ? "" : "*"}`).join(" · "),
          c.levels.some((l) => !l.verified) ? h("div", {}, t("model.unverified")) : null) : null)
        : null);
  }

  /** The risk source's chemicals as one-click choices of the substance. */
  private heldChemicals(): HTMLElement | null {
    const list = this.origin?.chemicals ?? [];
    if (!list.length) return null;
    return h("div", { class: "model-held" }, t("model.held"), " ",
      list.map((c) => h("button", { class: "chip", onclick: () => { this.useChemical(c); this.render(); } }, c.name)));
  }

  // ---- gas ---------------------------------------------------------------------------------

  private field(label: string, input: HTMLElement, testid?: string): HTMLElement {
    if (testid) input.dataset.testid = testid;
    return h("label", { class: "model-field" }, h("span", {}, label), input);
  }

  private text(obj: Record<string, string>, key: string, type = "number", extra: Record<string, string> = {}): HTMLInputElement {
    return h("input", {
      type, value: obj[key], step: "any", ...extra,
      oninput: (e: Event) => { obj[key] = (e.target as HTMLInputElement).value; },
    });
  }

  private select(obj: Record<string, string>, key: string, options: [string, string][], rerender = false): HTMLSelectElement {
    return h("select", {
      onchange: (e: Event) => { obj[key] = (e.target as HTMLSelectElement).value; if (rerender) this.render(); },
    }, options.map(([v, label]) => h("option", { value: v, selected: obj[key] === v }, label)));
  }

  private gasView(): HTMLElement {
    const g = this.gas as unknown as Record<string, string>;
    const stab = this.gas.stabMode;
    const levels = this.gas.levels.map((pair, i) =>
      h("div", { class: "model-level" },
        h("span", { class: "swatch", style: `background:${ZONE_COLOURS[i]}` }),
        h("input", { type: "text", value: pair[0], size: 8, "aria-label": t("model.level_name"), "data-testid": `gas-level-name-${i}`, oninput: (e: Event) => { pair[0] = (e.target as HTMLInputElement).value; } }),
        h("input", { type: "number", step: "any", value: pair[1], "aria-label": `${pair[0]} ppm`, "data-testid": `gas-level-ppm-${i}`, oninput: (e: Event) => { pair[1] = (e.target as HTMLInputElement).value; } }),
        " ppm"));
    return h("div", { class: "model-body", "data-testid": "model-gas" },
      this.gasResult ? this.gasResultView(this.gasResult) : null,
      h("fieldset", {},
        h("legend", {}, t("model.substance")),
        this.chemPicker(),
        this.heldChemicals(),
        this.field(t("model.name"), this.text(g, "name", "text"), "gas-name"),
        this.field(t("model.cas"), this.text(g, "cas", "text")),
        this.field(t("model.molar_mass"), this.text(g, "molar"), "gas-molar"),
        h("div", { class: "model-sub" }, t("model.levels")),
        levels),
      h("fieldset", {},
        h("legend", {}, t("model.weather")),
        this.field(t("model.wind_speed"), this.text(g, "wind"), "gas-wind"),
        this.field(t("model.wind_from"), this.text(g, "from", "number", { min: "0", max: "360" }), "gas-from"),
        this.field(t("model.stability"), this.select(g, "stabMode",
          (["class", "day", "night", "overcast"] as const).map((m) => [m, t(`model.stab.${m}`)]), true), "gas-stab-mode"),
        stab === "class" ? this.field(t("model.stab_class"), this.select(g, "stabClass", ["A", "B", "C", "D", "E", "F"].map((c) => [c, c])), "gas-stab-class") : null,
        stab === "day" ? this.field(t("model.insolation"), this.select(g, "insolation", ["strong", "moderate", "slight"].map((c) => [c, t(`model.ins.${c}`)]))) : null,
        stab === "night" ? this.field(t("model.cloud"), this.text(g, "cloud", "number", { min: "0", max: "8", step: "1" })) : null,
        this.field(t("model.terrain"), this.select(g, "terrain", [["rural", t("model.terrain.rural")], ["urban", t("model.terrain.urban")]]))),
      h("fieldset", {},
        h("legend", {}, t("model.release")),
        this.field(t("model.release"), this.select(g, "relKind", [["continuous", t("model.rel.continuous")], ["instantaneous", t("model.rel.instantaneous")]]), "gas-rel-kind"),
        this.field(t("model.amount"), this.text(g, "amount"), "gas-amount"),
        this.field(t("model.height"), this.text(g, "height")),
        this.sourceView()),
      this.field(t("model.label"), this.text(g, "label", "text")),
      h("div", { class: "actions" },
        h("button", { class: "primary", "data-testid": "gas-run", disabled: this.busy, onclick: () => void this.runGas() }, this.busy ? t("model.running") : t("model.run"))));
  }

  private sourceView(): HTMLElement {
    const v = this.src as unknown as Record<string, string>;
    const kind = this.src.kind;
    return h("details", { class: "model-source", "data-testid": "gas-source", open: kind !== "gas_hole" || this.srcNote !== "" },
      h("summary", {}, t("model.src.title")),
      this.field(t("model.src.kind"), this.select(v, "kind", ["gas_hole", "liquid_hole", "pool_evaporation"].map((k) => [k, t(`model.src.${k}`)]), true)),
      kind === "liquid_hole" ? [
        this.field(t("model.src.density"), this.text(v, "density")),
        this.field(t("model.src.hole"), this.text(v, "hole")),
        this.field(t("model.src.gauge"), this.text(v, "gauge")),
        this.field(t("model.src.head"), this.text(v, "head")),
        this.field(t("model.src.cd"), this.text(v, "cd")),
      ] : kind === "gas_hole" ? [
        this.field(t("model.src.pressure"), this.text(v, "pressure")),
        this.field(t("model.src.temp"), this.text(v, "temp")),
        this.field(t("model.src.k"), this.text(v, "k")),
        this.field(t("model.src.hole"), this.text(v, "hole")),
        this.field(t("model.src.cd"), this.text(v, "cd")),
      ] : [
        this.field(t("model.src.area"), this.text(v, "area")),
        this.field(t("model.src.liq_temp"), this.text(v, "liqTemp")),
        this.field(t("model.src.vp"), this.text(v, "vp")),
      ],
      h("div", { class: "actions" }, h("button", { "data-testid": "gas-source-run", onclick: () => void this.estimate() }, t("model.src.estimate")),
        this.srcNote ? h("span", { class: "secondary", "data-testid": "gas-source-note" }, this.srcNote) : null));
  }

  /** Estimates the release rate with the core's source models and puts it in the form. */
  private async estimate(): Promise<void> {
    const v = this.src;
    const n = (x: string) => Number(x);
    const molar = n(this.gas.molar);
    const input: SourceStrengthInput =
      v.kind === "liquid_hole" ? { kind: "liquid_hole", density_kg_m3: n(v.density), hole_diameter_m: n(v.hole), gauge_pressure_pa: n(v.gauge), discharge_coefficient: n(v.cd), head_m: n(v.head) }
      : v.kind === "gas_hole" ? { kind: "gas_hole", molar_mass_g_mol: molar, heat_capacity_ratio: n(v.k), upstream_pressure_pa: n(v.pressure), upstream_temp_k: n(v.temp), hole_diameter_m: n(v.hole), discharge_coefficient: n(v.cd) }
      : { kind: "pool_evaporation", molar_mass_g_mol: molar, pool_area_m2: n(v.area), liquid_temp_k: n(v.liqTemp), vapor_pressure_pa: n(v.vp) };
    const r = await this.call(() => api.sourceStrength(input));
    if (r) {
      this.gas.relKind = "continuous";
      this.gas.amount = String(Number(r.rate_kg_s.toPrecision(4)));
      this.srcNote = t("model.src.result", { q: this.gas.amount }) + (r.choked === null ? "" : r.choked ? t("model.src.choked") : "");
    }
    this.render();
  }

  private gasInput(): GasRunInput | null {
    const g = this.gas;
    const missing: string[] = [];
    const need = (v: string, label: string) => { if (v.trim() === "" || !Number.isFinite(Number(v))) missing.push(label); return Number(v); };
    const molar = need(g.molar, t("model.molar_mass"));
    const levels = g.levels.filter(([n, p]) => n.trim() && p.trim()).map(([name, ppm]) => ({ name: name.trim(), ppm: Number(ppm) }));
    if (!levels.length) missing.push(t("model.levels"));
    const wind = need(g.wind, t("model.wind_speed"));
    const from = need(g.from, t("model.wind_from"));
    const amount = need(g.amount, t("model.amount"));
    const height = need(g.height, t("model.height"));
    if (!g.name.trim()) missing.push(t("model.name"));
    if (missing.length) { this.error = t("model.need", { what: missing.join("、") }); return null; }
    const stability: StabilityChoice =
      g.stabMode === "class" ? { mode: "class", class: g.stabClass }
      : g.stabMode === "day" ? { mode: "day", insolation: g.insolation }
      : g.stabMode === "night" ? { mode: "night", cloud_oktas: Math.round(Number(g.cloud)) }
      : { mode: "overcast" };
    const o = this.origin!;
    return {
      lat: o.lat, lon: o.lon, place: o.place, region_code: o.regionCode,
      substance: { name: g.name.trim(), cas: g.cas.trim() || null, molar_mass_g_mol: molar, levels },
      wind_speed_10m_m_s: wind, wind_from_deg: from, stability, terrain: g.terrain,
      source: g.relKind === "continuous" ? { kind: "continuous", rate_kg_s: amount } : { kind: "instantaneous", mass_kg: amount },
      height_m: height, label: g.label.trim() || null,
    };
  }

  private async call<T>(f: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = "";
    this.render();
    try {
      return await f();
    } catch (e) {
      this.error = isApiError(e) ? (lang() === "en" ? e.message_en : e.message_zh) : String(e);
      return null;
    } finally {
      this.busy = false;
    }
  }

  private async runGas(): Promise<void> {
    const input = this.gasInput();
    if (!input) { this.render(); return; }
    const r = await this.call(() => api.gasRelease(input));
    if (r) { this.gasResult = r; this.drawGas(r); }
    this.render();
    this.el.scrollTop = 0;
  }

  private gasResultView(r: GasRunResult): HTMLElement {
    return h("section", { class: "model-result", "data-testid": "gas-result" },
      h("h3", {}, t("model.zones")),
      h("div", { class: "secondary" }, t("model.stability_used", { c: r.stability, u: r.wind_speed_m_s.toFixed(1), d: Math.round(r.downwind_deg) })),
      r.warnings.length
        ? h("ul", { class: "model-warnings", "data-testid": "gas-warnings" },
            r.warnings.map((w) => h("li", { "data-code": w.code }, t(`model.warn.${w.code}`, { level: w.level ?? "" }))))
        : null,
      h("table", { class: "grid small", "data-testid": "gas-zones" },
        h("thead", {}, h("tr", {}, h("th", {}, t("model.level_name")), h("th", {}, "ppm"), h("th", {}, t("model.distance")), h("th", {}, t("model.half_width")))),
        h("tbody", {}, r.zones.map((z, i) => h("tr", {},
          h("td", {}, h("span", { class: "swatch", style: `background:${ZONE_COLOURS[i % ZONE_COLOURS.length]}` }), " ", z.name),
          h("td", { class: "num" }, num(z.ppm)),
          h("td", { class: "num" }, z.distance_m > 0 ? metres(z.distance_m) : "—"),
          h("td", { class: "num" }, z.distance_m > 0 ? metres(z.max_half_width_m) : "—"))))),
      h("div", { class: "secondary model-saved", "data-testid": "model-saved" }, t("model.saved", { v: r.model_version }), " · ", r.run_id.slice(0, 8)));
  }

  // ---- river -------------------------------------------------------------------------------

  private riverView(): HTMLElement {
    const v = this.river as unknown as Record<string, string>;
    return h("div", { class: "model-body", "data-testid": "model-river" },
      this.riverResult ? this.riverResultView(this.riverResult) : null,
      h("fieldset", {},
        h("legend", {}, t("model.substance")),
        this.chemPicker(),
        this.heldChemicals(),
        this.field(t("model.name"), this.text(v, "name", "text"), "river-name"),
        this.field(t("model.cas"), this.text(v, "cas", "text")),
        this.field(t("model.threshold"), this.text(v, "threshold"), "river-threshold")),
      h("fieldset", {},
        h("legend", {}, t("model.release")),
        this.field(t("model.release"), this.select(v, "relKind", [["instantaneous", t("model.rel.river_instantaneous")], ["continuous", t("model.rel.river_continuous")]], true), "river-rel-kind"),
        this.river.relKind === "instantaneous"
          ? this.field(t("model.mass"), this.text(v, "mass"), "river-mass")
          : [this.field(t("model.rate"), this.text(v, "rate"), "river-rate"), this.field(t("model.duration_h"), this.text(v, "durationH"), "river-duration")],
        this.field(t("model.decay"), this.text(v, "decay"))),
      this.field(t("model.label"), this.text(v, "label", "text")),
      h("div", { class: "actions" },
        h("button", { class: "primary", "data-testid": "river-run", disabled: this.busy, onclick: () => void this.runRiver() }, this.busy ? t("model.running") : t("model.run"))));
  }

  private riverInput(): RiverRunInput | null {
    const v = this.river;
    const missing: string[] = [];
    const need = (s: string, label: string) => { if (s.trim() === "" || !Number.isFinite(Number(s))) missing.push(label); return Number(s); };
    if (!v.name.trim()) missing.push(t("model.name"));
    const threshold = need(v.threshold, t("model.threshold"));
    const decay = need(v.decay, t("model.decay"));
    const release: RiverRunInput["release"] = v.relKind === "instantaneous"
      ? { kind: "instantaneous", mass_kg: need(v.mass, t("model.mass")) }
      // Hours as typed, seconds for the core.
      : { kind: "continuous", rate_kg_s: need(v.rate, t("model.rate")), duration_s: need(v.durationH, t("model.duration_h")) * 3600 };
    if (missing.length) { this.error = t("model.need", { what: missing.join("、") }); return null; }
    const o = this.origin!;
    return {
      lat: o.lat, lon: o.lon, place: o.place, region_code: o.regionCode, substance: v.name.trim(), cas: v.cas.trim() || null,
      threshold_mg_l: threshold, release, decay_per_s: decay, label: v.label.trim() || null,
    };
  }

  private async runRiver(): Promise<void> {
    const input = this.riverInput();
    if (!input) { this.render(); return; }
    const r = await this.call(() => api.riverSpillRun(input));
    if (r) { this.riverResult = r; this.drawRiver(r); }
    this.render();
    this.el.scrollTop = 0;
  }

  private riverResultView(r: RiverRunResult): HTMLElement {
    return h("section", { class: "model-result", "data-testid": "river-result" },
      h("div", { class: "secondary" }, t("model.reach", { name: r.release_reach_name, m: Math.round(r.snap_distance_m) })),
      h("div", { class: "model-legend" },
        h("span", {}, h("span", { class: "line-swatch", style: `background:${PATH_COLOUR}` }), t("model.legend_path")),
        h("span", {}, h("span", { class: "swatch", style: "background:#1565c0" }), t("model.legend_intake")),
        h("span", {}, h("span", { class: "swatch square", style: "background:#263238" }), t("model.legend_work"))),
      h("h3", {}, t("model.intakes")),
      r.affected.length === 0
        ? h("p", { class: "empty" }, t("model.no_intakes"))
        : h("table", { class: "grid small", "data-testid": "river-intakes" },
            h("thead", {}, h("tr", {}, ["model.intake", "model.first", "model.peak", "model.peak_time", "model.duration"].map((k) => h("th", {}, t(k))))),
            h("tbody", {}, r.affected.map((i) => h("tr", { "data-testid": "intake-row" },
              h("td", {}, i.name, h("div", { class: "secondary" }, i.region_name)),
              h("td", { class: "num" }, hours(i.first_above_s)),
              h("td", { class: "num" }, num(i.peak_mg_l)),
              h("td", { class: "num" }, hours(i.peak_time_s)),
              h("td", { class: "num" }, hours(i.duration_above_s)))))),
      r.below_threshold.length ? h("div", { class: "secondary" }, t("model.below", { n: r.below_threshold.length })) : null,
      h("h3", {}, t("model.interceptions")),
      r.interceptions.length === 0
        ? h("p", { class: "empty" }, t("model.no_works"))
        : h("table", { class: "grid small", "data-testid": "river-interceptions" },
            h("thead", {}, h("tr", {}, ["model.work", "model.close_by", "model.protects"].map((k) => h("th", {}, t(k))))),
            h("tbody", {}, r.interceptions.map((w) => h("tr", { "data-testid": "interception-row" },
              h("td", {}, w.name, h("div", { class: "secondary" }, `${t(`model.work_kind.${w.kind}`)} · ${w.region_name}`)),
              h("td", { class: "num strong" }, hours(w.close_by_s)),
              h("td", {}, w.protects.length ? w.protects.join("、") : "—"))))),
      r.affected.length ? [h("h3", {}, t("model.charts")), r.affected.map((i) => this.chart(i, r.threshold_mg_l))] : null,
      h("div", { class: "secondary model-saved", "data-testid": "model-saved" }, t("model.saved", { v: r.model_version }), " · ", r.run_id.slice(0, 8)));
  }

  /** A concentration–time chart of one intake as SVG, hours against mg/L, with the limit. */
  private chart(i: IntakeRowDto, limit: number): SVGSVGElement | HTMLElement {
    const W = 470, H = 170, L = 56, R = 10, T = 22, B = 34;
    const ns = "http://www.w3.org/2000/svg";
    const el = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    if (i.series.length < 2) return h("div", {});
    const t0 = i.series[0][0] / 3600, t1 = i.series[i.series.length - 1][0] / 3600;
    const cMax = Math.max(limit, ...i.series.map((p) => p[1])) * 1.1;
    const x = (th: number) => L + ((th - t0) / Math.max(t1 - t0, 1e-9)) * (W - L - R);
    const y = (c: number) => H - B - (c / cMax) * (H - T - B);
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", class: "model-chart", role: "img", "aria-label": `${i.name}: ${t("model.charts")}` });
    svg.dataset.testid = "intake-chart";
    svg.append(el("text", { x: L, y: 14, class: "chart-title" }, i.name));
    svg.append(el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
    svg.append(el("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    for (let k = 0; k <= 4; k++) {
      const th = t0 + ((t1 - t0) * k) / 4;
      svg.append(el("line", { x1: x(th), y1: H - B, x2: x(th), y2: H - B + 4, class: "axis" }));
      svg.append(el("text", { x: x(th), y: H - B + 15, "text-anchor": "middle", class: "tick" }, th.toFixed(th < 10 ? 1 : 0)));
      const c = (cMax * k) / 4;
      svg.append(el("line", { x1: L - 4, y1: y(c), x2: L, y2: y(c), class: "axis" }));
      svg.append(el("text", { x: L - 6, y: y(c) + 4, "text-anchor": "end", class: "tick" }, num(c, 2)));
    }
    svg.append(el("text", { x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", class: "axis-label" }, t("model.axis_t")));
    svg.append(el("text", { x: 12, y: (T + H - B) / 2, "text-anchor": "middle", class: "axis-label", transform: `rotate(-90 12 ${(T + H - B) / 2})` }, t("model.axis_c")));
    svg.append(el("line", { x1: L, y1: y(limit), x2: W - R, y2: y(limit), class: "limit" }));
    svg.append(el("text", { x: W - R - 2, y: y(limit) - 4, "text-anchor": "end", class: "limit-label" }, `${t("model.limit")} ${num(limit)}`));
    svg.append(el("polyline", { points: i.series.map((p) => `${x(p[0] / 3600).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "), class: "series" }));
    return svg;
  }

  // ---- saved runs --------------------------------------------------------------------------

  private async loadRuns(): Promise<void> {
    const runs = await this.call(() => api.modelRuns());
    if (runs) this.runs = runs;
    this.render();
  }

  private runsView(): HTMLElement {
    const toggle = (id: string, on: boolean) => {
      if (on) this.picked.add(id); else this.picked.delete(id);
      while (this.picked.size > 2) this.picked.delete(this.picked.values().next().value as string);
      this.render();
    };
    const compare = async () => {
      const [a, b] = [...this.picked];
      const c = await this.call(() => api.compareModelRuns(a, b));
      if (c) this.comparison = c;
      this.render();
    };
    const rerun = async (id: string) => {
      const r = await this.call(() => api.rerunModelRun(id));
      if (r) {
        this.rerun = r;
        if (r.outcome.kind === "gas_release") { this.gasResult = r.outcome.result; this.drawGas(r.outcome.result); }
        else { this.riverResult = r.outcome.result; this.drawRiver(r.outcome.result); }
        const runs = await this.call(() => api.modelRuns());
        if (runs) this.runs = runs;
      }
      this.render();
    };
    return h("div", { class: "model-body", "data-testid": "model-runs" },
      this.rerun
        ? h("div", { class: this.rerun.reproduces ? "model-ok" : "model-error", "data-testid": "rerun-status" },
            this.rerun.reproduces ? t("model.reproduced", { v: this.rerun.outcome.result.model_version }) : t("model.not_reproduced"),
            this.rerun.same_model_version ? null : h("div", {}, t("model.other_version")))
        : null,
      this.runs.length === 0
        ? h("p", { class: "empty" }, t("model.runs_none"))
        : h("table", { class: "grid small", "data-testid": "runs-table" },
            h("tbody", {}, this.runs.map((r) => h("tr", { "data-run": r.id },
              h("td", {}, h("input", { type: "checkbox", "aria-label": r.id, checked: this.picked.has(r.id), onchange: (e: Event) => toggle(r.id, (e.target as HTMLInputElement).checked) })),
              h("td", {}, h("div", { class: "name" }, t(`model.kind.${r.kind}`), " · ", r.substance),
                h("div", { class: "secondary" }, `${r.created_at.slice(0, 16).replace("T", " ")} · ${r.place || r.region_name} · v${r.model_version}`, r.label ? ` · ${r.label}` : "")),
              h("td", {}, h("button", { class: "link", onclick: () => void rerun(r.id) }, t("model.rerun"))))))),
      h("div", { class: "actions" },
        h("button", { "data-testid": "runs-compare", disabled: this.picked.size !== 2, title: t("model.compare_hint"), onclick: () => void compare() }, t("model.compare"))),
      this.comparison ? this.comparisonView(this.comparison) : null);
  }

  private comparisonView(c: RunComparisonDto): HTMLElement {
    const fmt = (v: number | null, unit: string) => v === null ? "—" : unit === "s" ? hours(v) : unit === "m" ? metres(v) : `${num(v)} ${unit}`;
    const head = (r: ModelRunDto) => h("th", {}, `${t(`model.kind.${r.kind}`)} · ${r.substance}`, h("div", { class: "secondary" }, r.created_at.slice(0, 16).replace("T", " ")));
    return h("table", { class: "grid small", "data-testid": "runs-comparison" },
      h("thead", {}, h("tr", {}, h("th", {}, t("model.figure")), head(c.a), head(c.b))),
      h("tbody", {}, c.rows.map((row) => h("tr", { class: row.a !== row.b ? "differs" : "" },
        h("td", {}, t(`model.fig.${row.figure}`), row.subject ? h("div", { class: "secondary" }, row.subject) : null),
        h("td", { class: "num" }, fmt(row.a, row.unit)),
        h("td", { class: "num" }, fmt(row.b, row.unit))))));
  }

  // ---- the map -----------------------------------------------------------------------------

  private setSource(m: MlMap, id: string, data: GeoJSON.FeatureCollection): void {
    const s = m.getSource(id) as GeoJSONSource | undefined;
    if (s) s.setData(data);
    else m.addSource(id, { type: "geojson", data });
  }

  private ensureLayers(m: MlMap): void {
    if (m.getLayer("yjm-zones-fill")) return;
    for (const id of SOURCES) this.setSource(m, id, { type: "FeatureCollection", features: [] });
    m.addLayer({ id: "yjm-zones-fill", source: "yjm-zones", type: "fill", paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.28 } });
    m.addLayer({ id: "yjm-zones-line", source: "yjm-zones", type: "line", paint: { "line-color": ["get", "colour"], "line-width": 2 } });
    m.addLayer({ id: "yjm-path", source: "yjm-path", type: "line", layout: { "line-cap": "round", "line-join": "round" }, paint: { "line-color": PATH_COLOUR, "line-width": 6, "line-opacity": 0.8 } });
    m.addLayer({ id: "yjm-intakes", source: "yjm-intakes", type: "circle", paint: { "circle-color": "#1565c0", "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
    m.addLayer({ id: "yjm-works", source: "yjm-works", type: "circle", paint: { "circle-color": "#263238", "circle-radius": 7, "circle-stroke-color": "#ffeb3b", "circle-stroke-width": 3 } });
    m.addLayer({ id: "yjm-origin", source: "yjm-origin", type: "circle", paint: { "circle-color": "#b3261e", "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 3 } });
  }

  private drawOrigin(): void {
    const m = this.host.map();
    if (!m || !this.origin) return;
    this.ensureLayers(m);
    this.setSource(m, "yjm-origin", { type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [this.origin.lon, this.origin.lat] } }] });
  }

  private empty(m: MlMap, ...ids: string[]): void {
    for (const id of ids) this.setSource(m, id, { type: "FeatureCollection", features: [] });
  }

  private fit(m: MlMap, coords: [number, number][]): void {
    if (!coords.length) return;
    const lons = coords.map((c) => c[0]), lats = coords.map((c) => c[1]);
    m.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 50, maxZoom: 14, duration: 600 });
  }

  drawGas(r: GasRunResult): void {
    const m = this.host.map();
    if (!m) return;
    this.ensureLayers(m);
    this.empty(m, "yjm-path", "yjm-intakes", "yjm-works");
    // Widest (least severe) first, so the severe zones lie on top.
    const features: GeoJSON.Feature[] = r.zones
      .map((z, i) => ({ z, i }))
      .filter(({ z }) => z.ring.length > 3)
      .reverse()
      .map(({ z, i }) => ({ type: "Feature", properties: { name: z.name, colour: ZONE_COLOURS[i % ZONE_COLOURS.length] }, geometry: { type: "Polygon", coordinates: [z.ring] } }));
    this.setSource(m, "yjm-zones", { type: "FeatureCollection", features });
    const container = m.getContainer();
    container.dataset.modelZones = String(features.length);
    this.fit(m, r.zones.flatMap((z) => z.ring as [number, number][]).concat([[r.lon, r.lat]]));
  }

  drawRiver(r: RiverRunResult): void {
    const m = this.host.map();
    if (!m) return;
    this.ensureLayers(m);
    this.empty(m, "yjm-zones");
    const pt = (lon: number, lat: number, name: string): GeoJSON.Feature => ({ type: "Feature", properties: { name }, geometry: { type: "Point", coordinates: [lon, lat] } });
    this.setSource(m, "yjm-path", { type: "FeatureCollection", features: r.path.map((line) => ({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: line } })) });
    this.setSource(m, "yjm-intakes", { type: "FeatureCollection", features: r.affected.map((i) => pt(i.lon, i.lat, i.name)) });
    this.setSource(m, "yjm-works", { type: "FeatureCollection", features: r.interceptions.map((w) => pt(w.lon, w.lat, w.name)) });
    m.getContainer().dataset.modelPath = String(r.path.length);
    this.fit(m, [[r.lon, r.lat] as [number, number], ...r.affected.map((i) => [i.lon, i.lat] as [number, number]), ...r.interceptions.map((w) => [w.lon, w.lat] as [number, number])]);
  }

  private clearMap(): void {
    const m = this.host.map();
    if (!m) return;
    for (const id of LAYERS) if (m.getLayer(id)) m.removeLayer(id);
    for (const id of SOURCES) if (m.getSource(id)) m.removeSource(id);
    delete m.getContainer().dataset.modelZones;
    delete m.getContainer().dataset.modelPath;
  }
}
