// Preparedness screens: emergency plans (revision deadlines per region), the plan card of a risk
// source, hazard findings and their loop, the case library. Everything shown comes from the
// Rust façade through ./api-prep's commands; this file only lays it out.
import "./i18n-prep";
import "./prep.css";
import { invoke } from "@tauri-apps/api/core";
import { isApiError } from "./api";
import type { AttachmentDto } from "./bindings/AttachmentDto";
import type { CardContactDto } from "./bindings/CardContactDto";
import type { CaseDto } from "./bindings/CaseDto";
import type { CaseSummaryDto } from "./bindings/CaseSummaryDto";
import type { FindingDto } from "./bindings/FindingDto";
import type { FindingFilterDto } from "./bindings/FindingFilterDto";
import type { InspectionDto } from "./bindings/InspectionDto";
import type { NewInspectionDto } from "./bindings/NewInspectionDto";
import type { NewPlanDto } from "./bindings/NewPlanDto";
import type { PlanCardDto } from "./bindings/PlanCardDto";
import type { PlanDto } from "./bindings/PlanDto";
import type { PlanFilterDto } from "./bindings/PlanFilterDto";
import type { PlanStepDto } from "./bindings/PlanStepDto";
import type { PlanSubjectDto } from "./bindings/PlanSubjectDto";
import type { RegionFindingsDto } from "./bindings/RegionFindingsDto";
import type { RegionPlansDto } from "./bindings/RegionPlansDto";
import type { SimilarCaseDto } from "./bindings/SimilarCaseDto";
import { clear, h } from "./dom";
import { lang, t, vocab } from "./i18n";

/** Typed calls to the preparedness commands (src-tauri/src/prep.rs). */
export const prepApi = {
  plans: (filter: PlanFilterDto) => invoke<PlanDto[]>("plans", { filter }),
  addPlan: (plan: NewPlanDto) => invoke<PlanDto>("add_plan", { plan }),
  planSubjects: (subjectKind: string, text: string) => invoke<PlanSubjectDto[]>("plan_subjects", { subjectKind, text }),
  advancePlan: (id: string, step: PlanStepDto) => invoke<PlanDto>("advance_plan", { id, step }),
  plansByRegion: () => invoke<RegionPlansDto[]>("plans_by_region"),
  /** Sends a file's bytes as the raw body of the call (no JSON, no base64); names go in headers. */
  attachBytes: (owner: "plan" | "finding", ownerId: string, file: File, bytes: ArrayBuffer, addedBy: string) =>
    invoke<AttachmentDto>(owner === "plan" ? "attach_plan_bytes" : "attach_finding_bytes", new Uint8Array(bytes), {
      headers: {
        "x-yingji-owner": encodeURIComponent(ownerId),
        "x-yingji-file-name": encodeURIComponent(file.name),
        "x-yingji-added-by": encodeURIComponent(addedBy),
      },
    }),
  saveAttachment: (id: string) => invoke<string>("save_attachment", { id }),
  planCard: (riskSourceId: string) => invoke<PlanCardDto>("plan_card", { riskSourceId }),
  planCardPdf: (riskSourceId: string, path: string | null, lang: string) =>
    invoke<string>("plan_card_pdf", { riskSourceId, path, lang }),
  recordInspection: (inspection: NewInspectionDto, author: string) =>
    invoke<InspectionDto>("record_inspection", { inspection, author }),
  findings: (filter: FindingFilterDto) => invoke<FindingDto[]>("findings", { filter }),
  advanceFinding: (id: string, status: string, author: string, note: string, evidence: string) =>
    invoke<FindingDto>("advance_finding", { id, status, author, note, evidence }),
  findingsByRegion: () => invoke<RegionFindingsDto[]>("findings_by_region"),
  cases: () => invoke<CaseSummaryDto[]>("cases"),
  case: (id: string) => invoke<CaseDto>("case", { id }),
  casesLikeIncident: (incidentId: string) => invoke<SimilarCaseDto[]>("cases_like_incident", { incidentId }),
};

export type PrepTab = "plans" | "findings" | "cases" | "card";

const PLAN_KINDS = ["enterprise", "chemical_park", "water_source", "county", "city"];

interface PlanDraft {
  plan: NewPlanDto;
  subjectName: string;
  subjectText: string;
  options: PlanSubjectDto[];
  errorField: string | null;
  errorText: string;
}

function emptyDraft(): PlanDraft {
  return {
    plan: { subject_kind: "enterprise", subject_id: "", title: "", status: "drafting", issued_on: "", filed_on: "", filing_number: "", owner_org: "", contact_name: "", contact_phone: "" },
    subjectName: "",
    subjectText: "",
    options: [],
    errorField: null,
    errorText: "",
  };
}

const st = {
  tab: "plans" as PrepTab,
  planFilter: { region: "", kind: "", overdueOnly: true },
  plans: [] as PlanDto[],
  planRegions: [] as RegionPlansDto[],
  plan: null as PlanDto | null,
  /** The new-plan form's contents: kept until saved, so nothing typed is lost when saving fails. */
  draft: null as PlanDraft | null,
  /** A plan step waiting for its confirmation. */
  pendingStep: null as PlanStepDto | null,
  /** A file being sent: its name, for the busy state. */
  uploading: "" as string,
  findingFilter: { region: "", openOnly: true, overdueOnly: false },
  findings: [] as FindingDto[],
  findingRegions: [] as RegionFindingsDto[],
  finding: null as FindingDto | null,
  cases: [] as CaseSummaryDto[],
  caseDetail: null as CaseDto | null,
  cardSource: null as string | null,
  card: null as PlanCardDto | null,
  recording: false,
  message: "" as string,
  error: "" as string,
};

let content: HTMLElement;
let detail: HTMLElement;
let onShowOnMap: ((lat: number, lon: number) => void) | null = null;

const zh = () => lang() !== "en";
const pick = (a: string, b: string) => (zh() ? a : b);
const km = (m: number) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);
const dur = (s: number) =>
  s < 3600 ? `${Math.max(1, Math.round(s / 60))} ${pick("分钟", "min")}` : `${(s / 3600).toFixed(1)} ${pick("小时", "h")}`;

function errorText(e: unknown): string {
  return isApiError(e) ? (zh() ? e.message_zh : e.message_en) : String(e);
}

