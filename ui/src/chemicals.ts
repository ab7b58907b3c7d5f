// The chemical and disposal library screen: search (Chinese, pinyin, English, CAS, UN), list and
// detail. Every number and text comes from the Rust façade (chemical_search / chemical); this
// file only lays them out, with the source and the "not verified" mark of each.
import { api, isApiError } from "./api";
import type { ChemicalDto } from "./bindings/ChemicalDto";
import type { ChemicalSummaryDto } from "./bindings/ChemicalSummaryDto";
import { clear, h } from "./dom";
import { lang } from "./i18n";

const TEXT = {
  zh: {
    title: "化学品与处置库",
    search: "搜索化学品：中文名、拼音、英文名、CAS 号或 UN 号",
    count: "{n} 种",
    none: "没有匹配的化学品",
    name: "名称",
    cas: "CAS 号",
    un: "UN 号",
    mw: "摩尔质量 (g/mol)",
    props: "理化性质（25 °C）",
    density: "液体密度",
    vp: "蒸气压",
    bp: "常压沸点",
    gas: "蒸气比空气",
    heavier: "重（沿低洼处积聚）",
    lighter: "轻",
    levels: "关注浓度（ppm）",
    occupational: "职业接触限值",
    gb: "GB 3838-2002 限值",
    gbNone: "GB 3838-2002 无对应项目",
    hazards: "危害",
    disposal: "处置措施",
    sources: "来源",
    unverified: "未核实",
    unverifiedTitle: "手工录入，尚未与原始标准/表格核对，使用前请核实",
    verified: "已核实",
    noLevels: "库中没有该物质的 AEGL/ERPG 值",
    close: "关闭",
    select: "从左侧列表选择一种化学品",
  },
  en: {
    title: "Chemical & disposal library",
    search: "Search chemicals: Chinese or English name, pinyin, CAS or UN number",
    count: "{n} chemicals",
    none: "No chemical matches",
    name: "Name",
    cas: "CAS",
    un: "UN",
    mw: "Molar mass (g/mol)",
    props: "Properties (25 °C)",
    density: "Liquid density",
    vp: "Vapour pressure",
    bp: "Normal boiling point",
    gas: "Vapour is",
    heavier: "heavier than air (collects in low ground)",
    lighter: "lighter than air",
    levels: "Levels of concern (ppm)",
    occupational: "Occupational limits",
    gb: "GB 3838-2002 limit",
    gbNone: "No GB 3838-2002 item",
    hazards: "Hazards",
    disposal: "Disposal",
    sources: "Sources",
    unverified: "not verified",
    unverifiedTitle: "Entered by hand, not yet checked against the published standard or table: verify before use",
    verified: "verified",
    noLevels: "The library has no AEGL/ERPG values for this substance",
    close: "Close",
    select: "Pick a chemical from the list",
  },
};

function tx(key: keyof typeof TEXT.zh, n?: number): string {
  const s = TEXT[lang() === "en" ? "en" : "zh"][key];
  return n === undefined ? s : s.replace("{n}", String(n));
}

const lib = {
  text: "",
  hits: [] as ChemicalSummaryDto[],
  selected: null as ChemicalDto | null,
  error: "",
};

let timer = 0;

function mark(verified: boolean, source: string): HTMLElement {
  return verified
    ? h("span", { class: "chem-mark ok", title: source }, tx("verified"))
    : h("span", { class: "chem-mark unverified", "data-testid": "chem-unverified", title: `${tx("unverifiedTitle")} — ${source}` }, tx("unverified"));
}

function fmt(v: number | null, unit: string, digits = 4): string {
  if (v === null) return "—";
  return `${Number(v.toPrecision(digits))} ${unit}`;
}

async function search(content: HTMLElement, detail: HTMLElement): Promise<void> {
  try {
    lib.hits = await api.chemicalSearch(lib.text, 200);
    lib.error = "";
  } catch (e) {
    lib.error = isApiError(e) ? (lang() === "en" ? e.message_en : e.message_zh) : String(e);
  }
  renderList(content, detail);
}

function renderList(content: HTMLElement, detail: HTMLElement): void {
  const list = content.querySelector("#chem-list");
  if (!list) return;
  clear(
    list as HTMLElement,
    lib.error ? h("p", { class: "error-inline", role: "alert" }, lib.error) : null,
    h("div", { class: "count", "data-testid": "chem-count" }, tx("count", lib.hits.length)),
    lib.hits.length === 0
      ? h("p", { class: "empty" }, tx("none"))
      : h("table", { class: "grid rows" },
          h("thead", {}, h("tr", {}, h("th", {}, tx("name")), h("th", {}, tx("cas")), h("th", {}, tx("un")), h("th", {}, tx("mw")))),
          h("tbody", {}, lib.hits.map((c) =>
            h("tr", {
              tabindex: 0,
              class: lib.selected?.cas === c.cas ? "selected" : "",
              "data-testid": "chem-row",
              "data-cas": c.cas,
              onclick: () => void openChemical(c.cas, detail, content),
              onkeydown: (e: KeyboardEvent) => { if (e.key === "Enter") void openChemical(c.cas, detail, content); },
            },
              h("td", { class: "name" }, c.name_zh, h("div", { class: "secondary" }, c.name_en)),
              h("td", { class: "mono" }, c.cas),
              h("td", { class: "mono" }, c.un_number),
              h("td", { class: "num" }, c.molar_mass_g_mol.toFixed(2)))))),
  );
}

