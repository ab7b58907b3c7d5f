// Tabletop drills in the window: the drill banner (shown on every screen while the open
// database is a drill), the drill page with the scenario list, the facilitator bar (clock,
// pause/resume, speed ×1–×60, end, the inject feed), the replay timeline and the evaluation.
// All figures come from the Rust side; this module only renders them.
import "./i18n-drill";
import { api, isApiError } from "./api";
import type { DrillEvaluationDto } from "./bindings/DrillEvaluationDto";
import type { DrillReplayDto } from "./bindings/DrillReplayDto";
import type { DrillStatusDto } from "./bindings/DrillStatusDto";
import type { ScenarioSummaryDto } from "./bindings/ScenarioSummaryDto";
import { clear, h } from "./dom";
import { consoleClock, drillApi } from "./drill-api";
import { ScenarioEditor } from "./drill-editor";
import { DrillMap } from "./drill-map";
import { lang, t } from "./i18n";

type Tab = "run" | "replay" | "evaluation";
const SPEEDS = [1, 2, 5, 10, 30, 60];

/** A drill time (RFC 3339, UTC) in Beijing time, as the players read it: "01-15 02:13". */
export function bj(rfc3339: string | null | undefined, withDate = true): string {
  if (!rfc3339) return "—";
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const s = new Date(ms + 8 * 3600_000).toISOString();
  return withDate ? `${s.slice(5, 10)} ${s.slice(11, 16)}` : s.slice(11, 16);
}

function min(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : t("drill.min", { n: n.toFixed(1) });
}

export interface DrillHooks {
  /** The window now works on another database (a drill started or left). */
  switched: () => Promise<void>;
  showError: (e: unknown) => void;
  /** Whether the drill page is the open view. */
  pageOpen: () => boolean;
}

export class DrillView {
  status: DrillStatusDto | null = null;
  readonly banner = h("div", { class: "drill-banner", role: "status", "data-testid": "drill-banner", hidden: true });
  private tab: Tab = "run";
  private page: HTMLElement | null = null;
  private scenarios: ScenarioSummaryDto[] = [];
  private by = "导调";
  private speed = 10;
  private paused = false;
  private replayMin: number | null = null;
  private evaluation: DrillEvaluationDto | null = null;
  private pdfPath: string | null = null;
  private busy = false;
  /** A line above the scenario list (saved, imported, exported …). */
  private notice = "";
  private noticeBad = false;
  private replayMap: DrillMap | null = null;
  /** The open scenario editor: kept across redraws (language switch …), so nothing typed is lost. */
  private editor: ScenarioEditor | null = null;

  constructor(private hooks: DrillHooks) {}

  /** Polls the drill every second: the banner, the clock and the feed (delivers due injects). */
  start(): void {
    void this.refresh();
    window.setInterval(() => void this.refresh(), 1000);
  }

  get isDrill(): boolean {
    return this.status !== null;
  }

  async refresh(): Promise<void> {
    try {
      this.status = await api.drillCurrent();
    } catch {
      return; // the database could not be opened: the error is already shown
    }
    // The console's now for the countdowns: drill time while a drill is open.
    const c = this.status?.clock;
    if (c) consoleClock.set({ now: c.drill_now, drill: true, speed: c.speed, running: c.running && !c.ended });
    else if (consoleClock.drill) await consoleClock.sync();
    this.renderBanner();
    if (this.page && this.hooks.pageOpen() && this.status && this.tab === "run") this.renderRun();
    document.body.classList.toggle("drill-mode", this.status !== null);
  }

  private stateText(): string {
    const c = this.status!.clock;
    return c.ended ? t("drill.ended") : c.running ? t("drill.running") : t("drill.paused");
  }

  private title(): string {
    const s = this.status!;
    return lang() === "en" && s.title_en ? s.title_en : s.title;
  }

  renderBanner(): void {
    const s = this.status;
    this.banner.hidden = s === null;
    if (!s) return;
    this.banner.dataset.state = s.clock.ended ? "ended" : s.clock.running ? "running" : "paused";
    this.banner.textContent = t("drill.banner", {
      title: this.title(),
      time: bj(s.clock.drill_now),
      speed: s.clock.speed,
      state: this.stateText(),
    });
  }