async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    st.error = "";
    return await f();
  } catch (e) {
    st.error = errorText(e);
    renderDetail();
    return undefined;
  }
}

function operator(): string {
  return localStorage.getItem("yingji.operator") ?? "";
}

function operatorInput(): HTMLInputElement {
  return h("input", {
    type: "text",
    "data-testid": "prep-operator",
    value: operator(),
    placeholder: t("operator"),
    oninput: (e: Event) => localStorage.setItem("yingji.operator", (e.target as HTMLInputElement).value.trim()),
  });
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h("label", { class: "model-field" }, h("span", {}, label), input);
}

function statusBox(): HTMLElement | null {
  if (st.error) return h("div", { class: "model-error prep-status", role: "alert", "data-testid": "prep-error" }, st.error);
  if (st.message) return h("div", { class: "model-ok prep-status", role: "status", "data-testid": "prep-message" }, st.message);
  return null;
}

function stateBadge(state: string, days: number | null): HTMLElement {
  const text =
    state === "overdue" && days !== null
      ? t("prep.days_over", { n: days })
      : state === "due_soon" && days !== null
        ? t("prep.days_left", { n: -days })
        : vocab("revision_state", state);
  return h("span", { class: `prep-state ${state}`, "data-state": state }, text);
}

// ---- entry points --------------------------------------------------------------------------

/** Draws the preparedness view into the page's content and detail columns. */
export async function renderPrep(
  contentEl: HTMLElement,
  detailEl: HTMLElement,
  showOnMap: (lat: number, lon: number) => void,
): Promise<void> {
  content = contentEl;
  detail = detailEl;
  onShowOnMap = showOnMap;
  renderContent();
  renderDetail();
  await load();
}

/** Opens the plan card of a risk source (from its detail view or the map). */
export async function openPlanCard(
  riskSourceId: string,
  contentEl: HTMLElement,
  detailEl: HTMLElement,
  showOnMap: (lat: number, lon: number) => void,
): Promise<void> {
  st.tab = "card";
  st.cardSource = riskSourceId;
  st.card = null;
  st.recording = false;
  st.message = "";
  await renderPrep(contentEl, detailEl, showOnMap);
}

async function load(): Promise<void> {
  if (st.tab === "plans") await loadPlans();
  else if (st.tab === "findings") await loadFindings();
  else if (st.tab === "cases") {
    st.cases = (await run(() => prepApi.cases())) ?? [];
  } else if (st.tab === "card" && st.cardSource) {
    st.card = (await run(() => prepApi.planCard(st.cardSource!))) ?? null;
  }
  renderContent();
  renderDetail();
}

function setTab(tab: PrepTab): void {
  st.tab = tab;
  st.message = "";
  st.error = "";
  st.plan = null;
  st.pendingStep = null;
  st.finding = null;
  st.caseDetail = null;
  st.recording = false;
  renderContent();
  renderDetail();
  void load();
}

function tabs(): HTMLElement {
  const list: PrepTab[] = ["plans", "findings", "cases", ...(st.cardSource ? (["card"] as PrepTab[]) : [])];
  return h("div", { class: "model-tabs", role: "tablist" },
    list.map((k) => h("button", {
      role: "tab",
      class: st.tab === k ? "on" : "",
      "aria-selected": String(st.tab === k),
      "data-testid": `prep-tab-${k}`,
      onclick: () => setTab(k),
    }, t(`prep.tab.${k}`))));
}

function renderContent(): void {
  if (!content) return;
  const body =
    st.tab === "plans" ? plansView() : st.tab === "findings" ? findingsView() : st.tab === "cases" ? casesView() : cardView();
  clear(content, h("h1", {}, t("nav.prep")), tabs(), body);
}

function renderDetail(): void {
  if (!detail) return;
  if (st.tab === "plans" && st.draft) return planForm(st.draft);
  if (st.tab === "plans" && st.plan) return planDetail(st.plan);
  if ((st.tab === "findings" || st.tab === "card") && st.finding) return findingDetail(st.finding);
  if (st.tab === "card" && st.recording && st.card) return recordForm(st.card);
  if (st.tab === "cases" && st.caseDetail) return caseDetail(st.caseDetail);
  clear(detail, statusBox(), h("p", { class: "empty" },
    st.tab === "plans" ? t("prep.rule") : st.tab === "findings" ? t("findings.rule") : st.tab === "cases" ? t("cases.select") : t("prep.card.pick")));
}

// ---- plans ---------------------------------------------------------------------------------

async function loadPlans(): Promise<void> {
  const [plans, regions] = await Promise.all([
    run(() => prepApi.plans({
      region_code: st.planFilter.region || undefined,
      subject_kind: st.planFilter.kind || undefined,
      overdue_only: st.planFilter.overdueOnly,
    })),
    run(() => prepApi.plansByRegion()),
  ]);
  st.plans = plans ?? [];
  st.planRegions = regions ?? [];
}