/** The library screen in `content`; the chemical's detail goes to `detail`. */
export async function renderChemicals(content: HTMLElement, detail: HTMLElement): Promise<void> {
  const box = h("input", {
    type: "search",
    class: "filter-text",
    "data-testid": "chem-search",
    placeholder: tx("search"),
    value: lib.text,
    oninput: (e: Event) => {
      lib.text = (e.target as HTMLInputElement).value;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void search(content, detail), 150);
    },
  });
  clear(content, h("h1", {}, tx("title")), h("div", { class: "filters" }, box), h("div", { class: "list", id: "chem-list" }));
  if (lib.selected) renderChemical(detail, content);
  else clear(detail, h("p", { class: "empty" }, tx("select")));
  await search(content, detail);
  box.focus();
}

/** Opens one chemical's page (from the list, the global search or a risk source). */
export async function openChemical(cas: string, detail: HTMLElement, content: HTMLElement | null = null): Promise<void> {
  try {
    lib.selected = await api.chemical(cas);
  } catch (e) {
    const msg = isApiError(e) ? (lang() === "en" ? e.message_en : e.message_zh) : String(e);
    clear(detail, h("p", { class: "error-inline", role: "alert" }, msg));
    return;
  }
  renderChemical(detail, content);
  if (content) renderList(content, detail);
}

function renderChemical(detail: HTMLElement, content: HTMLElement | null): void {
  const c = lib.selected;
  if (!c) return;
  const en = lang() === "en";
  const propSource = (p: string) => c.property_sources.find((s) => s.property === p)?.source ?? "";
  const prop = (label: string, value: string, p: string) => [
    h("dt", {}, label),
    h("dd", { "data-field": p }, value, value !== "—" ? h("div", { class: "chem-source" }, propSource(p)) : null),
  ];
  clear(
    detail,
    h("div", { class: "detail-head" },
      h("h2", { "data-testid": "chem-name" }, en ? c.name_en : c.name_zh),
      h("button", {
        class: "close", title: tx("close"), "aria-label": tx("close"),
        onclick: () => { lib.selected = null; clear(detail, h("p", { class: "empty" }, tx("select"))); if (content) renderList(content, detail); },
      }, "×")),
    h("div", { class: "detail-kind" }, en ? c.name_zh : c.name_en),
    h("dl", { "data-testid": "chem-ids" },
      h("dt", {}, tx("cas")), h("dd", { class: "mono", "data-testid": "chem-cas" }, c.cas),
      h("dt", {}, tx("un")), h("dd", { class: "mono" }, c.un_number ? `UN${c.un_number}` : "—")),
    h("h3", {}, tx("props")),
    h("dl", { "data-testid": "chem-props" },
      prop(tx("mw"), c.molar_mass_g_mol.toFixed(3), "molar_mass_g_mol"),
      prop(tx("density"), fmt(c.density_kg_m3, "kg/m³"), "density_kg_m3"),
      prop(tx("vp"), c.vapor_pressure_pa === null ? "—" : `${fmt(c.vapor_pressure_pa / 1000, "kPa")}`, "vapor_pressure_pa"),
      prop(tx("bp"), c.boiling_point_k === null ? "—" : `${fmt(c.boiling_point_k, "K")} (${(c.boiling_point_k - 273.15).toFixed(1)} °C)`, "boiling_point_k"),
      h("dt", {}, tx("gas")), h("dd", {}, c.gas_denser_than_air ? tx("heavier") : tx("lighter"))),
    h("h3", {}, tx("levels")),
    c.levels.length
      ? h("table", { class: "grid small", "data-testid": "chem-levels" },
          h("tbody", {}, c.levels.map((l) =>
            h("tr", {}, h("td", {}, l.name), h("td", { class: "num" }, `${l.ppm} ppm`), h("td", {}, mark(l.verified, l.source))))))
      : h("p", { class: "secondary" }, tx("noLevels")),
    c.occupational_limits.length
      ? [h("h3", {}, tx("occupational")), h("table", { class: "grid small" },
          h("tbody", {}, c.occupational_limits.map((l) =>
            h("tr", { title: l.source }, h("td", {}, l.name), h("td", { class: "num" }, `${l.value} ${l.unit}`)))))]
      : null,
    h("h3", {}, tx("gb")),
    c.gb3838_limit_mg_l !== null
      ? h("p", { "data-testid": "chem-gb3838" }, h("strong", {}, `${c.gb3838_limit_mg_l} mg/L`), " — ", c.gb3838_item ?? "", " ",
          mark(c.gb3838_verified, c.gb3838_source ?? ""))
      : h("p", { class: "secondary" }, tx("gbNone")),
    h("h3", {}, tx("hazards"), " ", mark(c.hazards_verified, c.hazards_source)),
    h("ul", { class: "chem-texts" }, (en ? c.hazards_en : c.hazards_zh).map((s) => h("li", {}, s))),
    h("h3", {}, tx("disposal"), " ", mark(c.disposal_verified, c.disposal_source)),
    h("div", { class: "secondary" }, en ? c.disposal_class_en : c.disposal_class_zh),
    h("ul", { class: "chem-texts", "data-testid": "chem-disposal" },
      (en ? c.disposal_en : c.disposal_zh).map((s) => h("li", { class: /^(禁止|Do NOT)/.test(s) ? "dont" : "" }, s))),
    h("h3", {}, tx("sources")),
    h("ul", { class: "chem-sources" }, c.sources.map((s) => h("li", {}, s))),
  );
}
