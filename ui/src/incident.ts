// Incident command in the window (事件): receiving an alarm, the models run on it, severity,
// deadlines, the command log, support, materials, reports, warnings and closing. Every figure
// and rule comes from the Rust core through ./incident-api.ts; this file reads forms and draws.
import { api, isApiError } from "./api";
import type { ChemicalSummaryDto } from "./bindings/ChemicalSummaryDto";
import type { DeadlineDto } from "./bindings/DeadlineDto";
import type { DispatchCandidateDto } from "./bindings/DispatchCandidateDto";
import type { IncidentDetailDto } from "./bindings/IncidentDetailDto";
import type { IncidentDto } from "./bindings/IncidentDto";
import type { IncidentModelInput } from "./bindings/IncidentModelInput";
import type { IncidentModelsDto } from "./bindings/IncidentModelsDto";
import type { IncidentZoneDto } from "./bindings/IncidentZoneDto";
import type { ClosingSummaryDto } from "./bindings/ClosingSummaryDto";
import type { ModelRunDto } from "./bindings/ModelRunDto";
import type { NearResult } from "./bindings/NearResult";
import type { ReportDto } from "./bindings/ReportDto";
import type { SupportCandidateDto } from "./bindings/SupportCandidateDto";
import type { TierSuggestionDto } from "./bindings/TierSuggestionDto";
import type { StabilityChoice } from "./bindings/StabilityChoice";
import { clear, h, type Child } from "./dom";
import { lang, t } from "./i18n";
import "./i18n-incident";
import "./incident.css";
import { incidentApi as ia } from "./incident-api";
import { consoleClock } from "./drill-api";
import { hours } from "./model";

/** Where an alarm starts: a map point, a risk source, or nothing (typed coordinates). */
export interface AlarmOrigin {
  lat?: number;
  lon?: number;
  riskSourceId?: string;
  regionCode?: string;
  place?: string;
  chemicals?: { name: string; cas: string }[];
}

export interface IncidentHost {
  showError(e: unknown): void;
  /** Opens the map at a point. */
  showOnMap(lat: number, lon: number): Promise<void>;
  /** The incidents changed here: the map's layer follows at once. */
  changed(): Promise<void>;
}

type Tab = "overview" | "severity" | "log" | "support" | "materials" | "reports" | "warnings" | "closing";
const TABS: Tab[] = ["overview", "severity", "log", "support", "materials", "reports", "warnings", "closing"];
const TYPES = ["water", "air", "soil", "transport", "fire_water", "marine", "other"];
const TIERS = ["general", "larger", "major", "especially_major"];
const MANUAL_LOG_KINDS = ["decision", "note", "order", "call", "arrival"];
const ORDER_STATUSES = ["issued", "acknowledged", "en_route", "on_scene", "completed", "cancelled"];
const REPORT_KINDS = ["initial", "follow_up", "result"];
const WARNING_LEVELS = ["blue", "yellow", "orange", "red"];
const NEAR_KINDS = ["target", "team", "expert", "warehouse", "control_work"];

const km = (m: number | null | undefined) =>
  m === null || m === undefined ? "—" : m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
const time = (s: string | null | undefined) => {
  if (!s) return "—";
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
};
const yuan = (v: number) => `${v.toLocaleString(lang() === "en" ? "en-US" : "zh-CN", { maximumFractionDigits: 2 })} ${t("inc.yuan")}`;
const errorText = (e: unknown) => (isApiError(e) ? (lang() === "en" ? e.message_en : e.message_zh) : String(e));

/** A countdown as ±h:mm:ss, from the console's now (drill time in a drill). */
function countdown(dueAt: string): { text: string; overdue: boolean } {
  const left = Math.round((new Date(dueAt).getTime() - consoleClock.now()) / 1000);
  const a = Math.abs(left);
  const p = (n: number) => String(n).padStart(2, "0");
  const text = `${Math.floor(a / 3600)}:${p(Math.floor((a % 3600) / 60))}:${p(a % 60)}`;
  return { text: left < 0 ? t("inc.deadline.overdue", { t: text }) : t("inc.deadline.left", { t: text }), overdue: left < 0 };
}

function field(label: string, input: HTMLElement, testid?: string): HTMLElement {
  if (testid) input.dataset.testid = testid;
  return h("label", { class: "inc-field" }, h("span", {}, label), input);
}

function input(attrs: Record<string, string | number | boolean | undefined> = {}): HTMLInputElement {
  return h("input", { type: "text", ...attrs });
}