function plansView(): HTMLElement {
  const regions = st.planRegions.filter((r) => r.overdue > 0 || r.due_soon > 0);
  const kinds = PLAN_KINDS;
  return h("div", { class: "prep" },
    h("div", { class: "actions" },
      h("button", { class: "primary", "data-testid": "plan-new", onclick: () => openPlanForm() }, t("prep.new"))),
    h("p", { class: "secondary" }, t("prep.rule")),
    h("h2", {}, t("prep.by_region")),
    h("div", { class: "prep-scroll" },
      h("table", { class: "grid numbers small", "data-testid": "plan-regions" },
        h("thead", {}, h("tr", {}, ["prep.region", "prep.total", "prep.overdue", "prep.due_soon", "prep.not_issued"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, regions.map((r) => h("tr", {
          class: st.planFilter.region === r.region_code ? "selected" : "",
          "data-region": r.region_code,
          onclick: () => { st.planFilter.region = st.planFilter.region === r.region_code ? "" : r.region_code; void load(); },
        },
          h("th", {}, r.region_name || r.region_code),
          h("td", {}, r.total),
          h("td", { class: r.overdue ? "prep-bad" : "" }, r.overdue),
          h("td", {}, r.due_soon),
          h("td", {}, r.not_issued)))))),
    h("div", { class: "filters" },
      h("label", {}, h("input", {
        type: "checkbox",
        "data-testid": "plan-overdue-only",
        checked: st.planFilter.overdueOnly,
        onchange: (e: Event) => { st.planFilter.overdueOnly = (e.target as HTMLInputElement).checked; void load(); },
      }), " ", t("prep.overdue_only")),
      h("select", { "data-testid": "plan-kind", onchange: (e: Event) => { st.planFilter.kind = (e.target as HTMLSelectElement).value; void load(); } },
        h("option", { value: "" }, t("prep.all_kinds")),
        kinds.map((k) => h("option", { value: k, selected: st.planFilter.kind === k }, vocab("plan_subject", k)))),
      st.planFilter.region
        ? h("button", { class: "chip", onclick: () => { st.planFilter.region = ""; void load(); } },
            `${st.planRegions.find((r) => r.region_code === st.planFilter.region)?.region_name ?? st.planFilter.region} ×`)
        : null),
    h("div", { class: "count", "data-testid": "plan-count" }, t("prep.count", { n: st.plans.length })),
    st.plans.length === 0
      ? h("p", { class: "empty" }, t("prep.none"))
      : h("table", { class: "grid rows", "data-testid": "plan-list" },
          h("thead", {}, h("tr", {}, ["prep.title", "prep.subject", "prep.region", "prep.status", "prep.due", "prep.state"].map((k) => h("th", {}, t(k))))),
          h("tbody", {}, st.plans.slice(0, 300).map((p) => h("tr", {
            tabindex: 0,
            class: st.plan?.id === p.id ? "selected" : "",
            "data-testid": "plan-row",
            "data-id": p.id,
            onclick: () => { st.plan = p; st.draft = null; st.pendingStep = null; st.message = ""; st.error = ""; renderContent(); renderDetail(); },
            onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter") (e.currentTarget as HTMLElement).click(); },
          },
            h("td", { class: "name" }, p.title, p.is_demo ? h("span", { class: "badge demo" }, t("demo.badge")) : null),
            h("td", { class: "nw" }, vocab("plan_subject", p.subject_kind)),
            h("td", { class: "nw" }, p.region_name),
            h("td", { class: "nw" }, vocab("plan_status", p.status)),
            h("td", { class: "mono" }, p.revision_due_on ?? "—"),
            h("td", { class: "nw" }, stateBadge(p.revision_state, p.days_overdue)))))),
  );
}

function planDetail(p: PlanDto): void {
  const issued = h("input", { type: "date", "data-testid": "plan-issued-on", value: p.issued_on ?? "" });
  const filed = h("input", { type: "date", "data-testid": "plan-filed-on" });
  const number = h("input", { type: "text", "data-testid": "plan-filing-number", value: p.filing_number });
  const step = async (s: PlanStepDto) => {
    const updated = await run(() => prepApi.advancePlan(p.id, s));
    st.pendingStep = null;
    if (!updated) return;
    st.plan = updated;
    st.message = t("prep.step.done", { status: vocab("plan_status", updated.status) });
    await loadPlans();
    renderContent();
    renderDetail();
  };
  const ask = (s: PlanStepDto) => { st.pendingStep = s; st.message = ""; st.error = ""; renderDetail(); };
  const rows: [string, string][] = [
    ["prep.subject", `${vocab("plan_subject", p.subject_kind)} · ${p.subject_name}`],
    ["prep.status", vocab("plan_status", p.status)],
    ["prep.issued_on", p.issued_on ?? "—"],
    ["prep.filed_on", p.filed_on ?? "—"],
    ["prep.filing_number", p.filing_number || "—"],
    ["prep.due", p.revision_due_on ?? "—"],
    ["prep.owner_org", p.owner_org || "—"],
    ["prep.contact", `${p.contact_name} ${p.contact_phone}`.trim() || "—"],
    ["detail.region", p.region_name],
  ];
  clear(detail,
    h("div", { class: "detail-head" },
      h("h2", { "data-testid": "plan-title" }, p.title),
      h("button", { class: "close", "aria-label": t("detail.close"), onclick: () => { st.plan = null; renderContent(); renderDetail(); } }, "×")),
    h("div", { class: "detail-kind" }, stateBadge(p.revision_state, p.days_overdue), p.is_demo ? h("span", { class: "badge demo" }, t("demo.badge")) : null),
    statusBox(),
    h("dl", {}, rows.map(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, v)])),
    h("ol", { class: "prep-steps", "aria-label": t("prep.steps") }, ["drafting", "under_review", "filed"].map((k) =>
      h("li", { class: k === p.status ? "on" : "", "data-status": k, "aria-current": k === p.status ? "step" : null }, vocab("plan_status", k)))),
    st.pendingStep
      ? confirmStep(p, st.pendingStep, () => void step(st.pendingStep!))
      : [
          h("div", { class: "actions" },
            p.status === "drafting" ? h("button", { "data-testid": "plan-step-review", onclick: () => ask({ step: "review" }) }, t("prep.step.review")) : null,
            p.status === "filed" ? h("button", { "data-testid": "plan-step-revise", onclick: () => ask({ step: "revise" }) }, t("prep.step.revise")) : null),
          p.status === "under_review"
            ? h("fieldset", { class: "prep-form" }, h("legend", {}, t("prep.step.file")),
                field(t("prep.issued_on"), issued), field(t("prep.filed_on"), filed), field(t("prep.filing_number"), number),
                h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "plan-step-file", onclick: () => ask({ step: "file", issued_on: issued.value, filed_on: filed.value, filing_number: number.value }) }, t("prep.step.file"))))
            : null,
        ],
    h("h3", {}, t("prep.attachments")),
    p.attachments.length === 0 ? h("p", { class: "empty" }, t("prep.no_attachments")) : attachmentList(p.attachments),
    fileChooser("plan", p.id, "plan-attach-file", ".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document", t("prep.attach_hint"), (a) => {
      if (st.plan?.id === p.id) st.plan = { ...st.plan, attachments: [...st.plan.attachments, a] };
    }),
    h("p", { class: "secondary" }, t("prep.attach_local")),
  );
}

