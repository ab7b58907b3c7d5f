// The scenario editor: a form over the `yingji-drill/1` scenario (ScenarioDto, generated from
// Rust). Every check is the core's (`drill_scenario_check` / `drill_scenario_save`); each
// problem is shown in the UI language beside its field, and the form keeps what was typed.
import "./drill-editor.css";
import { api } from "./api";
import type { ChemicalSummaryDto } from "./bindings/ChemicalSummaryDto";
import type { LabelledDto } from "./bindings/LabelledDto";
import type { ScenarioDto } from "./bindings/ScenarioDto";
import type { ScenarioInjectDto } from "./bindings/ScenarioInjectDto";
import type { ScenarioOptionsDto } from "./bindings/ScenarioOptionsDto";
import type { ScenarioProblemDto } from "./bindings/ScenarioProblemDto";
import type { ScenarioSummaryDto } from "./bindings/ScenarioSummaryDto";
import { drillApi } from "./drill-api";
import { DrillMap } from "./drill-map";
import { clear, h, type Child } from "./dom";
import { lang, t } from "./i18n";

export interface EditorHooks {
  /** Back to the scenario list (`saved`: what was saved, if anything). */
  done: (saved: ScenarioSummaryDto | null) => void;
  showError: (e: unknown) => void;
}

const label = (o: LabelledDto) => (lang() === "en" ? o.en : o.zh);
const message = (p: ScenarioProblemDto) => (lang() === "en" ? p.message_en : p.message_zh);

/** RFC 3339 ↔ the value of a datetime-local input in Beijing time (the scenario's offset). */
export function toBeijingInput(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? "" : new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
}
export function fromBeijingInput(v: string): string {
  return v ? `${v}:00+08:00` : "";
}