  /** The drill page in `el` (the main content area). */
  async renderPage(el: HTMLElement): Promise<void> {
    this.page = el;
    if (!this.status && this.editor) {
      this.editor.attach(el);
      return;
    }
    if (!this.status) {
      this.scenarios = (await this.guard(() => api.drillScenarios())) ?? [];
      this.renderScenarios();
      return;
    }
    this.renderDrill();
  }

  private async guard<T>(f: () => Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      this.hooks.showError(e);
      return undefined;
    }
  }

  // ---- not a drill: the scenarios ----------------------------------------------------------

  private renderScenarios(): void {
    const el = this.page!;
    const speed = h("select", { "data-testid": "drill-start-speed", onchange: (e: Event) => { this.speed = Number((e.target as HTMLSelectElement).value); } },
      SPEEDS.map((s) => h("option", { value: s, selected: s === this.speed }, `×${s}`)));
    clear(el,
      h("h1", {}, t("drill.title")),
      h("p", { class: "secondary" }, t("drill.scenarios_hint")),
      h("div", { class: "filters" },
        h("label", {}, t("drill.facilitator"), " ",
          h("input", { value: this.by, "data-testid": "drill-by", oninput: (e: Event) => { this.by = (e.target as HTMLInputElement).value; } })),
        h("label", {}, t("drill.speed"), " ", speed),
        h("label", {}, h("input", { type: "checkbox", checked: this.paused, onchange: (e: Event) => { this.paused = (e.target as HTMLInputElement).checked; } }), " ", t("drill.start_paused"))),
      h("h2", {}, t("drill.scenarios")),
      h("div", { class: "scenario-tools" },
        h("button", { class: "primary", "data-testid": "drill-new-scenario", onclick: () => void this.edit(null, false) }, t("drill.ed.new")),
        h("label", { class: "button", tabindex: 0, onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter" || e.key === " ") (e.currentTarget as HTMLElement).querySelector("input")?.click(); } },
          t("drill.ed.import"),
          h("input", { type: "file", accept: ".json,application/json", hidden: true, "data-testid": "drill-import", onchange: (e: Event) => void this.importFile(e.target as HTMLInputElement) }))),
      this.notice ? h("div", { class: this.noticeBad ? "notice-bad" : "model-ok", "data-testid": "drill-notice", role: "status" }, this.notice) : null,
      this.scenarios.length === 0
        ? h("p", { class: "empty" }, t("drill.none"))
        : h("table", { class: "grid scenarios", "data-testid": "drill-scenarios" },
          h("thead", {}, h("tr", {}, ["drill.col.title", "drill.col.start", "drill.col.duration", "drill.col.injects", ""].map((k) => h("th", {}, k ? t(k) : "")))),
          h("tbody", {}, this.scenarios.map((s, i) => h("tr", { "data-path": s.path, "data-user": String(s.user), "data-title": s.title },
            h("td", {}, h("strong", {}, lang() === "en" && s.title_en ? s.title_en : s.title || s.path),
              " ", h("span", { class: `badge ${s.user ? "user" : ""}` }, s.user ? t("drill.ed.mine") : t("drill.ed.ready")),
              s.error ? h("div", { class: "error-text" }, t("drill.bad_file", { msg: lang() === "en" ? s.error.message_en : s.error.message_zh })) : h("div", { class: "secondary" }, s.summary)),
            h("td", { class: "nowrap" }, bj(s.start_at)),
            h("td", { class: "num" }, s.duration_min || "—"),
            h("td", { class: "num" }, s.injects),
            h("td", {}, s.error ? null : h("div", { class: "scenario-actions" },
              h("button", { class: "primary", "data-testid": `drill-start-${i}`, onclick: () => void this.startDrill(s) }, t("drill.start")),
              h("button", { "data-testid": `drill-edit-${i}`, onclick: () => void this.edit(s.path, s.user) }, s.user ? t("drill.ed.edit") : t("drill.ed.edit_copy")),
              h("button", { "data-testid": `drill-export-${i}`, onclick: () => void this.exportScenario(s) }, t("drill.ed.export")))))))));
  }

  // ---- the scenario editor, import and export ----------------------------------------------

  private async edit(path: string | null, user: boolean): Promise<void> {
    this.notice = "";
    const editor = new ScenarioEditor(this.page!, {
      showError: (e) => this.hooks.showError(e),
      done: (saved) => {
        this.editor = null;
        this.noticeBad = false;
        this.notice = saved ? t("drill.ed.saved", { title: saved.title, path: saved.path }) : "";
        void this.renderPage(this.page!);
      },
    });
    this.editor = editor;
    await editor.open(path, user);
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    const r = await this.guard(() => drillApi.scenarioImport(file.name, text));
    input.value = "";
    if (!r) return;
    this.noticeBad = !r.saved;
    this.notice = r.saved
      ? t("drill.ed.imported", { title: r.saved.title, path: r.saved.path })
      : t("drill.ed.import_refused", { name: file.name, why: r.problems.map((p) => (lang() === "en" ? p.message_en : p.message_zh)).join("；") });
    await this.renderPage(this.page!);
  }

  private async exportScenario(s: ScenarioSummaryDto): Promise<void> {
    const path = await this.guard(() => drillApi.scenarioExport(s.path));
    if (!path) return;
    this.noticeBad = false;
    this.notice = t("drill.ed.exported", { path });
    this.renderScenarios();
  }

  private async startDrill(s: ScenarioSummaryDto): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    clear(this.page!, h("p", { class: "secondary" }, t("drill.starting")));
    try {
      this.status = await api.drillStart({ scenario_path: s.path, speed: this.speed, paused: this.paused, started_by: this.by.trim() || "导调" });
      this.tab = "run";
      this.replayMin = null;
      this.evaluation = null;
      await this.hooks.switched();
    } catch (e) {
      this.hooks.showError(e);
      this.renderScenarios();
    } finally {
      this.busy = false;
    }
  }

  // ---- a drill: control, replay, evaluation ------------------------------------------------

  private renderDrill(): void {
    const el = this.page!;
    const s = this.status!;
    const tabs: Tab[] = ["run", "replay", "evaluation"];
    const body = h("div", { class: "drill-body", "data-testid": "drill-body" });
    clear(el,
      h("div", { class: "drill-head" },
        h("h1", {}, h("span", { class: "badge drill" }, t("drill.badge")), " ", this.title()),
        h("button", { "data-testid": "drill-leave", onclick: () => void this.leave() }, t("drill.leave"))),
      h("div", { class: "tabs", role: "tablist" }, tabs.map((k) => h("button", {
        role: "tab", "aria-selected": this.tab === k ? "true" : "false", class: this.tab === k ? "active" : "",
        "data-testid": `drill-tab-${k}`, onclick: () => { this.tab = k; this.renderDrill(); },
      }, t(`drill.tab.${k}`)))),
      body);
    void s;
    if (this.tab === "run") this.renderRun();
    else if (this.tab === "replay") void this.renderReplay();
    else void this.renderEvaluation();
  }

  private body(): HTMLElement | null {
    return this.page?.querySelector<HTMLElement>("[data-testid=drill-body]") ?? null;
  }

  private async clock(action: string, speed: number | null = null): Promise<void> {
    await this.guard(() => api.drillClock(action, speed, this.by.trim() || "导调"));
    await this.refresh();
  }

  renderRun(): void {
    const body = this.body();
    if (!body || !this.status) return;
    // Keep the speed menu when it has the focus (the user is choosing).
    if (body.contains(document.activeElement) && document.activeElement instanceof HTMLSelectElement) return;
    const s = this.status;
    const c = s.clock;
    const total = (Date.parse(c.drill_end_at) - Date.parse(c.drill_start_at)) / 60000;
    const resp = (r: string | null, n: number | null) => (r ? t("drill.within", { what: t(`drill.resp.${r}`), n: n ?? "" }) : "—");
    clear(body,
      h("div", { class: "facilitator", "data-testid": "drill-facilitator" },
        h("div", { class: "drill-clock" },
          h("div", { class: "label" }, t("drill.clock")),
          h("div", { class: "time", "data-testid": "drill-clock" }, bj(c.drill_now)),
          h("div", { class: "secondary", "data-testid": "drill-elapsed" }, t("drill.elapsed", { n: Math.floor(c.elapsed_min), m: Math.round(total) })),
          h("div", { class: `state ${c.ended ? "ended" : c.running ? "running" : "paused"}`, "data-testid": "drill-state" }, this.stateText())),
        h("div", { class: "controls" },
          c.running
            ? h("button", { "data-testid": "drill-pause", disabled: c.ended, onclick: () => void this.clock("pause") }, t("drill.pause"))
            : h("button", { class: "primary", "data-testid": "drill-resume", disabled: c.ended, onclick: () => void this.clock("resume") }, t("drill.resume")),
          h("label", {}, t("drill.speed"), " ",
            h("select", { "data-testid": "drill-speed", disabled: c.ended, onchange: (e: Event) => void this.clock("speed", Number((e.target as HTMLSelectElement).value)) },
              SPEEDS.map((v) => h("option", { value: v, selected: v === c.speed }, `×${v}`)))),
          h("label", {}, t("drill.facilitator"), " ",
            h("input", { value: this.by, size: 8, oninput: (e: Event) => { this.by = (e.target as HTMLInputElement).value; } })),
          h("button", { class: "danger", "data-testid": "drill-end", disabled: c.ended, onclick: () => { if (window.confirm(t("drill.end_confirm"))) void this.clock("end"); } }, t("drill.end")))),
      h("p", { class: "secondary" }, t("drill.players", { id: s.incident_id })),
      h("h2", {}, t("drill.feed")),
      h("table", { class: "grid small", "data-testid": "drill-feed" },
        h("thead", {}, h("tr", {}, ["drill.col.min", "drill.col.time", "drill.col.kind", "drill.col.text", "drill.col.expect", "drill.col.status"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, s.injects.map((i) => h("tr", { class: i.delivered ? "delivered" : "pending", "data-inject": i.id },
          h("td", { class: "num" }, i.at_min),
          h("td", { class: "nowrap" }, bj(i.due_at, false)),
          h("td", { class: "nowrap" }, lang() === "en" ? i.kind_en : i.kind_zh),
          h("td", {}, lang() === "en" && i.text_en ? i.text_en : i.text, i.place ? h("div", { class: "secondary" }, i.place) : null),
          h("td", {}, resp(i.expect, i.within_min), i.control_work ? h("div", { class: "secondary" }, i.control_work) : null),
          h("td", { class: "nowrap" }, i.delivered ? t("drill.delivered") : t("drill.pending")))))));
  }

  private async leave(): Promise<void> {
    if (!window.confirm(t("drill.leave_confirm"))) return;
    await this.guard(() => api.drillLeave());
    this.status = null;
    this.renderBanner();
    document.body.classList.remove("drill-mode");
    await this.hooks.switched();
  }

  // ---- replay --------------------------------------------------------------------------------

  private async renderReplay(): Promise<void> {
    const body = this.body();
    if (!body || !this.status) return;
    const c = this.status.clock;
    const max = Math.max(0, Math.floor(c.elapsed_min));
    const at = Math.min(this.replayMin ?? max, max);
    const label = h("div", { class: "replay-at", "data-testid": "drill-replay-at" });
    const panels = h("div", { class: "replay-panels", "data-testid": "drill-replay" });
    const slider = h("input", {
      type: "range", min: 0, max, step: 1, value: at, class: "replay-slider", "data-testid": "drill-replay-slider",
      "aria-label": t("drill.tab.replay"),
    });
    let timer = 0;
    const show = async (m: number) => {
      this.replayMin = m;
      const asOf = new Date(Date.parse(c.drill_start_at) + m * 60000).toISOString().replace(".000Z", "Z");
      const r = await this.guard(() => api.drillReplay(asOf));
      // The label, the panels and the map change together: what is shown is always one instant.
      if (r && this.replayMin === m) {
        label.textContent = t("drill.replay.at", { time: bj(asOf), n: m });
        this.renderReplayPanels(panels, r, m);
      }
    };
    slider.addEventListener("input", () => {
      window.clearTimeout(timer);
      const m = Number(slider.value);
      timer = window.setTimeout(() => void show(m), 120);
    });
    const mapEl = h("div", { class: "replay-map", "data-testid": "drill-replay-map" });
    const legend = h("div", { class: "replay-legend" },
      h("span", {}, h("span", { class: "sw", style: "background:#d50000;border-color:#fff" }), t("drill.replay.map.incident")),
      h("span", {}, h("span", { class: "sw", style: "background:#b3261e;opacity:.4;border-radius:2px" }), t("drill.replay.map.zones")),
      h("span", {}, h("span", { class: "sw", style: "background:#b3261e;height:4px;border:none;border-radius:0" }), t("drill.replay.map.river")),
      h("span", {}, h("span", { class: "sw", style: "background:#1565c0;border-color:#b3261e" }), t("drill.replay.map.intakes")),
      h("span", {}, h("span", { class: "sw", style: "background:#263238" }), t("drill.replay.map.closed")),
      h("span", {}, h("span", { class: "sw", style: "background:#fff" }), t("drill.replay.map.open")));
    clear(body, h("p", { class: "secondary" }, t("drill.replay.hint")), label, slider, mapEl, legend, panels);
    this.replayMap?.map.remove();
    this.replayMap = null;
    void DrillMap.create(mapEl).then((m) => {
      if (!mapEl.isConnected) return;
      this.replayMap = m;
      if (this.lastReplay) void m.setReplay(this.lastReplay.map, this.lastReplayMin);
    });
    await show(at);
  }

  private lastReplay: DrillReplayDto | null = null;
  private lastReplayMin = 0;

  private renderReplayPanels(el: HTMLElement, r: DrillReplayDto, minute: number): void {
    this.lastReplay = r;
    this.lastReplayMin = minute;
    el.dataset.minute = String(minute);
    void this.replayMap?.setReplay(r.map, minute);
    const d = r.detail;
    const none = h("p", { class: "empty" }, t("drill.replay.none"));
    const tier = d.incident.confirmed_tier ? t(`drill.tier.${d.incident.confirmed_tier}`) : t("drill.tier.none");
    clear(el,
      h("p", { "data-testid": "drill-replay-status" }, t("drill.replay.status", { status: t(`drill.status.${d.incident.status}`), tier })),
      h("p", { class: "secondary", "data-testid": "drill-replay-models" }, t("drill.replay.models", { n: r.map.model_runs, zones: r.map.zones.length, intakes: r.map.intakes.length }),
        r.map.intakes.length ? ` — ${r.map.intakes.map((i) => i.first_above_at ? `${i.name} ${bj(i.first_above_at, false)}` : i.name).join("、")}` : null),
      h("div", { class: "replay-grid" },
        h("section", {},
          h("h3", {}, t("drill.replay.log"), ` (${d.log.length})`),
          h("table", { class: "grid small", "data-testid": "drill-replay-log" },
            h("tbody", {}, d.log.map((e) => h("tr", {}, h("td", { class: "nowrap" }, bj(e.recorded_at, false)), h("td", { class: "nowrap" }, lang() === "zh" ? e.kind_zh : e.kind_en), h("td", {}, e.body), h("td", { class: "secondary" }, e.author)))))),
        h("section", {},
          h("h3", {}, t("drill.replay.reports")),
          d.reports.length === 0 ? none.cloneNode(true) : h("table", { class: "grid small", "data-testid": "drill-replay-reports" },
            h("tbody", {}, d.reports.map((x) => h("tr", {}, h("td", {}, x.title), h("td", { class: "nowrap" }, `v${x.version}`), h("td", { class: "nowrap" }, x.status ?? "—"))))),
          h("h3", {}, t("drill.replay.orders")),
          d.orders.length === 0 ? none.cloneNode(true) : h("table", { class: "grid small" },
            h("tbody", {}, d.orders.map((o) => h("tr", {}, h("td", {}, o.team_name), h("td", {}, o.task), h("td", { class: "nowrap" }, o.status_zh))))),
          h("h3", {}, t("drill.replay.gates")),
          r.gates_closed.length === 0 ? none.cloneNode(true) : h("ul", { "data-testid": "drill-replay-gates" }, r.gates_closed.map((g) => h("li", {}, g))),
          h("h3", {}, t("drill.replay.injects")),
          r.injects_delivered.length === 0 ? none.cloneNode(true) : h("ul", { "data-testid": "drill-replay-injects" },
            r.injects_delivered.map((id) => h("li", {}, this.status?.injects.find((i) => i.id === id)?.text ?? id))))));
  }

  // ---- evaluation ----------------------------------------------------------------------------

  private async renderEvaluation(): Promise<void> {
    const body = this.body();
    if (!body) return;
    const e = await this.guard(() => api.drillEvaluation(null));
    if (!e) return;
    this.evaluation = e;
    const f = e.first_report;
    const tierName = t(`drill.tier.${f.tier}`) + (f.tier_confirmed ? "" : t("drill.eval.tier_expected"));
    const outcome = (o: string) => h("span", { class: `outcome ${o}` }, t(`drill.outcome.${o}`));
    clear(body,
      h("div", { class: "drill-head" },
        h("h2", {}, t("drill.eval.title", { time: bj(e.as_of), n: Math.floor(e.elapsed_min) })),
        h("div", {},
          h("button", { "data-testid": "drill-eval-refresh", onclick: () => void this.renderEvaluation() }, t("drill.eval.refresh")), " ",
          h("button", { class: "primary", "data-testid": "drill-eval-pdf", onclick: () => void this.exportPdf() }, t("drill.eval.pdf")))),
      this.pdfPath ? h("p", { class: "secondary", "data-testid": "drill-eval-pdf-path" }, t("drill.eval.pdf_done", { path: this.pdfPath })) : null,
      h("h3", {}, t("drill.eval.first")),
      h("table", { class: "grid small", "data-testid": "drill-eval-first-report" }, h("tbody", {},
        h("tr", {}, h("th", {}, t("drill.eval.tier")), h("td", {}, tierName)),
        h("tr", {}, h("th", {}, t("drill.eval.deadline")), h("td", {}, t("drill.eval.deadline_v", { n: f.deadline_min.toFixed(0), time: bj(f.deadline_at) }))),
        h("tr", {}, h("th", {}, t("drill.eval.sent")), h("td", {},
          f.sent_at ? t("drill.eval.sent_v", { time: bj(f.sent_at), n: (f.sent_min ?? 0).toFixed(1) }) : t("drill.eval.not_sent"), " ",
          f.margin_min !== null ? h("strong", { class: f.met ? "ok" : "bad" }, f.met ? t("drill.eval.margin_ok", { n: f.margin_min.toFixed(1) }) : t("drill.eval.margin_late", { n: (-f.margin_min).toFixed(1) })) : outcome("missed"))))),
      h("h3", {}, t("drill.eval.gates")),
      e.gates_note ? h("p", { class: "secondary" }, e.gates_note) : null,
      h("table", { class: "grid small", "data-testid": "drill-eval-gates" },
        h("thead", {}, h("tr", {}, ["drill.eval.gate", "drill.eval.arrival", "drill.eval.closed", "drill.eval.margin"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, e.gates.map((g) => h("tr", {},
          h("td", {}, g.name, g.needed ? h("span", { class: "secondary" }, ` · ${t("drill.eval.needed")}`) : null),
          h("td", {}, g.plume_arrival_at ? `${bj(g.plume_arrival_at)} (${min(g.plume_arrival_min)})` : t("drill.eval.not_reached")),
          h("td", {}, g.closed_at ? `${bj(g.closed_at)} (${min(g.closed_min)})` : t("drill.eval.not_closed")),
          h("td", {}, g.margin_min !== null ? h("strong", { class: g.in_time ? "ok" : "bad" }, min(g.margin_min)) : "—"))))),
      h("h3", {}, t("drill.eval.resources")),
      h("table", { class: "grid small", "data-testid": "drill-eval-resources" }, h("tbody", {},
        h("tr", {}, h("th", {}, t("drill.eval.teams")), h("td", { class: e.teams_called >= e.teams_needed ? "ok" : "bad" }, `${e.teams_called} / ${e.teams_needed}`)),
        h("tr", {}, h("th", {}, t("drill.eval.experts")), h("td", { class: e.experts_called >= e.experts_needed ? "ok" : "bad" }, `${e.experts_called} / ${e.experts_needed}`)),
        e.materials.map((m) => h("tr", {}, h("th", {}, m.item), h("td", { class: m.allocated >= m.needed ? "ok" : "bad" }, `${m.allocated} / ${m.needed} ${m.unit}`))))),
      h("h3", {}, t("drill.eval.injects", { n: e.injects_missed })),
      h("table", { class: "grid small", "data-testid": "drill-eval-injects" },
        h("thead", {}, h("tr", {}, ["drill.col.min", "drill.col.text", "drill.col.expect", "drill.eval.response"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, e.injects.map((i) => h("tr", { "data-outcome": i.outcome },
          h("td", { class: "num" }, i.at_min),
          h("td", {}, i.text),
          h("td", {}, i.expected ? t("drill.within", { what: t(`drill.resp.${i.expected}`), n: i.within_min ?? "" }) : "—"),
          h("td", { class: "nowrap" }, outcome(i.outcome), i.response_min !== null ? h("div", { class: "secondary" }, t("drill.eval.after", { n: i.response_min.toFixed(1) })) : null))))),
      h("p", { class: "secondary" }, t("drill.eval.log_entries", { n: e.log_entries })));
  }

  private async exportPdf(): Promise<void> {
    const path = await this.guard(() => api.drillExportEvaluation(this.evaluation?.as_of ?? null));
    if (path) {
      this.pdfPath = path;
      await this.renderEvaluation();
    }
  }
}

export { isApiError };