/** The confirmation of a plan step: what changes, then confirm (focused) or cancel; Esc cancels. */
function confirmStep(p: PlanDto, s: PlanStepDto, go: () => void): HTMLElement {
  const to = s.step === "review" ? "under_review" : s.step === "file" ? "filed" : "drafting";
  const cancel = () => { st.pendingStep = null; renderDetail(); };
  const yes = h("button", { class: "primary", "data-testid": "plan-step-confirm", onclick: go }, t("prep.step.confirm"));
  const box = h("div", { class: "prep-confirm", role: "alertdialog", "aria-labelledby": "prep-confirm-q", "data-testid": "plan-step-confirmation",
    onkeydown: (e: KeyboardEvent) => { if (e.key === "Escape") cancel(); } },
    h("p", { id: "prep-confirm-q" }, t(`prep.step.confirm_${s.step}`, {
      title: p.title, from: vocab("plan_status", p.status), to: vocab("plan_status", to),
      issued: s.issued_on ?? "", filed: s.filed_on ?? "", number: s.filing_number || "—",
    })),
    h("div", { class: "actions" }, yes, h("button", { "data-testid": "plan-step-cancel", onclick: cancel }, t("prep.step.cancel"))));
  queueMicrotask(() => yes.focus());
  return box;
}

/** A file chooser whose file is sent to the façade as bytes, with a busy state while it goes. */
function fileChooser(owner: "plan" | "finding", ownerId: string, testid: string, accept: string, hint: string, added: (a: AttachmentDto) => void): HTMLElement {
  const input = h("input", { type: "file", accept, "data-testid": testid, disabled: !!st.uploading, "aria-describedby": `${testid}-hint` });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (!file) return;
    void (async () => {
      st.uploading = `${file.name} (${formatSize(file.size)})`;
      st.message = "";
      st.error = "";
      renderDetail();
      const a = await run(async () => prepApi.attachBytes(owner, ownerId, file, await file.arrayBuffer(), operator()));
      st.uploading = "";
      if (a) {
        added(a);
        st.message = t("prep.attached", { name: a.file_name });
      }
      renderDetail();
    })();
  });
  return h("div", { class: "prep-upload" },
    h("label", {}, h("span", {}, t("prep.attach")), " ", input),
    st.uploading
      ? h("div", { class: "prep-busy", role: "status", "data-testid": "upload-busy" }, h("progress", {}), " ", t("prep.uploading", { name: st.uploading }))
      : null,
    h("div", { class: "secondary", id: `${testid}-hint` }, hint));
}

function formatSize(n: number): string {
  return n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

// ---- the new-plan form ---------------------------------------------------------------------

function openPlanForm(): void {
  st.draft = st.draft ?? emptyDraft();
  st.plan = null;
  st.pendingStep = null;
  st.message = "";
  st.error = "";
  renderContent();
  renderDetail();
  void searchSubjects(st.draft);
  queueMicrotask(() => (detail.querySelector("[data-testid=plan-form-kind]") as HTMLElement | null)?.focus());
}

let subjectSearch = 0;
async function searchSubjects(d: PlanDraft): Promise<void> {
  const n = ++subjectSearch;
  const options = await prepApi.planSubjects(d.plan.subject_kind, d.subjectText).catch((e: unknown) => {
    d.errorField = "subject_id";
    d.errorText = errorText(e);
    return [] as PlanSubjectDto[];
  });
  if (n !== subjectSearch || st.draft !== d) return;
  d.options = options;
  const list = detail.querySelector("[data-testid=plan-form-subjects]");
  if (list) list.replaceWith(subjectList(d));
}

function subjectList(d: PlanDraft): HTMLElement {
  const pick = (o: PlanSubjectDto) => {
    d.plan.subject_id = o.id;
    d.subjectName = o.name;
    if (d.errorField === "subject_id") { d.errorField = null; d.errorText = ""; }
    if (!d.plan.title.trim()) d.plan.title = t("prep.form.default_title", { name: o.name });
    renderDetail();
  };
  return h("ul", { class: "prep-options", role: "listbox", "aria-label": t("prep.form.subject"), "data-testid": "plan-form-subjects" },
    d.options.length === 0
      ? h("li", { class: "empty" }, t("prep.form.no_subjects"))
      : d.options.map((o) => h("li", {
          role: "option",
          tabindex: 0,
          "aria-selected": String(o.id === d.plan.subject_id),
          class: o.id === d.plan.subject_id ? "selected" : "",
          "data-id": o.id,
          onclick: () => pick(o),
          onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(o); } },
        },
          h("strong", {}, o.name),
          h("span", { class: "secondary" }, ` · ${o.region_name}${o.detail ? ` · ${d.plan.subject_kind === "water_source" ? vocab("target_kind", o.detail) : o.detail}` : ""}`))));
}