/** A number input's value: `null` when empty. */
function num(v: string): number | null {
  if (v.trim() === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export class ScenarioEditor {
  private s!: ScenarioDto;
  /** Where the scenario was opened from (a user file is saved over; anything else is a copy). */
  private from: string | null = null;
  private opts!: ScenarioOptionsDto;
  private problems: ScenarioProblemDto[] = [];
  private map: DrillMap | null = null;
  /** The map's element, kept across redraws (one map, one WebGL context, per editor). */
  private mapEl: HTMLElement | null = null;
  private checkTimer = 0;
  private saving = false;
  private chemicals = new Map<string, ChemicalSummaryDto>();

  constructor(private el: HTMLElement, private hooks: EditorHooks) {}

  /** Draws the form (as it is now) into `el` again. */
  attach(el: HTMLElement): void {
    this.el = el;
    if (this.opts) this.render();
  }

  /** Opens a scenario (`null`: a new one). A ready scenario is edited as a copy. */
  async open(path: string | null, user: boolean): Promise<void> {
    try {
      [this.opts, this.s] = await Promise.all([
        drillApi.scenarioOptions(),
        path ? drillApi.scenarioRead(path) : drillApi.scenarioNew(),
      ]);
    } catch (e) {
      this.hooks.showError(e);
      this.hooks.done(null);
      return;
    }
    this.from = user ? path : null;
    if (!user && path) {
      // A copy of a ready scenario: say so in its title, so the list tells them apart.
      this.s.title = t("drill.ed.copy_of", { title: this.s.title });
      if (this.s.title_en) this.s.title_en = `Copy of ${this.s.title_en}`;
    }
    this.problems = [];
    this.render();
  }

  // ---- the form ------------------------------------------------------------------------------

  private render(): void {
    const s = this.s;
    const first = this.mapEl === null;
    const mapEl = (this.mapEl ??= h("div", { class: "drill-editor-map", "data-testid": "ed-map" }));
    clear(this.el,
      h("div", { class: "drill-head" },
        h("h1", {}, this.from ? t("drill.ed.title_edit") : t("drill.ed.title_new")),
        h("div", {},
          h("button", { "data-testid": "ed-cancel", onclick: () => this.cancel() }, t("drill.ed.cancel")), " ",
          h("button", { class: "primary", "data-testid": "ed-save", onclick: () => void this.save() }, t("drill.ed.save")))),
      h("p", { class: "secondary" }, t("drill.ed.hint")),
      h("div", { class: "ed-problems", "data-testid": "ed-problems", role: "alert" }),
      h("form", { class: "drill-editor", "data-testid": "ed-form", onsubmit: (e: Event) => { e.preventDefault(); void this.save(); } },
        this.section(t("drill.ed.sec.scenario"),
          this.text("title", t("drill.ed.f.title"), () => s.title, (v) => { s.title = v; }, { required: true }),
          this.text("title_en", t("drill.ed.f.title_en"), () => s.title_en, (v) => { s.title_en = v; }),
          this.area("summary", t("drill.ed.f.summary"), () => s.summary, (v) => { s.summary = v; }),
          this.field("start_at", t("drill.ed.f.start_at"),
            this.input({ type: "datetime-local", value: toBeijingInput(s.start_at), "data-testid": "ed-start_at" }, (v) => { s.start_at = fromBeijingInput(v); })),
          this.numField("duration_min", t("drill.ed.f.duration"), () => s.duration_min, (v) => { s.duration_min = v ?? 0; }, { min: 1, step: 1 })),
        this.section(t("drill.ed.sec.incident"),
          this.text("incident.name", t("drill.ed.f.inc_name"), () => s.incident.name, (v) => { s.incident.name = v; }, { required: true }),
          this.field("incident.incident_type", t("drill.ed.f.inc_type"),
            this.select(this.opts.incident_types, s.incident.incident_type, (v) => { s.incident.incident_type = v; }, "ed-incident_type")),
          h("div", { class: "ed-position" },
            h("div", {},
              this.numField("incident.position", t("drill.ed.f.lat"), () => s.incident.lat, (v) => { s.incident.lat = v; void this.map?.setPick(s.incident.lat ?? NaN, s.incident.lon ?? NaN, true); }, { step: "0.00001", testid: "ed-lat" }),
              this.numField("", t("drill.ed.f.lon"), () => s.incident.lon, (v) => { s.incident.lon = v; void this.map?.setPick(s.incident.lat ?? NaN, s.incident.lon ?? NaN, true); }, { step: "0.00001", testid: "ed-lon" }),
              h("p", { class: "secondary" }, t("drill.ed.map_hint"))),
            mapEl),
          this.text("incident.region_code", t("drill.ed.f.region"), () => s.incident.region_code ?? "", (v) => { s.incident.region_code = v.trim() ? v.trim() : null; }),
          this.area("incident.source_description", t("drill.ed.f.source"), () => s.incident.source_description, (v) => { s.incident.source_description = v; }),
          this.text("incident.reported_by", t("drill.ed.f.reported_by"), () => s.incident.reported_by, (v) => { s.incident.reported_by = v; }, { required: true }),
          this.numField("incident.occurred_min_before", t("drill.ed.f.occurred_before"), () => s.incident.occurred_min_before, (v) => { s.incident.occurred_min_before = Math.max(0, Math.round(v ?? 0)); }, { min: 0, step: 1 }),
          this.pollutants(),
          this.conditions()),
        this.section(t("drill.ed.sec.river"), this.river()),
        this.section(t("drill.ed.sec.expected"),
          this.field("expected_tier", t("drill.ed.f.tier"),
            this.select([{ value: "", zh: "（不指定）", en: "(none)" }, ...this.opts.tiers], s.expected_tier ?? "", (v) => { s.expected_tier = v || null; }, "ed-tier")),
          this.numField("needed.teams", t("drill.ed.f.teams"), () => s.needed.teams, (v) => { s.needed.teams = Math.max(0, Math.round(v ?? 0)); }, { min: 0, step: 1 }),
          this.numField("needed.experts", t("drill.ed.f.experts"), () => s.needed.experts, (v) => { s.needed.experts = Math.max(0, Math.round(v ?? 0)); }, { min: 0, step: 1 }),
          this.materials(),
          this.text("needed.gates", t("drill.ed.f.gates"), () => s.needed.gates.join("、"), (v) => { s.needed.gates = v.split(/[、,，;；\n]/).map((x) => x.trim()).filter(Boolean); })),
        this.section(t("drill.ed.sec.injects"), this.injects())));
    if (first) {
      void DrillMap.create(mapEl, (lat, lon) => this.pick(lat, lon)).then((m) => {
        this.map = m;
        void m.setPick(this.s.incident.lat ?? NaN, this.s.incident.lon ?? NaN, true);
      });
    } else {
      this.map?.resize();
    }
    this.showProblems();
  }

  private pick(lat: number, lon: number): void {
    this.s.incident.lat = Number(lat.toFixed(5));
    this.s.incident.lon = Number(lon.toFixed(5));
    const la = this.el.querySelector<HTMLInputElement>("[data-testid=ed-lat]");
    const lo = this.el.querySelector<HTMLInputElement>("[data-testid=ed-lon]");
    if (la) la.value = String(this.s.incident.lat);
    if (lo) lo.value = String(this.s.incident.lon);
    void this.map?.setPick(this.s.incident.lat, this.s.incident.lon);
    this.scheduleCheck();
  }

  private section(title: string, ...children: Child[]): HTMLElement {
    return h("fieldset", { class: "ed-section" }, h("legend", {}, title), children);
  }

  /** A labelled field with the slot its problems go to. */
  private field(key: string, text: string, input: HTMLElement): HTMLElement {
    return h("label", { class: "ed-field" }, h("span", { class: "ed-label" }, text), input,
      key ? h("span", { class: "ed-error", "data-error-for": key }) : null);
  }

  private input(attrs: Record<string, string | number | boolean | null | undefined>, set: (v: string) => void): HTMLInputElement {
    const el = h("input", attrs) as HTMLInputElement;
    el.addEventListener("input", () => set(el.value));
    el.addEventListener("change", () => this.scheduleCheck());
    return el;
  }

  private text(key: string, text: string, get: () => string, set: (v: string) => void, o: { required?: boolean; testid?: string } = {}): HTMLElement {
    return this.field(key, text + (o.required ? " *" : ""),
      this.input({ value: get(), "data-testid": o.testid ?? `ed-${key.replace(/^.*\./, "")}`, "aria-required": o.required ? "true" : null }, set));
  }

  private area(key: string, text: string, get: () => string, set: (v: string) => void): HTMLElement {
    const el = h("textarea", { rows: 2, "data-testid": `ed-${key.replace(/^.*\./, "")}` }) as HTMLTextAreaElement;
    el.value = get();
    el.addEventListener("input", () => set(el.value));
    return this.field(key, text, el);
  }

  private numField(key: string, text: string, get: () => number | null, set: (v: number | null) => void, o: { min?: number; step?: number | string; testid?: string } = {}): HTMLElement {
    const v = get();
    return this.field(key, text,
      this.input({ type: "number", value: v === null || Number.isNaN(v) ? "" : v, min: o.min, step: o.step ?? "any", "data-testid": o.testid ?? `ed-${key.replace(/^.*\./, "")}` }, (x) => set(num(x))));
  }

  private select(options: LabelledDto[], value: string, set: (v: string) => void, testid?: string): HTMLSelectElement {
    const el = h("select", { "data-testid": testid }, options.map((o) => h("option", { value: o.value, selected: o.value === value }, label(o)))) as HTMLSelectElement;
    el.addEventListener("change", () => { set(el.value); this.scheduleCheck(); });
    return el;
  }

  private pollutants(): HTMLElement {
    const ps = this.s.incident.pollutants;
    const list = h("datalist", { id: "ed-chemicals" });
    const rows = ps.map((p, i) => {
      const name = this.input({ value: p.name_zh, list: "ed-chemicals", "data-testid": `ed-pollutant-name-${i}`, placeholder: t("drill.ed.f.chemical_ph") }, (v) => {
        p.name_zh = v;
        void this.searchChemicals(v, list);
      });
      const cas = this.input({ value: p.cas, size: 10, "data-testid": `ed-pollutant-cas-${i}` }, (v) => { p.cas = v; });
      name.addEventListener("change", () => {
        // Picked from the library: take its CAS number too.
        const c = this.chemicals.get(name.value);
        if (c) {
          p.name_zh = c.name_zh;
          p.cas = c.cas;
          name.value = c.name_zh;
          cas.value = c.cas;
        }
      });
      return h("tr", {},
        h("td", {}, name),
        h("td", {}, cas),
        h("td", {}, this.input({ type: "number", min: 0, step: "any", value: p.estimated_quantity_kg ?? "", "data-testid": `ed-pollutant-kg-${i}` }, (v) => { p.estimated_quantity_kg = num(v); })),
        h("td", {}, h("button", { type: "button", "aria-label": t("drill.ed.remove"), title: t("drill.ed.remove"), onclick: () => { ps.splice(i, 1); this.render(); } }, "×")));
    });
    return h("div", { class: "ed-field wide" },
      h("span", { class: "ed-label" }, t("drill.ed.f.pollutants")),
      list,
      ps.length ? h("table", { class: "grid small ed-rows" },
        h("thead", {}, h("tr", {}, h("th", {}, t("drill.ed.f.chemical")), h("th", {}, "CAS"), h("th", {}, t("drill.ed.f.quantity_kg")), h("th", {}))),
        h("tbody", {}, rows)) : null,
      h("button", { type: "button", "data-testid": "ed-add-pollutant", onclick: () => { ps.push({ name_zh: "", cas: "", estimated_quantity_kg: null }); this.render(); } }, t("drill.ed.add_pollutant")),
      h("span", { class: "ed-error", "data-error-for": "incident.pollutants" }));
  }

  private async searchChemicals(text: string, list: HTMLElement): Promise<void> {
    if (!text.trim()) return;
    let hits: ChemicalSummaryDto[];
    try {
      hits = await api.chemicalSearch(text.trim(), 12);
    } catch {
      return;
    }
    for (const c of hits) this.chemicals.set(c.name_zh, c);
    clear(list, hits.map((c) => h("option", { value: c.name_zh }, `${c.name_en} · CAS ${c.cas}`)));
  }

  private conditions(): HTMLElement {
    const c = this.s.incident.conditions;
    return h("div", { class: "ed-group" },
      h("span", { class: "ed-label" }, t("drill.ed.f.conditions")),
      h("div", { class: "ed-inline" },
        this.text("", t("drill.ed.f.weather"), () => c.weather, (v) => { c.weather = v; }, { testid: "ed-weather" }),
        this.numField("", t("drill.ed.f.air_temp"), () => c.air_temp_c, (v) => { c.air_temp_c = v; }, { testid: "ed-air_temp" }),
        this.numField("", t("drill.ed.f.wind_from"), () => c.wind_from_deg, (v) => { c.wind_from_deg = v; }, { min: 0, testid: "ed-wind_from" }),
        this.numField("", t("drill.ed.f.wind_speed"), () => c.wind_speed_m_s, (v) => { c.wind_speed_m_s = v; }, { min: 0, testid: "ed-wind_speed" }),
        this.text("", t("drill.ed.f.river_cond"), () => c.river, (v) => { c.river = v; }, { testid: "ed-river_cond" })),
      h("span", { class: "ed-error", "data-error-for": "incident.conditions" }));
  }

  private river(): HTMLElement {
    const s = this.s;
    const on = h("input", { type: "checkbox", checked: s.river_spill !== null, "data-testid": "ed-river-on" }) as HTMLInputElement;
    on.addEventListener("change", () => {
      s.river_spill = on.checked ? { mass_kg: 0, threshold_mg_l: 0, decay_per_s: 0, duration_s: null } : null;
      this.render();
    });
    const r = s.river_spill;
    return h("div", {},
      h("label", { class: "ed-check" }, on, " ", t("drill.ed.f.river_on")),
      r ? h("div", { class: "ed-inline" },
        this.numField("", t("drill.ed.f.mass"), () => r.mass_kg, (v) => { r.mass_kg = v ?? 0; }, { min: 0, testid: "ed-mass" }),
        this.numField("", t("drill.ed.f.threshold"), () => r.threshold_mg_l, (v) => { r.threshold_mg_l = v ?? 0; }, { min: 0, testid: "ed-threshold" }),
        this.numField("", t("drill.ed.f.decay"), () => r.decay_per_s, (v) => { r.decay_per_s = v ?? 0; }, { min: 0, testid: "ed-decay" }),
        this.numField("", t("drill.ed.f.spill_duration"), () => r.duration_s, (v) => { r.duration_s = v; }, { min: 0, testid: "ed-spill_duration" })) : null,
      h("span", { class: "ed-error", "data-error-for": "river_spill" }));
  }

  private materials(): HTMLElement {
    const ms = this.s.needed.materials;
    return h("div", { class: "ed-field wide" },
      h("span", { class: "ed-label" }, t("drill.ed.f.materials")),
      ms.length ? h("table", { class: "grid small ed-rows" },
        h("thead", {}, h("tr", {}, h("th", {}, t("drill.ed.f.item")), h("th", {}, t("drill.ed.f.quantity")), h("th", {}, t("drill.ed.f.unit")), h("th", {}))),
        h("tbody", {}, ms.map((m, i) => h("tr", {},
          h("td", {}, this.input({ value: m.item, "data-testid": `ed-material-item-${i}` }, (v) => { m.item = v; })),
          h("td", {}, this.input({ type: "number", min: 0, step: "any", value: m.quantity, "data-testid": `ed-material-qty-${i}` }, (v) => { m.quantity = num(v) ?? 0; })),
          h("td", {}, this.input({ value: m.unit, size: 4, "data-testid": `ed-material-unit-${i}` }, (v) => { m.unit = v; })),
          h("td", {}, h("button", { type: "button", "aria-label": t("drill.ed.remove"), title: t("drill.ed.remove"), onclick: () => { ms.splice(i, 1); this.render(); } }, "×")))))) : null,
      h("button", { type: "button", "data-testid": "ed-add-material", onclick: () => { ms.push({ item: "", quantity: 1, unit: "吨" }); this.render(); } }, t("drill.ed.add_material")),
      h("span", { class: "ed-error", "data-error-for": "needed.materials" }));
  }

  private injects(): HTMLElement {
    const list = this.s.injects;
    const responses = [{ value: "", zh: "（无）", en: "(none)" }, ...this.opts.responses];
    return h("div", { class: "ed-injects", "data-testid": "ed-injects" },
      list.length === 0 ? h("p", { class: "empty" }, t("drill.ed.no_injects")) : null,
      list.map((inj, i) => {
        const expect = inj.expect;
        const minute = this.input({ type: "number", min: 0, step: 1, value: inj.at_min, class: "ed-minute", "data-testid": `ed-inject-min-${i}` }, (v) => { inj.at_min = Math.max(0, Math.round(num(v) ?? 0)); });
        // Sorted by minute: a changed minute puts the inject in its place.
        minute.addEventListener("change", () => this.sortInjects());
        return h("div", { class: "ed-inject", "data-testid": `ed-inject-${i}`, "data-inject-id": inj.id },
          h("div", { class: "ed-inline" },
            h("label", { class: "ed-field narrow" }, h("span", { class: "ed-label" }, t("drill.ed.f.minute")), minute),
            h("label", { class: "ed-field" }, h("span", { class: "ed-label" }, t("drill.ed.f.kind")),
              this.select(this.opts.inject_kinds, inj.kind, (v) => { inj.kind = v; }, `ed-inject-kind-${i}`)),
            h("label", { class: "ed-field" }, h("span", { class: "ed-label" }, t("drill.ed.f.place")),
              this.input({ value: inj.place, "data-testid": `ed-inject-place-${i}` }, (v) => { inj.place = v; })),
            h("label", { class: "ed-field narrow" }, h("span", { class: "ed-label" }, t("drill.ed.f.id")),
              this.input({ value: inj.id, size: 8, "data-testid": `ed-inject-id-${i}` }, (v) => { inj.id = v.trim(); })),
            h("button", { type: "button", class: "danger ed-remove", "data-testid": `ed-inject-remove-${i}`, onclick: () => this.removeInject(i) }, t("drill.ed.remove"))),
          h("label", { class: "ed-field wide" }, h("span", { class: "ed-label" }, t("drill.ed.f.text") + " *"),
            this.input({ value: inj.text, "data-testid": `ed-inject-text-${i}` }, (v) => { inj.text = v; })),
          h("label", { class: "ed-field wide" }, h("span", { class: "ed-label" }, t("drill.ed.f.text_en")),
            this.input({ value: inj.text_en, "data-testid": `ed-inject-text-en-${i}` }, (v) => { inj.text_en = v; })),
          h("div", { class: "ed-inline" },
            h("label", { class: "ed-field" }, h("span", { class: "ed-label" }, t("drill.ed.f.expect")),
              this.select(responses, expect?.response ?? "", (v) => {
                inj.expect = v ? { response: v, within_min: expect?.within_min ?? 15, control_work: expect?.control_work ?? null, note: expect?.note ?? "" } : null;
                this.render();
              }, `ed-inject-expect-${i}`)),
            expect ? [
              h("label", { class: "ed-field narrow" }, h("span", { class: "ed-label" }, t("drill.ed.f.within")),
                this.input({ type: "number", min: 1, step: 1, value: expect.within_min, "data-testid": `ed-inject-within-${i}` }, (v) => { expect.within_min = Math.max(0, Math.round(num(v) ?? 0)); })),
              expect.response === "gate_closed" ? h("label", { class: "ed-field" }, h("span", { class: "ed-label" }, t("drill.ed.f.control_work")),
                this.input({ value: expect.control_work ?? "", "data-testid": `ed-inject-work-${i}` }, (v) => { expect.control_work = v.trim() || null; })) : null,
              h("label", { class: "ed-field" }, h("span", { class: "ed-label" }, t("drill.ed.f.note")),
                this.input({ value: expect.note, "data-testid": `ed-inject-note-${i}` }, (v) => { expect.note = v; })),
            ] : null),
          h("span", { class: "ed-error", "data-error-for": `injects:${i}` }));
      }),
      h("button", { type: "button", "data-testid": "ed-add-inject", onclick: () => this.addInject() }, t("drill.ed.add_inject")),
      h("span", { class: "ed-error", "data-error-for": "injects" }));
  }

  private addInject(): void {
    const list = this.s.injects;
    let n = list.length + 1;
    while (list.some((i) => i.id === `inject-${n}`)) n++;
    const last = list.reduce((m, i) => Math.max(m, i.at_min), 0);
    const inj: ScenarioInjectDto = { id: `inject-${n}`, at_min: Math.min(last + 5, this.s.duration_min || last + 5), kind: "other", text: "", text_en: "", place: "", expect: null };
    list.push(inj);
    this.render();
    this.el.querySelector<HTMLInputElement>(`[data-testid=ed-inject-text-${list.length - 1}]`)?.focus();
  }

  private removeInject(i: number): void {
    const inj = this.s.injects[i];
    if ((inj.text.trim() || inj.text_en.trim()) && !window.confirm(t("drill.ed.remove_confirm", { min: inj.at_min, text: inj.text }))) return;
    this.s.injects.splice(i, 1);
    this.render();
    this.scheduleCheck();
  }

  private sortInjects(): void {
    const before = this.s.injects.map((i) => i.id).join();
    this.s.injects.sort((a, b) => a.at_min - b.at_min || a.id.localeCompare(b.id));
    if (this.s.injects.map((i) => i.id).join() !== before) this.render();
    this.scheduleCheck();
  }

  // ---- checks and saving ---------------------------------------------------------------------

  private scheduleCheck(): void {
    // Check only once the user has tried to save (problems shown): then every change updates them.
    if (!this.problems.length) return;
    window.clearTimeout(this.checkTimer);
    this.checkTimer = window.setTimeout(() => void this.check(), 250);
  }

  private async check(): Promise<void> {
    try {
      this.problems = await drillApi.scenarioCheck(this.s);
    } catch (e) {
      this.hooks.showError(e);
      return;
    }
    this.showProblems();
  }

  /** Each problem beside its field, and all of them at the top; nothing typed is lost. */
  private showProblems(): void {
    for (const el of Array.from(this.el.querySelectorAll<HTMLElement>("[data-error-for]"))) {
      el.textContent = "";
      el.closest(".ed-field, .ed-inject, .ed-group")?.classList.remove("has-error");
    }
    const top = this.el.querySelector<HTMLElement>("[data-testid=ed-problems]");
    if (!top) return;
    if (!this.problems.length) {
      clear(top);
      return;
    }
    clear(top, h("strong", {}, t("drill.ed.problems", { n: this.problems.length })),
      h("ul", {}, this.problems.map((p) => h("li", { "data-field": p.field, "data-inject": p.inject ?? "" }, message(p)))));
    for (const p of this.problems) {
      const key = p.inject !== null ? `injects:${p.inject}` : p.field;
      const slot = this.el.querySelector<HTMLElement>(`[data-error-for="${key}"]`);
      if (!slot) continue;
      slot.append(h("span", { class: "error-text", "data-testid": "ed-field-error" }, message(p)));
      slot.closest(".ed-field, .ed-inject, .ed-group")?.classList.add("has-error");
    }
  }

  private async save(): Promise<void> {
    if (this.saving) return;
    this.saving = true;
    try {
      const r = await drillApi.scenarioSave(this.s, this.from);
      this.problems = r.problems;
      if (r.saved) {
        this.hooks.done(r.saved);
        return;
      }
      this.showProblems();
      this.el.querySelector(".has-error input, .has-error select, .has-error textarea")?.scrollIntoView({ block: "center" });
    } catch (e) {
      this.hooks.showError(e);
    } finally {
      this.saving = false;
    }
  }

  private cancel(): void {
    if (!window.confirm(t("drill.ed.cancel_confirm"))) return;
    this.hooks.done(null);
  }
}