function select(options: [string, string][], value = ""): HTMLSelectElement {
  return h("select", {}, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

export class IncidentView {
  private incidents: IncidentDto[] = [];
  private current: IncidentDetailDto | null = null;
  private tab: Tab = "overview";
  private alarm: AlarmOrigin | null = null;
  private models: { id: string; result: IncidentModelsDto } | null = null;
  private runs: ModelRunDto[] = [];
  private near: NearResult | null = null;
  private suggestion: TierSuggestionDto | null = null;
  private facts = { deaths: "0", injured: "0", evacuated: "0", loss: "0", intake: "", boundary: "" };
  private teams: SupportCandidateDto[] | null = null;
  private experts: SupportCandidateDto[] | null = null;
  private candidates: DispatchCandidateDto[] | null = null;
  private materialForm = { item: "活性炭", quantity: "", unit: "吨", cost: "" };
  private editor: { kind: string; title: string; body: string } | null = null;
  private exported: Record<string, string> = {};
  private zones: IncidentZoneDto[] = [];
  private closing: ClosingSummaryDto | null = null;
  private confirmClose = false;
  private correcting: string | null = null;
  private timer: number | undefined;
  private notice = "";

  constructor(private content: HTMLElement, private side: HTMLElement, private host: IncidentHost) {}

  get operator(): string {
    return localStorage.getItem("yingji.operator") ?? "";
  }

  /** The author of what is entered now, or an error when nobody is named. */
  private author(): string {
    const a = this.operator.trim();
    if (!a) {
      this.host.showError({ code: "invalid_input", message_zh: "请先在上方填写操作人（值班员）姓名。", message_en: "Enter the operator's name at the top first." });
      throw new Error("no operator");
    }
    return a;
  }

  private async act<T>(f: () => Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof Error && e.message === "no operator") return undefined;
      this.host.showError(e);
      return undefined;
    }
  }

  /** Opens the view: the incident being worked on, else the list. */
  async show(): Promise<void> {
    if (this.current) {
      await this.open(this.current.incident.id);
      return;
    }
    await this.loadList();
    this.render();
  }

  /** Starts a new alarm, prefilled from the map or a risk source. */
  async startAlarm(origin: AlarmOrigin): Promise<void> {
    this.current = null;
    this.alarm = origin;
    await this.loadList();
    this.render();
    this.content.querySelector<HTMLInputElement>("[data-testid=alarm-name]")?.focus();
  }

  async open(id: string, tab?: Tab): Promise<void> {
    const d = await this.act(() => ia.detail(id));
    if (!d) return;
    if (this.current?.incident.id !== id) {
      this.suggestion = null;
      this.facts = { deaths: "0", injured: "0", evacuated: "0", loss: "0", intake: "", boundary: "" };
      this.teams = null;
      this.experts = null;
      this.candidates = null;
      this.editor = null;
      this.exported = {};
      this.closing = null;
      this.confirmClose = false;
      this.correcting = null;
      this.near = null;
      this.notice = "";
      if (this.models?.id !== id) this.models = null;
    }
    this.current = d;
    this.alarm = null;
    if (tab) this.tab = tab;
    this.runs = (await this.act(() => ia.modelRuns(id))) ?? [];
    this.render();
    if (!this.near) void this.loadNear();
    await this.loadTab();
  }

  /** Another program (sync, the CLI) committed: redraw, unless the user is typing here. */
  async followChanges(): Promise<void> {
    const typing = this.content.contains(document.activeElement) &&
      (document.activeElement instanceof HTMLInputElement || document.activeElement instanceof HTMLTextAreaElement || document.activeElement instanceof HTMLSelectElement);
    if (typing || this.alarm || this.editor) return;
    if (this.current) await this.reload();
    else { await this.loadList(); this.render(); }
  }

  private async reload(): Promise<void> {
    if (!this.current) return;
    const d = await this.act(() => ia.detail(this.current!.incident.id));
    if (d) this.current = d;
    await this.loadTab(false);
    this.render();
  }

  private async loadList(): Promise<void> {
    this.incidents = (await this.act(() => ia.list())) ?? [];
  }

  private async loadNear(): Promise<void> {
    const i = this.current?.incident;
    if (!i) return;
    const r = await this.act(() => api.near({ lat: i.lat, lon: i.lon, radius_km: 10, kinds: NEAR_KINDS, per_kind: 5 }));
    if (r && this.current?.incident.id === i.id) {
      this.near = r;
      this.renderSide();
    }
  }

  /** Fetches what the open tab shows beyond the detail. */
  private async loadTab(render = true): Promise<void> {
    const id = this.current?.incident.id;
    if (!id) return;
    if (this.tab === "closing") this.closing = (await this.act(() => ia.closingSummary(id))) ?? null;
    if (this.tab === "warnings") this.zones = (await this.act(() => ia.zones(id))) ?? [];
    if (this.tab === "support" && this.current?.incident.status === "open") {
      if (!this.teams) this.teams = (await this.act(() => ia.rankSupport(id, "team", 8))) ?? [];
      if (!this.experts) this.experts = (await this.act(() => ia.rankSupport(id, "expert", 8))) ?? [];
    }
    if (render) this.render();
  }

  // ---- rendering --------------------------------------------------------------------------

  render(): void {
    window.clearInterval(this.timer);
    const operator = input({ value: this.operator, "data-testid": "inc-operator", placeholder: t("inc.operator.placeholder") });
    operator.addEventListener("change", () => localStorage.setItem("yingji.operator", operator.value.trim()));
    const bar = h("div", { class: "inc-bar" },
      h("h1", {}, t("inc.title")),
      h("label", { class: "inc-operator" }, t("inc.operator"), operator),
      h("button", { class: "primary", "data-testid": "alarm-new", onclick: () => void this.startAlarm({}) }, t("inc.alarm.new")),
      this.current || this.alarm ? h("button", { "data-testid": "inc-back", onclick: () => { this.current = null; this.alarm = null; void this.show(); } }, t("inc.back")) : null);
    if (this.alarm) {
      clear(this.content, bar, this.alarmForm(this.alarm));
      this.renderSide();
      return;
    }
    if (!this.current) {
      clear(this.content, bar, this.list());
      this.renderSide();
      return;
    }
    const d = this.current;
    const i = d.incident;
    clear(this.content, bar,
      h("section", { class: "inc-head", "data-testid": "inc-head", "data-id": i.id, "data-status": i.status },
        h("h2", { "data-testid": "inc-name" }, i.name,
          i.exercise ? h("span", { class: "badge exercise" }, t("inc.exercise")) : null,
          h("span", { class: `badge status-${i.status}`, "data-testid": "inc-status" }, t(`inc.status.${i.status}`)),
          i.confirmed_tier ? h("span", { class: `badge tier-${i.confirmed_tier}`, "data-testid": "inc-tier" }, t(`inc.tier.${i.confirmed_tier}`)) : null),
        h("div", { class: "secondary" },
          `${lang() === "en" ? i.incident_type_en : i.incident_type_zh} · ${i.region_name || i.region_code} · ${i.lat.toFixed(5)}, ${i.lon.toFixed(5)} · ${t("inc.occurred")} ${time(i.occurred_at)} · ${t("inc.reported_by")} ${i.reported_by}`),
        this.deadlines(d.deadlines)),
      h("nav", { class: "inc-tabs", role: "tablist" }, TABS.map((tab, n) =>
        h("button", {
          role: "tab", class: this.tab === tab ? "on" : "", "aria-selected": String(this.tab === tab),
          "data-testid": `inc-tab-${tab}`, title: `Ctrl+${n + 1}`,
          onclick: () => { this.tab = tab; this.notice = ""; this.render(); void this.loadTab(); },
        }, t(`inc.tab.${tab}`)))),
      this.notice ? h("div", { class: "model-ok", "data-testid": "inc-notice" }, this.notice) : null,
      h("section", { class: "inc-body", "data-testid": `inc-body-${this.tab}` }, this.body(d)));
    this.renderSide();
    if (d.deadlines.length) {
      // Count in the console's time: read it now and every few seconds (a drill may be paused
      // or sped up meanwhile), and run it on at its speed in between.
      let n = 0;
      void consoleClock.sync().then(() => this.tick());
      this.timer = window.setInterval(() => {
        if (++n % 5 === 0) void consoleClock.sync();
        this.tick();
      }, 1000);
    }
  }

  /** Keyboard: Ctrl+1…8 switches tabs while an incident is open. */
  key(e: KeyboardEvent): boolean {
    if (!this.current || !e.ctrlKey || !/^[1-8]$/.test(e.key)) return false;
    this.tab = TABS[Number(e.key) - 1];
    this.render();
    void this.loadTab();
    return true;
  }

  private tick(): void {
    for (const el of Array.from(this.content.querySelectorAll<HTMLElement>("[data-due]"))) {
      const c = countdown(el.dataset.due!);
      el.textContent = c.text;
      el.parentElement?.classList.toggle("overdue", c.overdue);
    }
  }

  private deadlines(ds: DeadlineDto[]): HTMLElement {
    if (!ds.length) return h("div", { class: "inc-deadlines empty", "data-testid": "inc-deadlines" }, t("inc.deadline.none"));
    return h("div", { class: "inc-deadlines", "data-testid": "inc-deadlines", "data-clock": consoleClock.drill ? "drill" : "real" },
      consoleClock.drill ? h("div", { class: "secondary", "data-testid": "deadline-drill-note" }, t("drill.countdown_note")) : null,
      ds.map((d) => {
      const c = countdown(d.due_at);
      return h("div", { class: `deadline${c.overdue ? " overdue" : ""}`, "data-testid": "deadline" },
        h("div", { class: "deadline-who" }, lang() === "en" ? `${d.from_en} → ${d.to_en}` : `${d.from_zh} → ${d.to_zh}`),
        h("div", { class: "deadline-left", "data-due": d.due_at }, c.text),
        h("div", { class: "secondary" }, `${t("inc.deadline.due")} ${time(d.due_at)} · ${d.article}`));
    }));
  }

  private list(): HTMLElement {
    if (!this.incidents.length) return h("p", { class: "empty", "data-testid": "inc-list-empty" }, t("inc.list.none"));
    return h("table", { class: "grid rows", "data-testid": "inc-list" },
      h("thead", {}, h("tr", {}, ["inc.list.name", "inc.list.type", "inc.list.tier", "inc.list.status", "inc.list.region", "inc.list.time"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, this.incidents.map((i) => h("tr", {
        tabindex: 0, "data-testid": "inc-row", "data-id": i.id,
        onclick: () => void this.open(i.id, "overview"),
        onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter") void this.open(i.id, "overview"); },
      },
        h("td", { class: "name" }, i.name, i.exercise ? h("span", { class: "badge exercise" }, t("inc.exercise")) : null),
        h("td", {}, lang() === "en" ? i.incident_type_en : i.incident_type_zh),
        h("td", {}, i.confirmed_tier ? t(`inc.tier.${i.confirmed_tier}`) : t("inc.tier.unconfirmed")),
        h("td", {}, t(`inc.status.${i.status}`)),
        h("td", {}, i.region_name || i.region_code),
        h("td", { class: "mono" }, time(i.created_at))))));
  }

  // ---- the alarm ----------------------------------------------------------------------------

  private alarmForm(o: AlarmOrigin): HTMLElement {
    const now = new Date(consoleClock.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    const name = input({ value: o.place ? t("inc.alarm.default_name", { place: o.place }) : "" });
    const type = select(TYPES.map((v) => [v, t(`inc.type.${v}`)]), "water");
    const lat = input({ type: "number", step: "0.00001", value: o.lat?.toFixed(5) ?? "" });
    const lon = input({ type: "number", step: "0.00001", value: o.lon?.toFixed(5) ?? "" });
    const source = input({ value: "" });
    const occurred = input({ type: "datetime-local", value: now });
    const reporter = input({ value: "" });
    const exercise = h("input", { type: "checkbox" });
    const wind = input({ type: "number", step: "0.1", value: "3" });
    const from = input({ type: "number", step: "1", value: "90" });
    const stab = select(["A", "B", "C", "D", "E", "F"].map((c) => [c, c]), "D");
    const pollutants: { name: string; cas: string; qty: HTMLInputElement }[] = [];
    const rows = h("tbody", {});
    const drawRows = () => clear(rows, pollutants.map((p, n) => h("tr", { "data-testid": "alarm-pollutant" },
      h("td", {}, p.name), h("td", { class: "mono" }, p.cas || "—"), h("td", {}, p.qty),
      h("td", {}, h("button", { class: "link", onclick: () => { pollutants.splice(n, 1); drawRows(); } }, t("inc.remove"))))));
    const addPollutant = (name: string, cas: string) => {
      if (pollutants.some((p) => p.name === name && p.cas === cas)) return;
      pollutants.push({ name, cas, qty: input({ type: "number", step: "any", min: "0", placeholder: "kg", "data-testid": "alarm-qty" }) });
      drawRows();
    };
    for (const c of o.chemicals ?? []) addPollutant(c.name, c.cas);
    const chemSearch = input({ type: "search", placeholder: t("inc.alarm.chem_search"), "data-testid": "alarm-chem-search" });
    const hits = h("ul", { class: "chem-hits", "data-testid": "alarm-chem-hits" });
    let seq = 0;
    chemSearch.addEventListener("input", () => {
      const q = chemSearch.value.trim();
      const my = ++seq;
      if (!q) { clear(hits); return; }
      void api.chemicalSearch(q, 8).then((list: ChemicalSummaryDto[]) => {
        if (my !== seq) return;
        clear(hits, list.map((c) => h("li", {}, h("button", {
          class: "chip", "data-testid": "alarm-chem-hit", "data-cas": c.cas,
          onclick: () => { addPollutant(c.name_zh, c.cas); chemSearch.value = ""; clear(hits); },
        }, `${c.name_zh} · ${c.cas}${c.un_number ? ` · UN ${c.un_number}` : ""}`))));
      }).catch((e: unknown) => clear(hits, h("li", { class: "error-inline" }, errorText(e))));
    });
    const weather = h("fieldset", { class: "inc-weather" },
      h("legend", {}, t("inc.alarm.weather")),
      field(t("model.wind_speed"), wind, "alarm-wind"), field(t("model.wind_from"), from, "alarm-wind-from"),
      field(t("model.stab_class"), stab, "alarm-stability"));
    const showWeather = () => { weather.hidden = !["air", "transport"].includes(type.value); };
    type.addEventListener("change", showWeather);
    showWeather();
    const status = h("div", { "data-testid": "alarm-status" });
    const submit = h("button", { class: "primary", "data-testid": "alarm-submit" }, t("inc.alarm.submit"));
    const go = async () => {
      const author = (() => { try { return this.author(); } catch { return null; } })();
      if (!author) return;
      const missing: string[] = [];
      if (!name.value.trim()) missing.push(t("inc.alarm.name"));
      if (lat.value.trim() === "" || lon.value.trim() === "") missing.push(t("inc.alarm.position"));
      if (!reporter.value.trim()) missing.push(t("inc.alarm.reporter"));
      if (missing.length) { clear(status, h("div", { class: "model-error" }, t("inc.missing", { fields: missing.join("、") }))); return; }
      submit.disabled = true;
      clear(status, h("div", { class: "model-ok" }, t("inc.alarm.creating")));
      const occurredAt = occurred.value ? new Date(occurred.value).toISOString() : undefined;
      const created = await this.act(() => ia.create({
        name: name.value.trim(), incident_type: type.value, lat: Number(lat.value), lon: Number(lon.value),
        region_code: o.regionCode, risk_source_id: o.riskSourceId, source_description: source.value.trim(),
        occurred_at: occurredAt, reported_by: reporter.value.trim(), exercise: exercise.checked,
        pollutants: pollutants.map((p) => ({ name_zh: p.name, cas: p.cas, estimated_quantity_kg: p.qty.value ? Number(p.qty.value) : undefined })),
      }));
      if (!created) { submit.disabled = false; clear(status); return; }
      // The models run at once on the new incident (the core picks river or gas by its type).
      clear(status, h("div", { class: "model-ok" }, t("inc.alarm.modelling")));
      const weatherInput: IncidentModelInput = weather.hidden ? {} : {
        wind_speed_10m_m_s: Number(wind.value), wind_from_deg: Number(from.value),
        stability: { mode: "class", class: stab.value } as StabilityChoice,
      };
      const result = await this.act(() => ia.runModels(created.id, weatherInput));
      if (result) this.models = { id: created.id, result };
      this.tab = "overview";
      await this.host.changed();
      await this.open(created.id, "overview");
    };
    submit.addEventListener("click", () => void go());
    return h("section", { class: "inc-alarm", "data-testid": "alarm-form" },
      h("h2", {}, t("inc.alarm.title")),
      o.riskSourceId ? h("p", { class: "secondary" }, t("inc.alarm.from_risk", { place: o.place ?? "" })) : null,
      h("div", { class: "inc-form" },
        field(t("inc.alarm.name"), name, "alarm-name"),
        field(t("inc.alarm.type"), type, "alarm-type"),
        field(t("inc.alarm.lat"), lat, "alarm-lat"),
        field(t("inc.alarm.lon"), lon, "alarm-lon"),
        field(t("inc.alarm.source"), source, "alarm-source"),
        field(t("inc.alarm.time"), occurred, "alarm-time"),
        field(t("inc.alarm.reporter"), reporter, "alarm-reporter"),
        field(t("inc.exercise_q"), exercise, "alarm-exercise")),
      h("h3", {}, t("inc.alarm.pollutants")),
      h("div", { class: "chem-picker finder-row" }, chemSearch),
      hits,
      h("table", { class: "grid small" },
        h("thead", {}, h("tr", {}, [t("inc.pollutant"), "CAS", t("inc.quantity_kg"), ""].map((x) => h("th", {}, x)))),
        rows),
      weather,
      h("div", { class: "actions" }, submit),
      status);
  }

  // ---- the incident's tabs --------------------------------------------------------------------

  private body(d: IncidentDetailDto): Child {
    switch (this.tab) {
      case "overview": return this.overview(d);
      case "severity": return this.severity(d);
      case "log": return this.log(d);
      case "support": return this.support(d);
      case "materials": return this.materials(d);
      case "reports": return this.reports(d);
      case "warnings": return this.warnings(d);
      case "closing": return this.closingTab(d);
    }
  }

  private get open_(): boolean {
    return this.current?.incident.status === "open";
  }

  private overview(d: IncidentDetailDto): Child {
    const i = d.incident;
    return [
      h("dl", { class: "inc-dl" },
        h("dt", {}, t("inc.alarm.source")), h("dd", {}, i.source_description || "—"),
        h("dt", {}, t("inc.alarm.pollutants")), h("dd", { "data-testid": "inc-pollutants" },
          d.pollutants.length ? d.pollutants.map((p) => `${p.name_zh}${p.cas ? ` (${p.cas})` : ""}${p.estimated_quantity_kg ? ` ${p.estimated_quantity_kg} kg` : ""}`).join("；") : "—"),
        h("dt", {}, t("inc.created")), h("dd", {}, time(i.created_at))),
      h("div", { class: "actions" },
        h("button", { "data-testid": "inc-show-map", onclick: () => void this.host.showOnMap(i.lat, i.lon) }, t("map.show")),
        this.open_ ? h("button", { "data-testid": "inc-rerun", onclick: () => void this.rerunModels() }, t("inc.model.rerun")) : null),
      h("h3", {}, t("inc.model.title")),
      this.modelResults(),
    ];
  }

  private async rerunModels(): Promise<void> {
    const id = this.current!.incident.id;
    const last = this.runs.filter((r) => r.inputs.kind === "gas_release").pop();
    const input: IncidentModelInput = last && last.inputs.kind === "gas_release"
      ? { wind_speed_10m_m_s: last.inputs.input.wind_speed_10m_m_s, wind_from_deg: last.inputs.input.wind_from_deg, stability: last.inputs.input.stability, terrain: last.inputs.input.terrain }
      : {};
    const result = await this.act(() => ia.runModels(id, input));
    if (!result) return;
    this.models = { id, result };
    this.runs = (await this.act(() => ia.modelRuns(id))) ?? this.runs;
    this.render();
  }

  private modelResults(): Child {
    const fresh = this.models && this.models.id === this.current?.incident.id ? this.models.result : null;
    const skipped = fresh?.skipped ?? [];
    const out: Child[] = [];
    if (fresh) {
      for (const r of fresh.river) {
        out.push(h("div", { class: "inc-model", "data-testid": "inc-model-river", "data-run": r.run_id },
          h("div", { class: "secondary" }, t("model.reach", { name: r.release_reach_name, m: Math.round(r.snap_distance_m) }), ` · ${t("inc.model.limit")} ${r.threshold_mg_l} mg/L`),
          h("h4", {}, t("model.intakes"), ` (${r.affected.length})`),
          r.affected.length === 0 ? h("p", { class: "empty" }, t("model.no_intakes")) :
            h("table", { class: "grid small", "data-testid": "inc-intakes" },
              h("thead", {}, h("tr", {}, ["model.intake", "model.first", "model.peak", "model.duration"].map((k) => h("th", {}, t(k))))),
              h("tbody", {}, r.affected.map((a) => h("tr", { "data-testid": "inc-intake" },
                h("td", {}, a.name, h("div", { class: "secondary" }, a.region_name)),
                h("td", { class: "num strong" }, hours(a.first_above_s)),
                h("td", { class: "num" }, a.peak_mg_l.toPrecision(3)),
                h("td", { class: "num" }, hours(a.duration_above_s)))))),
          r.interceptions.length ? [h("h4", {}, t("inc.model.interceptions")), h("table", { class: "grid small" },
            h("tbody", {}, r.interceptions.slice(0, 6).map((w) => h("tr", {}, h("td", {}, w.name), h("td", { class: "num" }, `${t("inc.model.close_by")} ${hours(w.close_by_s)}`), h("td", { class: "secondary" }, w.protects.join("、"))))))] : null));
      }
      for (const g of fresh.gas) {
        out.push(h("div", { class: "inc-model", "data-testid": "inc-model-gas", "data-run": g.run_id },
          h("div", { class: "secondary" }, t("model.stability_used", { c: g.stability, u: g.wind_speed_m_s.toFixed(1), d: Math.round(g.downwind_deg) })),
          h("table", { class: "grid small", "data-testid": "inc-zones" },
            h("thead", {}, h("tr", {}, ["model.level_name", "model.distance", "model.half_width"].map((k) => h("th", {}, t(k))))),
            h("tbody", {}, g.zones.map((z) => h("tr", {}, h("td", {}, `${z.name} (${z.ppm} ppm)`), h("td", { class: "num strong" }, km(z.distance_m)), h("td", { class: "num" }, km(z.max_half_width_m))))))));
      }
    } else if (this.runs.length) {
      // Reopened: the saved runs' key figures (arrival at each intake, zone distances).
      for (const r of this.runs) {
        const figs = r.summary.figures;
        const rows = r.kind === "river_spill"
          ? figs.filter((f) => f.figure === "first_above_s").map((f) => [f.subject, hours(f.value)])
          : figs.filter((f) => f.figure === "zone_distance_m").map((f) => [f.subject, km(f.value)]);
        out.push(h("div", { class: "inc-model", "data-testid": r.kind === "river_spill" ? "inc-model-river" : "inc-model-gas", "data-run": r.id },
          h("div", { class: "secondary" }, `${t(`inc.model.kind.${r.kind}`)} · ${r.substance} · ${time(r.created_at)} · ${t("inc.model.version")} ${r.model_version}`),
          rows.length === 0 ? h("p", { class: "empty" }, r.kind === "river_spill" ? t("model.no_intakes") : "—") :
            h("table", { class: "grid small", "data-testid": r.kind === "river_spill" ? "inc-intakes" : "inc-zones" },
              h("thead", {}, h("tr", {}, h("th", {}, r.kind === "river_spill" ? t("model.intake") : t("model.level_name")), h("th", {}, r.kind === "river_spill" ? t("model.first") : t("model.distance")))),
              h("tbody", {}, rows.map(([a, b]) => h("tr", { "data-testid": r.kind === "river_spill" ? "inc-intake" : "inc-zone" }, h("td", {}, a), h("td", { class: "num strong" }, b)))))));
      }
    } else {
      out.push(h("p", { class: "empty", "data-testid": "inc-model-none" }, t("inc.model.none")));
    }
    if (skipped.length) {
      out.push(h("ul", { class: "model-warnings", "data-testid": "inc-model-skipped" },
        skipped.map((s) => h("li", {}, lang() === "en" ? s.message_en : s.message_zh))));
    }
    return out;
  }

  private renderSide(): void {
    const i = this.current?.incident;
    if (!i) {
      clear(this.side, h("h2", {}, t("inc.title")), h("p", { class: "secondary" }, t("inc.side.hint")));
      return;
    }
    const r = this.near;
    clear(this.side,
      h("div", { class: "detail-head" }, h("h2", {}, t("inc.near.title", { km: 10 }))),
      h("div", { class: "detail-kind mono" }, `${i.lat.toFixed(5)}, ${i.lon.toFixed(5)}`),
      !r ? h("p", { class: "secondary" }, t("status.loading")) :
        r.groups.length === 0 ? h("p", { class: "empty" }, t("near.none")) :
          h("div", { "data-testid": "inc-near" }, r.groups.map((g) => h("section", { class: "near-group", "data-kind": g.kind },
            h("h3", {}, t(`kind.${g.kind}`), h("span", { class: "count" }, ` ${g.count}`)),
            h("ol", {}, g.items.map((it) => h("li", {}, h("span", { class: "near-name" }, it.name), h("span", { class: "near-dist" }, km(it.distance_m)))))))));
  }

  // ---- severity ---------------------------------------------------------------------------------

  private severity(d: IncidentDetailDto): Child {
    // The facts as typed are kept across redraws (a suggestion redraws the tab).
    const f = this.facts;
    const keep = (el: HTMLInputElement | HTMLSelectElement, k: keyof typeof f) => { el.addEventListener("input", () => { f[k] = el.value; }); el.addEventListener("change", () => { f[k] = el.value; }); return el; };
    const n = (k: keyof typeof f) => keep(input({ type: "number", min: "0", step: "1", value: f[k] }), k) as HTMLInputElement;
    const deaths = n("deaths"), injured = n("injured"), evacuated = n("evacuated");
    const loss = keep(input({ type: "number", min: "0", step: "any", value: f.loss }), "loss") as HTMLInputElement;
    const intake = keep(select([["", t("inc.sev.none")], ...["township", "county", "city"].map((v) => [v, t(`inc.sev.intake.${v}`)] as [string, string])], f.intake), "intake") as HTMLSelectElement;
    const boundary = keep(select([["", t("inc.sev.none")], ...["county", "city", "province", "national"].map((v) => [v, t(`inc.sev.boundary.${v}`)] as [string, string])], f.boundary), "boundary") as HTMLSelectElement;
    const suggest = async () => {
      const s = await this.act(() => ia.suggestTier({
        deaths: Number(deaths.value), poisoned_or_injured: Number(injured.value), evacuated: Number(evacuated.value),
        direct_loss_yuan: Number(loss.value), intake_interrupted: intake.value || undefined, cross_boundary: boundary.value || undefined,
      }));
      if (!s) return;
      this.suggestion = s;
      this.render();
    };
    const s = this.suggestion;
    const tier = select(TIERS.map((v) => [v, t(`inc.tier.${v}`)]), s?.tier ?? d.incident.confirmed_tier ?? "general");
    const note = input({ placeholder: t("inc.sev.note") });
    const confirm = async () => {
      const author = this.author();
      const e = await this.act(() => ia.confirmTier(d.incident.id, tier.value, author, note.value.trim()));
      if (!e) return;
      this.notice = t("inc.sev.confirmed", { tier: t(`inc.tier.${tier.value}`) });
      await this.reload();
      await this.host.changed();
    };
    return [
      h("div", { class: "inc-form" },
        field(t("inc.sev.deaths"), deaths, "sev-deaths"), field(t("inc.sev.injured"), injured, "sev-injured"),
        field(t("inc.sev.evacuated"), evacuated, "sev-evacuated"), field(t("inc.sev.loss"), loss, "sev-loss"),
        field(t("inc.sev.intake"), intake, "sev-intake"), field(t("inc.sev.boundary"), boundary, "sev-boundary")),
      h("div", { class: "actions" }, h("button", { "data-testid": "sev-suggest", onclick: () => void suggest() }, t("inc.sev.suggest"))),
      s ? h("div", { class: "inc-suggestion", "data-testid": "sev-suggestion", "data-tier": s.tier },
        h("div", { class: "inc-suggested" }, t("inc.sev.suggested"), " ", h("strong", {}, lang() === "en" ? s.tier_en : s.tier_zh)),
        h("ul", {}, s.reasons.map((r) => h("li", {}, lang() === "en" ? r.reason_en : r.reason_zh, h("span", { class: "secondary" }, ` — ${r.clause}`))))) : null,
      this.open_ ? h("div", { class: "inc-confirm finder-row" }, t("inc.sev.tier"), tier, note,
        h("button", { class: "primary", "data-testid": "sev-confirm", onclick: () => void confirm() }, t("inc.sev.confirm"))) : null,
      h("p", { class: "secondary" }, t("inc.sev.deadline_note")),
    ];
  }

  // ---- the command log ------------------------------------------------------------------------

  private log(d: IncidentDetailDto): Child {
    const byId = new Map(d.log.map((e) => [e.id, e]));
    const corrected = new Set(d.log.map((e) => e.corrects_id).filter((x): x is string => !!x));
    const kind = select(MANUAL_LOG_KINDS.map((k) => [k, t(`inc.logkind.${k}`)]), "decision");
    const body = h("textarea", { rows: 2, "data-testid": "log-body", placeholder: this.correcting ? t("inc.log.correction_placeholder") : t("inc.log.placeholder") });
    const add = async () => {
      const author = this.author();
      if (!body.value.trim()) return;
      const id = d.incident.id;
      const e = this.correcting
        ? await this.act(() => ia.correctLog(id, this.correcting!, author, body.value.trim()))
        : await this.act(() => ia.addLog(id, kind.value, author, body.value.trim()));
      if (!e) return;
      this.correcting = null;
      await this.reload();
    };
    body.addEventListener("keydown", (e: KeyboardEvent) => { if (e.key === "Enter" && e.ctrlKey) void add(); });
    return [
      this.open_ ? h("div", { class: "inc-log-add" },
        this.correcting ? h("div", { class: "secondary", "data-testid": "log-correcting" }, t("inc.log.correcting", { body: byId.get(this.correcting)?.body ?? "" }),
          " ", h("button", { class: "link", onclick: () => { this.correcting = null; this.render(); } }, t("inc.cancel"))) : field(t("inc.log.kind"), kind, "log-kind"),
        body,
        h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "log-add", onclick: () => void add() }, this.correcting ? t("inc.log.correct_save") : t("inc.log.add")))) : null,
      h("p", { class: "secondary" }, t("inc.log.append_only")),
      h("ol", { class: "inc-timeline", "data-testid": "inc-log" }, [...d.log].reverse().map((e) => h("li", {
        class: `log-${e.kind}${corrected.has(e.id) ? " corrected" : ""}`, "data-testid": "log-entry", "data-kind": e.kind, "data-id": e.id,
      },
        h("div", { class: "log-meta" }, h("span", { class: "mono" }, time(e.recorded_at)), h("span", { class: "log-kind" }, lang() === "en" ? e.kind_en : e.kind_zh), h("span", {}, e.author),
          e.order_status ? h("span", { class: "badge" }, t(`inc.order.${e.order_status}`)) : null),
        h("div", { class: "log-body" }, e.body),
        e.corrects_id ? h("div", { class: "secondary" }, t("inc.log.corrects", { body: byId.get(e.corrects_id)?.body ?? e.corrects_id })) : null,
        corrected.has(e.id) ? h("div", { class: "secondary" }, t("inc.log.was_corrected")) : null,
        this.open_ && e.kind !== "correction" ? h("button", { class: "link", "data-testid": "log-correct", onclick: () => { this.correcting = e.id; this.render(); } }, t("inc.log.correct")) : null))),
    ];
  }

  // ---- support: teams, experts, orders --------------------------------------------------------

  private support(d: IncidentDetailDto): Child {
    const id = d.incident.id;
    const call = async (kind: string, c: SupportCandidateDto, answer: string) => {
      const author = this.author();
      const note = (this.content.querySelector<HTMLInputElement>(`[data-note="${c.id}"]`)?.value ?? "").trim();
      if (await this.act(() => ia.recordCall(id, kind, c.id, answer, note, author))) await this.reload();
    };
    const order = async (c: SupportCandidateDto) => {
      const author = this.author();
      const task = (this.content.querySelector<HTMLInputElement>(`[data-task="${c.id}"]`)?.value ?? "").trim();
      if (!task) { this.host.showError({ code: "invalid_input", message_zh: "请填写任务内容。", message_en: "Enter the task." }); return; }
      if (await this.act(() => ia.orderTeam(id, c.id, task, author))) await this.reload();
    };
    const setStatus = async (orderId: string, status: string) => {
      const author = this.author();
      if (await this.act(() => ia.setOrderStatus(orderId, status, author))) await this.reload();
    };
    const answers = (kind: string, c: SupportCandidateDto) => h("span", { class: "inc-answers" },
      ["accepted", "declined", "no_answer"].map((a) => h("button", { "data-testid": `call-${a}`, onclick: () => void call(kind, c, a) }, t(`inc.answer.${a}`))));
    const table = (kind: string, list: SupportCandidateDto[] | null) => list === null ? h("p", { class: "secondary" }, t("status.loading")) :
      list.length === 0 ? h("p", { class: "empty" }, t("inc.support.none")) :
        h("table", { class: "grid small", "data-testid": `support-${kind}` },
          h("thead", {}, h("tr", {}, [t("inc.support.name"), t("inc.support.match"), t("inc.support.distance"), t("inc.support.phone"), t("inc.support.act")].map((x) => h("th", {}, x)))),
          h("tbody", {}, list.map((c) => h("tr", { "data-testid": `support-row-${kind}`, "data-id": c.id },
            h("td", {}, h("div", { class: "name" }, c.name), h("div", { class: "secondary" }, c.detail)),
            h("td", {}, c.matched.length ? c.matched.join("、") : h("span", { class: "secondary" }, c.specialties)),
            h("td", { class: "num" }, km(c.distance_m)),
            h("td", {}, c.contact_phone ? h("a", { href: `tel:${c.contact_phone}` }, c.contact_phone) : "—"),
            h("td", {}, this.open_ ? [
              h("input", { type: "text", class: "inc-small", "data-note": c.id, placeholder: t("inc.support.note") }), answers(kind, c),
              kind === "team" ? h("div", { class: "finder-row" }, h("input", { type: "text", class: "inc-small", "data-task": c.id, placeholder: t("inc.support.task") }),
                h("button", { "data-testid": "order-team", onclick: () => void order(c) }, t("inc.support.order"))) : null] : null)))));
    return [
      h("h3", {}, t("inc.support.orders")),
      d.orders.length === 0 ? h("p", { class: "empty" }, t("inc.support.no_orders")) :
        h("table", { class: "grid small", "data-testid": "inc-orders" },
          h("tbody", {}, d.orders.map((o) => h("tr", { "data-testid": "order-row", "data-status": o.status },
            h("td", {}, h("div", { class: "name" }, o.team_name), h("div", { class: "secondary" }, `${time(o.issued_at)} · ${o.issued_by}`)),
            h("td", {}, o.task),
            h("td", {}, this.open_ ? (() => {
              const s = select(ORDER_STATUSES.map((v) => [v, t(`inc.order.${v}`)]), o.status);
              s.dataset.testid = "order-status";
              s.addEventListener("change", () => void setStatus(o.id, s.value));
              return s;
            })() : t(`inc.order.${o.status}`)))))),
      h("h3", {}, t("inc.support.calls")),
      d.calls.length === 0 ? h("p", { class: "empty" }, t("inc.support.no_calls")) :
        h("table", { class: "grid small", "data-testid": "inc-calls" }, h("tbody", {}, d.calls.map((c) => h("tr", { "data-testid": "call-row", "data-answer": c.answer },
          h("td", {}, t(`kind.${c.kind}`)), h("td", { class: "name" }, c.name), h("td", { class: "mono" }, time(c.called_at)),
          h("td", {}, t(`inc.answer.${c.answer}`)), h("td", { class: "secondary" }, c.note))))),
      this.open_ ? [h("h3", {}, t("inc.support.teams")), table("team", this.teams),
        h("h3", {}, t("inc.support.experts")), table("expert", this.experts)] : null,
    ];
  }

  // ---- materials --------------------------------------------------------------------------------

  private materials(d: IncidentDetailDto): Child {
    const id = d.incident.id;
    const f = this.materialForm;
    const item = input({ value: f.item, "data-testid": "mat-item" });
    const qty = input({ type: "number", min: "0", step: "any", value: f.quantity, "data-testid": "mat-quantity" });
    const unit = input({ value: f.unit, size: 4, "data-testid": "mat-unit" });
    const cost = input({ type: "number", min: "0", step: "any", value: f.cost, "data-testid": "mat-cost" });
    const keep = () => { f.item = item.value; f.quantity = qty.value; f.unit = unit.value; f.cost = cost.value; };
    const find = async () => {
      keep();
      const c = await this.act(() => ia.candidates(id, item.value.trim()));
      if (c) { this.candidates = c; this.render(); }
    };
    item.addEventListener("keydown", (e: KeyboardEvent) => { if (e.key === "Enter") void find(); });
    const request = async (auto: boolean) => {
      keep();
      const author = this.author();
      const picks = auto ? [] : Array.from(this.content.querySelectorAll<HTMLInputElement>("[data-pick]"))
        .filter((el) => Number(el.value) > 0).map((el) => ({ stock_item_id: el.dataset.pick!, quantity: Number(el.value) }));
      if (!auto && picks.length === 0) { this.host.showError({ code: "invalid_input", message_zh: "请在候选仓库中填写调拨数量。", message_en: "Enter quantities for the warehouses to take from." }); return; }
      const out = await this.act(() => ia.requestMaterials(id, {
        item: item.value.trim(), quantity: Number(qty.value), unit: unit.value.trim(), unit_cost_yuan: cost.value ? Number(cost.value) : undefined,
      }, picks, author));
      if (!out) return;
      this.notice = t("inc.mat.allocated", { n: out.allocated, unit: out.unit, short: out.shortfall });
      this.candidates = null;
      await this.reload();
    };
    const arrive = async (allocationId: string) => {
      const author = this.author();
      await this.act(() => ia.arrive(allocationId, author));
      await this.reload();
    };
    return [
      this.open_ ? [
        h("div", { class: "inc-form" }, field(t("inc.mat.item"), item), field(t("inc.mat.quantity"), qty), field(t("inc.mat.unit"), unit), field(t("inc.mat.cost"), cost)),
        h("div", { class: "actions" },
          h("button", { "data-testid": "mat-find", onclick: () => void find() }, t("inc.mat.find")),
          h("button", { "data-testid": "mat-auto", onclick: () => void request(true) }, t("inc.mat.auto"))),
        this.candidates === null ? null : this.candidates.length === 0 ? h("p", { class: "empty" }, t("stock.none")) : [
          h("table", { class: "grid small", "data-testid": "mat-candidates" },
            h("thead", {}, h("tr", {}, [t("inc.mat.warehouse"), t("inc.mat.stock"), t("inc.support.distance"), t("inc.mat.travel"), t("inc.mat.take")].map((x) => h("th", {}, x)))),
            h("tbody", {}, this.candidates.map((c) => h("tr", { "data-testid": "mat-candidate", "data-id": c.stock_item_id },
              h("td", {}, h("div", { class: "name" }, c.warehouse_name), h("div", { class: "secondary" }, c.item_name)),
              h("td", { class: "num" }, `${c.quantity} ${c.unit}`),
              h("td", { class: "num" }, km(c.distance_m)),
              h("td", { class: "num" }, `${c.travel_minutes} min`),
              h("td", {}, h("input", { type: "number", min: "0", step: "any", class: "inc-small", "data-pick": c.stock_item_id, "data-testid": "mat-pick" })))))),
          h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "mat-allocate", onclick: () => void request(false) }, t("inc.mat.allocate")))],
      ] : null,
      h("h3", {}, t("inc.mat.allocations")),
      d.allocations.length === 0 ? h("p", { class: "empty" }, t("inc.mat.none")) :
        h("table", { class: "grid small", "data-testid": "mat-allocations" },
          h("thead", {}, h("tr", {}, [t("inc.mat.warehouse"), t("inc.mat.quantity"), t("inc.mat.travel"), t("inc.mat.dispatched"), t("inc.mat.arrived")].map((x) => h("th", {}, x)))),
          h("tbody", {}, d.allocations.map((a) => h("tr", { "data-testid": "allocation", "data-arrived": String(!!a.arrived_at) },
            h("td", {}, h("div", { class: "name" }, a.warehouse_name), h("div", { class: "secondary" }, a.item_name)),
            h("td", { class: "num" }, `${a.quantity} ${a.unit}`),
            h("td", { class: "num" }, `${a.travel_minutes} min · ${km(a.distance_m)}`),
            h("td", { class: "mono" }, time(a.dispatched_at)),
            h("td", {}, a.arrived_at ? time(a.arrived_at) : this.open_ ? h("button", { "data-testid": "mat-arrive", onclick: () => void arrive(a.id) }, t("inc.mat.arrive")) : "—"))))),
    ];
  }

  // ---- reports --------------------------------------------------------------------------------

  private reports(d: IncidentDetailDto): Child {
    const id = d.incident.id;
    const kind = select(REPORT_KINDS.map((k) => [k, t(`inc.report.${k}`)]), this.editor?.kind ?? "initial");
    kind.dataset.testid = "report-kind";
    const draft = async () => {
      const r = await this.act(() => ia.draftReport(id, kind.value));
      if (!r) return;
      this.editor = { kind: kind.value, title: r.title, body: r.body };
      this.render();
    };
    const ed = this.editor;
    const title = input({ value: ed?.title ?? "", "data-testid": "report-title", class: "inc-wide" });
    const body = h("textarea", { rows: 16, "data-testid": "report-body", class: "inc-wide" });
    body.value = ed?.body ?? "";
    const save = async () => {
      if (!ed) return;
      const author = this.author();
      const r = await this.act(() => ia.saveReport(id, ed.kind, { title: title.value, body: body.value }, author));
      if (!r) return;
      this.editor = null;
      this.notice = t("inc.report.saved", { kind: r.kind_zh, v: r.version });
      await this.reload();
    };
    const exportAs = async (r: ReportDto, format: "pdf" | "docx") => {
      const f = await this.act(() => ia.exportReport(r.id, format));
      if (!f) return;
      this.exported[`${r.id}.${format}`] = f.path;
      this.render();
    };
    const mark = async (r: ReportDto, status: string) => {
      const author = this.author();
      if (await this.act(() => ia.markReport(r.id, status, author))) await this.reload();
    };
    const next: Record<string, string> = { "": "sent", sent: "received", received: "acknowledged" };
    return [
      this.open_ ? h("div", { class: "finder-row" }, t("inc.report.kind"), kind,
        h("button", { "data-testid": "report-draft", onclick: () => void draft() }, t("inc.report.draft"))) : null,
      ed ? h("div", { class: "inc-editor", "data-testid": "report-editor" },
        h("div", { class: "secondary" }, t("inc.report.editing", { kind: t(`inc.report.${ed.kind}`) })),
        title, body,
        h("div", { class: "actions" },
          h("button", { class: "primary", "data-testid": "report-save", onclick: () => void save() }, t("inc.report.save")),
          h("button", { onclick: () => { this.editor = null; this.render(); } }, t("inc.cancel")))) : null,
      h("h3", {}, t("inc.report.list")),
      d.reports.length === 0 ? h("p", { class: "empty" }, t("inc.report.none")) :
        h("table", { class: "grid small", "data-testid": "inc-reports" },
          h("thead", {}, h("tr", {}, [t("inc.report.kind"), t("inc.report.title"), t("inc.report.status"), t("inc.report.files"), ""].map((x) => h("th", {}, x)))),
          h("tbody", {}, d.reports.map((r) => {
            const n = next[r.status ?? ""];
            return h("tr", { "data-testid": "report-row", "data-id": r.id, "data-status": r.status ?? "draft", "data-kind": r.kind },
              h("td", {}, `${r.kind_zh} v${r.version}`, h("div", { class: "secondary" }, `${time(r.created_at)} · ${r.drafted_by}`)),
              h("td", {}, r.title),
              h("td", { "data-testid": "report-status" }, h("span", { class: `badge report-${r.status ?? "draft"}` }, t(`inc.report.status.${r.status ?? "draft"}`)),
                r.status_at ? h("div", { class: "secondary" }, time(r.status_at)) : null),
              h("td", {},
                h("button", { "data-testid": "report-pdf", onclick: () => void exportAs(r, "pdf") }, "PDF"), " ",
                h("button", { "data-testid": "report-docx", onclick: () => void exportAs(r, "docx") }, "DOCX"),
                ["pdf", "docx"].map((f) => this.exported[`${r.id}.${f}`] ? h("div", { class: "mono inc-path", "data-testid": `report-path-${f}` }, this.exported[`${r.id}.${f}`]) : null)),
              h("td", {},
                n ? h("button", { "data-testid": `report-mark-${n}`, onclick: () => void mark(r, n) }, t(`inc.report.mark.${n}`)) : null,
                this.open_ ? h("button", { class: "link", onclick: () => { this.editor = { kind: r.kind, title: r.title, body: r.body }; this.render(); } }, t("inc.report.edit")) : null));
          }))),
    ];
  }

  // ---- warnings -------------------------------------------------------------------------------

  private warnings(d: IncidentDetailDto): Child {
    const id = d.incident.id;
    const level = select(WARNING_LEVELS.map((v) => [v, t(`inc.warn.${v}`)]), "yellow");
    level.dataset.testid = "warn-level";
    const headline = input({ "data-testid": "warn-headline", class: "inc-wide", value: t("inc.warn.default_headline", { name: d.incident.name }) });
    const description = input({ "data-testid": "warn-description", class: "inc-wide" });
    const instruction = input({ "data-testid": "warn-instruction", class: "inc-wide" });
    const area = select([
      ...this.zones.map((z, n) => [`zone:${n}`, t("inc.warn.zone", { name: `${z.substance} ${z.name}`, km: km(z.distance_m) })] as [string, string]),
      ...[1, 3, 5, 10].map((k) => [`radius:${k}`, t("inc.warn.radius", { km: k })] as [string, string]),
    ], this.zones.length ? "zone:0" : "radius:5");
    area.dataset.testid = "warn-area";
    const areaDesc = input({ "data-testid": "warn-area-desc", class: "inc-wide" });
    const issue = async () => {
      const author = this.author();
      const [k, v] = area.value.split(":");
      const zone = k === "zone" ? this.zones[Number(v)] : null;
      const w = await this.act(() => ia.issueWarning(id, {
        level: level.value, headline: headline.value.trim(), description: description.value.trim(), instruction: instruction.value.trim(),
        area_desc: areaDesc.value.trim() || (zone ? `${zone.substance} ${zone.name}` : t("inc.warn.radius", { km: v })),
        polygon: zone ? zone.ring : undefined, radius_m: zone ? undefined : Number(v) * 1000,
      }, author));
      if (!w) return;
      this.notice = t("inc.warn.issued", { level: w.level_zh });
      await this.reload();
    };
    const cap = async (warningId: string) => {
      const f = await this.act(() => ia.exportCap(warningId));
      if (!f) return;
      this.exported[`cap.${warningId}`] = f.path;
      this.render();
    };
    return [
      this.open_ ? [
        h("div", { class: "inc-form" },
          field(t("inc.warn.level"), level), field(t("inc.warn.headline"), headline), field(t("inc.warn.description"), description),
          field(t("inc.warn.instruction"), instruction), field(t("inc.warn.area"), area), field(t("inc.warn.area_desc"), areaDesc)),
        h("p", { class: "secondary" }, this.zones.length ? t("inc.warn.zones_from_model") : t("inc.warn.no_zones")),
        h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "warn-issue", onclick: () => void issue() }, t("inc.warn.issue")))] : null,
      h("h3", {}, t("inc.warn.list")),
      d.warnings.length === 0 ? h("p", { class: "empty" }, t("inc.warn.none")) :
        h("table", { class: "grid small", "data-testid": "inc-warnings" }, h("tbody", {}, d.warnings.map((w) => h("tr", { "data-testid": "warning-row", "data-id": w.id },
          h("td", {}, h("span", { class: `badge warn-${w.level}` }, w.level_zh)),
          h("td", {}, h("div", { class: "name" }, w.headline), h("div", { class: "secondary" }, `${w.area_desc} · ${t("inc.warn.points", { n: w.ring.length })} · ${time(w.issued_at)}`)),
          h("td", {}, h("button", { "data-testid": "warn-cap", onclick: () => void cap(w.id) }, t("inc.warn.cap")),
            this.exported[`cap.${w.id}`] ? h("div", { class: "mono inc-path", "data-testid": "warn-cap-path" }, this.exported[`cap.${w.id}`]) : null))))),
    ];
  }

  // ---- closing --------------------------------------------------------------------------------

  private closingTab(d: IncidentDetailDto): Child {
    const id = d.incident.id;
    const s = this.closing;
    if (!s) return h("p", { class: "secondary" }, t("status.loading"));
    const costDesc = input({ "data-testid": "cost-desc", placeholder: t("inc.close.cost_desc") });
    const costAmount = input({ type: "number", min: "0", step: "any", "data-testid": "cost-amount", placeholder: t("inc.yuan") });
    const addCost = async () => {
      const author = this.author();
      if (!costDesc.value.trim() || !costAmount.value) return;
      await this.act(() => ia.addCost(id, costDesc.value.trim(), Number(costAmount.value), author));
      await this.reload();
    };
    const summary = h("textarea", { rows: 4, class: "inc-wide", "data-testid": "close-summary", placeholder: t("inc.close.summary_placeholder") });
    const close = async () => {
      const author = this.author();
      const text = (this.content.querySelector<HTMLTextAreaElement>("[data-testid=close-summary]")?.value ?? "").trim();
      const out = await this.act(() => ia.close(id, text, author));
      this.confirmClose = false;
      if (!out) { this.render(); return; }
      this.closing = out;
      this.notice = t("inc.close.done");
      await this.reload();
      await this.host.changed();
    };
    return [
      h("div", { class: "inc-figures", "data-testid": "close-figures" },
        h("div", {}, h("div", { class: "secondary" }, t("inc.close.materials_cost")), h("strong", {}, yuan(s.materials_cost_yuan))),
        h("div", {}, h("div", { class: "secondary" }, t("inc.close.entered_costs")), h("strong", {}, yuan(s.entered_costs_yuan))),
        h("div", {}, h("div", { class: "secondary" }, t("inc.close.loss")), h("strong", { "data-testid": "close-loss" }, yuan(s.direct_loss_estimate_yuan)))),
      h("h3", {}, t("inc.close.materials")),
      s.materials.length === 0 ? h("p", { class: "empty" }, t("inc.mat.none")) :
        h("table", { class: "grid small" }, h("tbody", {}, s.materials.map((m) => h("tr", {},
          h("td", {}, m.item_name, h("div", { class: "secondary" }, m.warehouse_name)), h("td", { class: "num" }, `${m.quantity} ${m.unit}`),
          h("td", { class: "num" }, m.cost_yuan === null ? "—" : yuan(m.cost_yuan)), h("td", {}, m.arrived ? t("inc.mat.arrived") : t("inc.mat.on_way")))))),
      this.open_ ? h("div", { class: "finder-row inc-cost" }, t("inc.close.add_cost"), costDesc, costAmount,
        h("button", { "data-testid": "cost-add", onclick: () => void addCost() }, t("inc.close.add"))) : null,
      h("h3", {}, t("inc.close.timeline", { n: s.timeline.length })),
      h("ol", { class: "inc-timeline compact", "data-testid": "close-timeline" }, s.timeline.map((e) => h("li", { "data-kind": e.kind },
        h("span", { class: "mono" }, time(e.recorded_at)), " ", h("span", { class: "log-kind" }, lang() === "en" ? e.kind_en : e.kind_zh), " ", e.body))),
      s.closed_at ? h("div", { class: "model-ok", "data-testid": "closed-at" }, t("inc.close.closed_at", { t: time(s.closed_at) }), s.summary_text ? h("div", {}, s.summary_text) : null) :
        h("div", { class: "inc-close" },
          summary,
          this.confirmClose
            ? h("div", { class: "inc-confirm-box", role: "alertdialog", "data-testid": "close-confirm-box" },
                h("p", {}, t("inc.close.confirm_q", { name: d.incident.name })),
                h("div", { class: "actions" },
                  h("button", { class: "primary", "data-testid": "close-confirm", onclick: () => void close() }, t("inc.close.confirm")),
                  h("button", { "data-testid": "close-cancel", onclick: () => { this.confirmClose = false; this.render(); } }, t("inc.cancel"))))
            : h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "close-start", onclick: () => {
                const text = summary.value;
                this.confirmClose = true;
                this.render();
                const again = this.content.querySelector<HTMLTextAreaElement>("[data-testid=close-summary]");
                if (again) again.value = text;
                this.content.querySelector<HTMLButtonElement>("[data-testid=close-confirm]")?.focus();
              } }, t("inc.close.close")))),
    ];
  }
}