function planForm(d: PlanDraft): void {
  const p = d.plan;
  const bad = (f: string) => (d.errorField === f ? "true" : null);
  const note = (f: string) => (d.errorField === f ? h("div", { class: "prep-field-error", role: "alert", "data-testid": `plan-form-error-${f}` }, d.errorText) : null);
  const text = (key: keyof NewPlanDto, testid: string, type = "text") => h("input", {
    type, "data-testid": testid, value: (p[key] as string | undefined) ?? "", "aria-invalid": bad(key),
    oninput: (e: Event) => { (p[key] as string) = (e.target as HTMLInputElement).value; },
    onchange: (e: Event) => { (p[key] as string) = (e.target as HTMLInputElement).value; },
  });
  const kind = h("select", {
    "data-testid": "plan-form-kind",
    onchange: (e: Event) => {
      p.subject_kind = (e.target as HTMLSelectElement).value;
      p.subject_id = "";
      d.subjectName = "";
      d.options = [];
      renderDetail();
      void searchSubjects(d);
    },
  }, PLAN_KINDS.map((k) => h("option", { value: k, selected: p.subject_kind === k }, vocab("plan_subject", k))));
  const search = h("input", {
    type: "search", "data-testid": "plan-form-subject-search", value: d.subjectText, placeholder: t("prep.form.search"),
    "aria-invalid": bad("subject_id"),
    oninput: (e: Event) => { d.subjectText = (e.target as HTMLInputElement).value; void searchSubjects(d); },
  });
  const status = h("select", {
    "data-testid": "plan-form-status", "aria-invalid": bad("status"),
    onchange: (e: Event) => { p.status = (e.target as HTMLSelectElement).value; renderDetail(); },
  }, ["drafting", "under_review", "filed"].map((k) => h("option", { value: k, selected: p.status === k }, vocab("plan_status", k))));
  const save = async () => {
    if (st.uploading) return;
    d.errorField = null;
    d.errorText = "";
    const body: NewPlanDto = { ...p, issued_on: p.issued_on || undefined, filed_on: p.filed_on || undefined };
    try {
      const saved = await prepApi.addPlan(body);
      st.draft = null;
      st.plan = saved;
      st.message = t("prep.form.saved", { title: saved.title });
      await loadPlans();
      renderContent();
      renderDetail();
    } catch (e) {
      // The form keeps everything typed; the façade's message goes next to the field at fault.
      d.errorField = isApiError(e) ? e.field ?? "form" : "form";
      d.errorText = errorText(e);
      renderDetail();
      (detail.querySelector("[aria-invalid=true]") as HTMLElement | null)?.focus();
    }
  };
  const cancel = () => { st.draft = null; renderContent(); renderDetail(); };
  clear(detail,
    h("div", { class: "detail-head" },
      h("h2", {}, t("prep.new")),
      h("button", { class: "close", "aria-label": t("detail.close"), onclick: cancel }, "×")),
    statusBox(),
    h("form", { class: "prep-form", "data-testid": "plan-form", novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); void save(); } },
      field(t("prep.form.kind"), kind),
      h("div", { class: "model-field", role: "group", "aria-label": t("prep.form.subject") }, h("span", {}, t("prep.form.subject")), h("div", {},
        search,
        subjectList(d),
        h("div", { class: "prep-chosen", "data-testid": "plan-form-subject", title: p.subject_id || null },
          p.subject_id ? `${t("prep.form.chosen")}：${d.subjectName}` : t("prep.form.none_chosen")))),
      note("subject_id"), note("subject_kind"),
      field(t("prep.title"), text("title", "plan-form-title")), note("title"),
      field(t("prep.status"), status), note("status"),
      field(t("prep.issued_on"), text("issued_on", "plan-form-issued-on", "date")), note("issued_on"),
      field(t("prep.filed_on"), text("filed_on", "plan-form-filed-on", "date")), note("filed_on"),
      field(t("prep.filing_number"), text("filing_number", "plan-form-filing-number")),
      field(t("prep.owner_org"), text("owner_org", "plan-form-owner-org")),
      field(t("prep.form.contact_name"), text("contact_name", "plan-form-contact-name")),
      field(t("prep.form.contact_phone"), text("contact_phone", "plan-form-contact-phone", "tel")),
      d.errorField && !["subject_id", "subject_kind", "title", "status", "issued_on", "filed_on"].includes(d.errorField) ? note(d.errorField) : null,
      h("p", { class: "secondary" }, t(p.status === "filed" ? "prep.form.filed_needs" : "prep.form.dates_optional")),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "primary", "data-testid": "plan-form-save" }, t("prep.form.save")),
        h("button", { type: "button", onclick: cancel }, t("prep.step.cancel")))),
  );
}

function attachmentList(list: AttachmentDto[]): HTMLElement {
  const save = async (a: AttachmentDto) => {
    const path = await run(() => prepApi.saveAttachment(a.id));
    if (!path) return;
    st.message = t("prep.saved_to", { name: a.file_name, path });
    renderDetail();
  };
  return h("ul", { class: "prep-attachments", "data-testid": "attachments" }, list.map((a) =>
    h("li", { "data-id": a.id },
      h("span", { class: "prep-file-name" }, a.file_name),
      h("span", { class: "secondary" }, ` · ${formatSize(a.size_bytes)} · ${a.media_type.includes("word") ? "DOCX" : a.media_type.split("/")[1].toUpperCase()} · ${a.created_at.slice(0, 10)}${a.added_by ? ` · ${a.added_by}` : ""} `),
      h("button", { class: "link", "data-testid": "attachment-save", title: t("prep.save_download_hint"), onclick: () => void save(a) }, t("prep.save_download")))));
}

// ---- findings ------------------------------------------------------------------------------

async function loadFindings(): Promise<void> {
  const [list, regions] = await Promise.all([
    run(() => prepApi.findings({
      region_code: st.findingFilter.region || undefined,
      open_only: st.findingFilter.openOnly,
      overdue_only: st.findingFilter.overdueOnly,
    })),
    run(() => prepApi.findingsByRegion()),
  ]);
  st.findings = list ?? [];
  st.findingRegions = regions ?? [];
}

function findingRows(list: FindingDto[], showSource: boolean): HTMLElement {
  return h("table", { class: "grid rows", "data-testid": "finding-list" },
    h("thead", {}, h("tr", {}, [...(showSource ? ["findings.source"] : []), "findings.description", "findings.severity", "findings.deadline", "findings.status"].map((k) => h("th", {}, t(k))))),
    h("tbody", {}, list.map((f) => h("tr", {
      tabindex: 0,
      class: st.finding?.id === f.id ? "selected" : "",
      "data-testid": "finding-row",
      "data-id": f.id,
      onclick: () => { st.finding = f; st.message = ""; st.error = ""; st.recording = false; renderContent(); renderDetail(); },
      onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter") (e.currentTarget as HTMLElement).click(); },
    },
      showSource ? h("td", {}, f.risk_source_name, h("div", { class: "secondary" }, f.region_name)) : null,
      h("td", { class: "name" }, f.description, f.is_demo ? h("span", { class: "badge demo" }, t("demo.badge")) : null),
      h("td", { class: "nw" }, h("span", { class: `prep-sev ${f.severity}` }, vocab("severity", f.severity))),
      h("td", { class: "mono" }, f.deadline_on),
      h("td", { class: "nw" }, vocab("finding_status", f.status), f.overdue ? h("span", { class: "prep-state overdue", "data-state": "overdue" }, t("prep.days_over", { n: f.days_overdue ?? 0 })) : null)))));
}

function findingsView(): HTMLElement {
  return h("div", { class: "prep" },
    h("p", { class: "secondary" }, t("findings.rule")),
    h("h2", {}, t("findings.by_region")),
    h("div", { class: "prep-scroll" },
      h("table", { class: "grid numbers small", "data-testid": "finding-regions" },
        h("thead", {}, h("tr", {}, ["prep.region", "findings.open", "findings.overdue", "findings.major_overdue"].map((k) => h("th", {}, t(k))))),
        h("tbody", {}, st.findingRegions.map((r) => h("tr", {
          class: st.findingFilter.region === r.region_code ? "selected" : "",
          "data-region": r.region_code,
          onclick: () => { st.findingFilter.region = st.findingFilter.region === r.region_code ? "" : r.region_code; void load(); },
        },
          h("th", {}, r.region_name || r.region_code),
          h("td", {}, r.open),
          h("td", { class: r.overdue ? "prep-bad" : "" }, r.overdue),
          h("td", { class: r.major_overdue ? "prep-bad" : "" }, r.major_overdue)))))),
    h("div", { class: "filters" },
      h("label", {}, h("input", { type: "checkbox", "data-testid": "finding-open-only", checked: st.findingFilter.openOnly, onchange: (e: Event) => { st.findingFilter.openOnly = (e.target as HTMLInputElement).checked; void load(); } }), " ", t("findings.filter.open")),
      h("label", {}, h("input", { type: "checkbox", "data-testid": "finding-overdue-only", checked: st.findingFilter.overdueOnly, onchange: (e: Event) => { st.findingFilter.overdueOnly = (e.target as HTMLInputElement).checked; void load(); } }), " ", t("findings.filter.overdue")),
      st.findingFilter.region
        ? h("button", { class: "chip", onclick: () => { st.findingFilter.region = ""; void load(); } },
            `${st.findingRegions.find((r) => r.region_code === st.findingFilter.region)?.region_name ?? st.findingFilter.region} ×`)
        : null),
    h("div", { class: "count", "data-testid": "finding-count" }, t("findings.count", { n: st.findings.length })),
    st.findings.length === 0 ? h("p", { class: "empty" }, t("findings.none")) : findingRows(st.findings.slice(0, 300), true),
  );
}

function findingDetail(f: FindingDto): void {
  const note = h("textarea", { rows: 2, "data-testid": "finding-note" });
  const evidence = h("input", { type: "text", "data-testid": "finding-evidence" });
  const advance = async () => {
    if (!f.next_status) return;
    if (!operator()) { st.error = t("operator.missing"); renderDetail(); return; }
    const updated = await run(() => prepApi.advanceFinding(f.id, f.next_status!, operator(), note.value, evidence.value));
    if (!updated) return;
    st.finding = updated;
    st.message = `${vocab("finding_status", updated.status)}`;
    if (st.tab === "findings") await loadFindings();
    else if (st.cardSource) st.card = (await run(() => prepApi.planCard(st.cardSource!))) ?? st.card;
    renderContent();
    renderDetail();
  };
  clear(detail,
    h("div", { class: "detail-head" },
      h("h2", { "data-testid": "finding-title" }, f.description),
      h("button", { class: "close", "aria-label": t("detail.close"), onclick: () => { st.finding = null; renderContent(); renderDetail(); } }, "×")),
    h("div", { class: "detail-kind" },
      h("span", { class: `prep-sev ${f.severity}` }, vocab("severity", f.severity)), " ",
      h("span", { "data-testid": "finding-status", "data-status": f.status }, vocab("finding_status", f.status)),
      f.overdue ? h("span", { class: "prep-state overdue" }, t("prep.days_over", { n: f.days_overdue ?? 0 })) : null,
      f.is_demo ? h("span", { class: "badge demo" }, t("demo.badge")) : null),
    statusBox(),
    h("dl", {},
      h("dt", {}, t("findings.source")), h("dd", {}, f.risk_source_name),
      h("dt", {}, t("detail.region")), h("dd", {}, f.region_name),
      h("dt", {}, t("findings.inspected_on")), h("dd", { class: "mono" }, f.inspected_on),
      h("dt", {}, t("findings.deadline")), h("dd", { class: "mono" }, f.deadline_on),
      h("dt", {}, t("findings.owner")), h("dd", {}, f.owner),
      h("dt", {}, t("findings.evidence")), h("dd", {}, f.evidence || "—")),
    h("h3", {}, t("findings.events")),
    h("ol", { class: "prep-events", "data-testid": "finding-events" }, f.events.map((e) =>
      h("li", { "data-status": e.status },
        h("strong", {}, vocab("finding_status", e.status)), " ",
        h("span", { class: "mono secondary" }, e.recorded_at.slice(0, 16).replace("T", " ")), " · ", e.author,
        e.note ? h("div", {}, e.note) : null,
        e.evidence ? h("div", { class: "secondary" }, `${t("findings.evidence")}：${e.evidence}`) : null))),
    f.next_status
      ? h("fieldset", { class: "prep-form" }, h("legend", {}, `${t("findings.next")}：${vocab("finding_status", f.next_status)}`),
          field(t("operator"), operatorInput()),
          field(t("findings.note"), note),
          field(t("findings.evidence"), evidence),
          h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "finding-advance", onclick: () => void advance() }, vocab("finding_status", f.next_status))))
      : h("p", { class: "model-ok" }, t("findings.closed")),
    h("h3", {}, t("prep.attachments")),
    f.attachments.length === 0 ? h("p", { class: "empty" }, t("prep.no_attachments")) : attachmentList(f.attachments),
    fileChooser("finding", f.id, "finding-attach-file", ".pdf,.docx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", t("prep.attach_hint_finding"), (a) => {
      if (st.finding?.id === f.id) st.finding = { ...st.finding, attachments: [...st.finding.attachments, a] };
    }),
    h("p", { class: "secondary" }, t("prep.attach_local")),
  );
}

function recordForm(card: PlanCardDto): void {
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const date = h("input", { type: "date", "data-testid": "inspect-date", value: today });
  const inspectors = h("input", { type: "text", "data-testid": "inspect-inspectors" });
  const summary = h("input", { type: "text", "data-testid": "inspect-summary" });
  const description = h("textarea", { rows: 2, "data-testid": "inspect-description" });
  const severity = h("select", { "data-testid": "inspect-severity" }, ["general", "major"].map((s) => h("option", { value: s }, vocab("severity", s))));
  const deadline = h("input", { type: "date", "data-testid": "inspect-deadline" });
  const owner = h("input", { type: "text", "data-testid": "inspect-owner" });
  const evidence = h("input", { type: "text", "data-testid": "inspect-evidence" });
  const save = async () => {
    if (!operator()) { st.error = t("operator.missing"); renderDetail(); return; }
    const inspection: NewInspectionDto = {
      risk_source_id: card.risk_source_id,
      inspected_on: date.value,
      inspectors: inspectors.value,
      summary: summary.value,
      findings: [{ description: description.value, severity: severity.value, deadline_on: deadline.value, owner: owner.value, evidence: evidence.value }],
    };
    const done = await run(() => prepApi.recordInspection(inspection, operator()));
    if (!done) return;
    st.recording = false;
    st.message = t("findings.recorded", { n: done.finding_ids.length });
    st.card = (await run(() => prepApi.planCard(card.risk_source_id))) ?? st.card;
    const list = (await run(() => prepApi.findings({ risk_source_id: card.risk_source_id, open_only: false, overdue_only: false }))) ?? [];
    st.finding = list.find((f) => f.id === done.finding_ids[0]) ?? null;
    cardFindings = list;
    renderContent();
    renderDetail();
  };
  clear(detail,
    h("div", { class: "detail-head" },
      h("h2", {}, t("findings.record")),
      h("button", { class: "close", "aria-label": t("detail.close"), onclick: () => { st.recording = false; renderDetail(); } }, "×")),
    h("div", { class: "detail-kind" }, card.name),
    statusBox(),
    h("fieldset", { class: "prep-form", "data-testid": "inspect-form" },
      field(t("operator"), operatorInput()),
      field(t("findings.inspected_on"), date),
      field(t("findings.inspectors"), inspectors),
      field(t("findings.summary"), summary),
      field(t("findings.description"), description),
      field(t("findings.severity"), severity),
      field(t("findings.deadline"), deadline),
      field(t("findings.owner"), owner),
      field(t("findings.evidence"), evidence),
      h("div", { class: "actions" }, h("button", { class: "primary", "data-testid": "inspect-save", onclick: () => void save() }, t("findings.add")))),
    h("p", { class: "secondary" }, t("findings.rule")),
  );
}

// ---- the plan card -------------------------------------------------------------------------

let cardFindings: FindingDto[] = [];

function contactTable(title: string, list: CardContactDto[], testid: string): HTMLElement[] {
  return [
    h("h3", {}, title),
    list.length === 0
      ? h("p", { class: "empty" }, t("prep.card.none_near"))
      : h("table", { class: "grid small", "data-testid": testid }, h("tbody", {}, list.map((c) => h("tr", {},
          h("td", {}, c.name, h("div", { class: "secondary" }, c.detail)),
          h("td", {}, c.contact_name, " ", h("a", { href: `tel:${c.contact_phone}` }, c.contact_phone)),
          h("td", { class: "num" }, km(c.distance_m)))))),
  ];
}

function cardView(): HTMLElement {
  const c = st.card;
  if (!c) return h("p", { class: "empty" }, st.cardSource ? t("status.loading") : t("prep.card.pick"));
  const exportPdf = async () => {
    const path = await run(() => prepApi.planCardPdf(c.risk_source_id, null, zh() ? "zh" : "en"));
    if (!path) return;
    st.message = t("prep.card.pdf_done", { path });
    renderDetail();
  };
  const planLine = (title: string, p: PlanDto | null) => h("div", { class: "prep-plan-line" }, h("strong", {}, `${title}：`),
    p ? [p.title, " · ", vocab("plan_status", p.status), " · ", `${t("prep.due")} ${p.revision_due_on ?? "—"} `, stateBadge(p.revision_state, p.days_overdue)] : t("prep.card.no_plan"));
  const levels = ["enterprise", "park", "river"];
  const r = c.river;
  if (cardFindings.length === 0 || cardFindings[0].risk_source_id !== c.risk_source_id) {
    void prepApi.findings({ risk_source_id: c.risk_source_id, open_only: false, overdue_only: false }).then((list) => {
      cardFindings = list;
      if (list.length && st.tab === "card") renderContent();
    }).catch(() => undefined);
  }
  return h("article", { class: "prep-card", "data-testid": "plan-card" },
    h("header", { class: "prep-card-head" },
      h("div", {},
        h("h2", { "data-testid": "card-name" }, c.name, c.is_demo ? h("span", { class: "badge demo" }, t("demo.badge")) : null),
        h("div", { class: "secondary" }, `${vocab("risk_kind", c.kind)} · ${vocab("grade", c.grade)} · ${c.industry || "—"} · ${c.region_name} · ${c.address || "—"}`),
        h("div", { class: "secondary" }, t("prep.card.generated", { t: c.generated_at.slice(0, 16).replace("T", " ") }))),
      h("div", { class: "actions" },
        h("button", { class: "primary", "data-testid": "card-pdf", onclick: () => void exportPdf() }, t("prep.card.pdf")),
        h("button", { "data-testid": "card-record", onclick: () => { st.recording = true; st.finding = null; st.message = ""; st.error = ""; renderDetail(); } }, t("findings.record")),
        c.lat !== null && c.lon !== null && onShowOnMap ? h("button", { onclick: () => onShowOnMap!(c.lat!, c.lon!) }, t("map.show")) : null)),
    h("section", { "data-testid": "card-containment" },
      h("h3", {}, t("prep.card.containment")),
      h("div", { class: "prep-levels" }, c.containment.map((l, i) => h("div", { class: "prep-level", "data-level": levels[i] },
        h("h4", {}, t(`prep.card.level.${l.level}`)),
        h("ul", {}, (zh() ? l.steps_zh : l.steps_en).map((s) => h("li", {}, s))))))),
    h("section", {},
      h("h3", {}, t("prep.card.chemicals")),
      c.chemicals.length === 0 ? h("p", { class: "empty" }, t("prep.card.no_chemicals")) :
        h("table", { class: "grid small", "data-testid": "card-chemicals" },
          h("thead", {}, h("tr", {}, [t("chem.name"), "CAS / UN", t("prep.card.max"), t("prep.card.hazards"), t("prep.card.disposal")].map((k) => h("th", {}, k)))),
          h("tbody", {}, c.chemicals.map((x) => h("tr", {},
            h("td", {}, zh() ? x.name_zh : x.name_en || x.name_zh),
            h("td", { class: "mono" }, `${x.cas || "—"} / ${x.un_number || "—"}`),
            h("td", { class: "num" }, `${x.max_quantity_t} t`),
            x.in_library
              ? [h("td", {}, (zh() ? x.hazards_zh : x.hazards_en).join("；"), x.texts_verified ? null : h("div", { class: "chem-mark", title: t("prep.card.unverified") }, t("prep.card.unverified"))),
                 h("td", {}, (zh() ? x.disposal_zh : x.disposal_en).slice(0, 3).join("；"))]
              : h("td", { colspan: 2 }, t("prep.card.not_in_library")))))),
      c.more_chemicals > 0 ? h("p", { class: "secondary" }, t("prep.card.more_chemicals", { n: c.more_chemicals })) : null),
    h("section", { "data-testid": "card-river" },
      h("h3", {}, t("prep.card.river")),
      r
        ? [
            h("p", { class: "secondary" }, t("prep.card.scenario", { reach: r.reach_name, dist: km(r.snap_distance_m), kg: r.release_kg, thr: r.threshold_mg_l, model: r.model_version })),
            r.intakes.length === 0 ? h("p", { class: "empty" }, t("prep.card.no_intakes")) :
              h("table", { class: "grid small", "data-testid": "card-intakes" },
                h("thead", {}, h("tr", {}, [t("prep.card.intake"), t("prep.region"), t("prep.card.front"), t("prep.card.peak")].map((k) => h("th", {}, k)))),
                h("tbody", {}, r.intakes.map((i) => h("tr", {}, h("td", {}, i.name), h("td", {}, i.region_name), h("td", { class: "num" }, i.front_s === null ? `< ${r.threshold_mg_l} mg/L` : dur(i.front_s)), h("td", { class: "num" }, dur(i.peak_s)))))),
            r.works.length === 0 ? null :
              h("table", { class: "grid small", "data-testid": "card-works" },
                h("thead", {}, h("tr", {}, [t("prep.card.work"), t("prep.card.close_by"), t("prep.card.protects")].map((k) => h("th", {}, k)))),
                h("tbody", {}, r.works.map((w) => h("tr", {}, h("td", {}, w.name), h("td", { class: "num" }, dur(w.close_by_s)), h("td", {}, w.protects.join("、")))))),
          ]
        : h("p", { class: "empty" }, zh() ? c.river_unavailable_zh : c.river_unavailable_en)),
    h("section", { class: "prep-contacts" },
      h("h3", {}, t("prep.card.contacts")),
      contactTable(t("prep.card.teams"), c.teams, "card-teams"),
      contactTable(t("prep.card.experts"), c.experts, "card-experts"),
      contactTable(t("prep.card.stockpiles"), c.stockpiles, "card-stockpiles")),
    h("section", {},
      h("h3", {}, t("prep.card.plans")),
      c.park ? h("div", { class: "prep-plan-line" }, h("strong", {}, `${t("prep.card.park")}：`), `${c.park.name} · ${c.park.contact_name} ${c.park.contact_phone}`) : null,
      planLine(t("prep.card.own_plan"), c.plan),
      c.park ? planLine(t("prep.card.park_plan"), c.park_plan) : null,
      h("p", { "data-testid": "card-findings" }, t("prep.card.findings", { open: c.open_findings, overdue: c.overdue_findings })),
      cardFindings.length && cardFindings[0].risk_source_id === c.risk_source_id ? findingRows(cardFindings, false) : null),
  );
}

// ---- cases ---------------------------------------------------------------------------------

function casesView(): HTMLElement {
  return h("div", { class: "prep" },
    h("h2", {}, t("cases.title")),
    st.cases.length === 0 ? h("p", { class: "empty" }, t("cases.none")) :
      h("table", { class: "grid rows", "data-testid": "case-list" },
        h("tbody", {}, st.cases.map((c) => h("tr", {
          tabindex: 0,
          class: st.caseDetail?.summary.id === c.id ? "selected" : "",
          "data-testid": "case-row",
          "data-id": c.id,
          onclick: async () => { const d = await run(() => prepApi.case(c.id)); if (d) { st.caseDetail = d; renderContent(); renderDetail(); } },
          onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter") (e.currentTarget as HTMLElement).click(); },
        },
          h("td", { class: "mono" }, c.occurred_on),
          h("td", { class: "name" }, zh() ? c.title_zh : c.title_en,
            h("div", { class: "secondary" }, c.place_zh),
            h("div", { class: "secondary" }, [
              c.incident_types.map((x) => vocab("incident_type", x)).join("、"),
              c.pollutants.map((p) => (zh() ? p.name_zh : p.name_en)).join("、"),
            ].join(" · "))))))),
  );
}

function caseDetail(c: CaseDto): void {
  const list = (items: string[]) => h("ul", {}, items.map((x) => h("li", {}, x)));
  clear(detail,
    h("div", { class: "detail-head" },
      h("h2", { "data-testid": "case-title" }, zh() ? c.summary.title_zh : c.summary.title_en),
      h("button", { class: "close", "aria-label": t("detail.close"), onclick: () => { st.caseDetail = null; renderContent(); renderDetail(); } }, "×")),
    h("div", { class: "detail-kind" }, `${c.summary.occurred_on} · ${c.summary.place_zh}`),
    h("h3", {}, t("cases.summary")), h("p", {}, zh() ? c.summary_zh : c.summary_en),
    h("h3", {}, t("cases.pollutants")), h("p", {}, c.summary.pollutants.map((p) => `${zh() ? p.name_zh : p.name_en}${p.cas ? ` (CAS ${p.cas})` : ""}`).join("、")),
    h("h3", {}, t("cases.timeline")),
    h("ol", { class: "prep-events" }, c.timeline.map((e) => h("li", {}, h("strong", { class: "mono" }, e.when), " ", zh() ? e.zh : e.en))),
    h("h3", {}, t("cases.actions")), list(zh() ? c.actions_zh : c.actions_en),
    h("h3", {}, t("cases.lessons")), list(zh() ? c.lessons_zh : c.lessons_en),
    h("h3", {}, t("cases.source")), h("p", { "data-testid": "case-source" }, c.source),
    c.verified ? null : h("p", { class: "chem-mark" }, t("cases.unverified")),
  );
}
