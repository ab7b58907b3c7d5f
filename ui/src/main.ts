// The console's window: start page, resource panels with filters and details, one search box.
// Everything shown comes from the Rust commands in ./api.ts; this file only renders.
import { mark, marks } from "./startup";
import "./style.css";
import { api, isApiError } from "./api";
import type { Overview } from "./bindings/Overview";
import type { RegionDto } from "./bindings/RegionDto";
import type { ResourceDetail } from "./bindings/ResourceDetail";
import type { ResourceKind } from "./bindings/ResourceKind";
import type { ResourceRow } from "./bindings/ResourceRow";
import type { SearchHitDto } from "./bindings/SearchHitDto";
import type { StockHitDto } from "./bindings/StockHitDto";
import type { SubtypeCount } from "./bindings/SubtypeCount";
import type { NearResult } from "./bindings/NearResult";
import { openChemical, renderChemicals } from "./chemicals";
import { clear, h } from "./dom";
import { lang, setLang, t, vocab } from "./i18n";
import type { MapPackDto } from "./bindings/MapPackDto";
import { BLANK_STYLE, COLOURS, LAYER_GROUPS, type LayerGroup, loadBaseStyle, OneMap } from "./map";
import { type ModelOrigin, ModelPanel } from "./model";
import { SyncView } from "./sync";
import { type AlarmOrigin, IncidentView } from "./incident";
import { openPlanCard, renderPrep } from "./prep";
import { DrillView } from "./drill";

type View = "overview" | "map" | "incidents" | "chemicals" | "prep" | "drill" | ResourceKind;
const PANELS: ResourceKind[] = ["team", "expert", "warehouse", "stock_item", "risk_source", "target"];
const PAGE = 50;
const SUBTYPE_VOCAB: Partial<Record<ResourceKind, string>> = {
  stock_item: "stock_category",
  risk_source: "risk_kind",
  target: "target_kind",
};

const state = {
  view: "overview" as View,
  overview: null as Overview | null,
  regions: [] as RegionDto[],
  filter: { text: "", region: "", subtype: "" },
  subtypes: [] as SubtypeCount[],
  rows: [] as ResourceRow[],
  total: 0,
  selected: null as { kind: ResourceKind; id: string } | null,
  detail: null as ResourceDetail | null,
  hits: [] as SearchHitDto[],
  hitIndex: -1,
  near: null as NearResult | null,
  radiusKm: 5,
  stockItem: "活性炭",
  stockN: 5,
  stockHits: null as StockHitDto[] | null,
  packs: [] as MapPackDto[],
  baseMissing: false,
};

let oneMap: OneMap | null = null;
const mapEl = h("div", { class: "map", id: "map", "data-testid": "map" });

const root = document.getElementById("app")!;
const els = {
  header: h("header", { class: "top" }),
  banner: h("div", { class: "demo-banner", role: "note", hidden: true }),
  nav: h("nav", { class: "nav", "aria-label": "panels" }),
  content: h("main", { class: "content", id: "content" }),
  detail: h("aside", { class: "detail", id: "detail", "aria-live": "polite" }),
  footer: h("footer", { class: "footer" }),
  error: h("div", { class: "error", role: "alert", hidden: true }),
  searchBox: h("input", {
    type: "search",
    id: "global-search",
    "data-testid": "global-search",
    autocomplete: "off",
    spellcheck: "false",
  }),
  searchResults: h("ul", { class: "search-results", "data-testid": "search-results", role: "listbox", hidden: true }),
};

const model = new ModelPanel(els.detail, {
  map: () => oneMap?.map ?? null,
  closed: () => { document.querySelector(".body")?.classList.remove("modelling"); oneMap?.resize(); renderDetail(); },
});
// Drills: the banner on every screen while the database is a drill, the drill page.
const drill = new DrillView({
  switched: async () => {
    // Another database is open now (a drill started or left): reload what the window shows.
    const [overview, regions] = await Promise.all([guarded(() => api.overview()), guarded(() => api.regions())]);
    state.overview = overview ?? null;
    state.regions = regions ?? [];
    await drill.refresh();
    if (oneMap) {
      const data = await guarded(() => api.mapData());
      if (data) await oneMap.setData(data);
    }
    state.view = "drill";
    renderAll();
  },
  showError: (e) => showError(e),
  pageOpen: () => state.view === "drill",
});
// Sync status in the footer, the sync panel in the detail column.
// (The open panel is redrawn only when nothing in it has the focus: a note being typed stays.)
const sync = new SyncView(() => {
  renderFooter();
  if (sync.open && !els.detail.contains(document.activeElement)) renderDetail();
}, els.detail);

// Incident command (事件): its own view; the map's layer follows every change made there.
const incidents = new IncidentView(els.content, els.detail, {
  showError: (e) => showError(e),
  showOnMap: (lat, lon) => showOnMap(lat, lon),
  changed: async () => {
    if (!oneMap) return;
    const data = await guarded(() => api.mapData());
    if (data) await oneMap.setData(data);
  },
});

/** Starts an alarm in the incidents view, from the map or a risk source. */
async function openAlarm(origin: AlarmOrigin): Promise<void> {
  state.near = null;
  await openView("incidents");
  await incidents.startAlarm(origin);
}

/** Opens the model panel beside the map, at a point or a risk source. */
async function openModel(origin: ModelOrigin): Promise<void> {
  if (state.view !== "map") await openView("map");
  await oneMap?.whenReady();
  document.querySelector(".body")?.classList.add("modelling");
  oneMap?.resize();
  await model.open(origin);
}

function showError(e: unknown): void {
  const message = isApiError(e) ? (lang() === "en" ? e.message_en : e.message_zh) : String(e);
  clear(
    els.error,
    h("strong", {}, t("error.title")),
    h("pre", {}, message),
    h("button", { onclick: () => (els.error.hidden = true) }, t("error.dismiss")),
  );
  els.error.hidden = false;
}

async function guarded<T>(f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    showError(e);
    return undefined;
  }
}

function regionLabel(code: string, name: string): string {
  return name || code;
}

// ---- header, nav, footer -----------------------------------------------------------------

function renderHeader(): void {
  els.searchBox.placeholder = t("search.placeholder");
  clear(
    els.header,
    h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true" }, "应"), h("div", {},
      h("div", { class: "title" }, t("app.title")),
      h("div", { class: "subtitle" }, t("app.subtitle")))),
    h("div", { class: "search" }, els.searchBox, els.searchResults),
    state.overview?.dataset.is_demo ? h("span", { class: "badge demo", "data-testid": "demo-badge" }, t("demo.badge")) : null,
    h("button", { class: "lang", "data-testid": "lang-switch", onclick: () => switchLang() }, t("lang.switch")),
  );
  els.banner.textContent = t("demo.banner");
  els.banner.hidden = !state.overview?.dataset.is_demo;
}

/** The views in the navigation bar, in order; Alt+1 … Alt+9, Alt+0 open the first ten. */
const NAV_VIEWS: View[] = ["overview", "map", "incidents", ...PANELS, "chemicals", "prep", "drill"];
/** A list of records (teams, experts …), as opposed to the map, the incident, library and drill pages. */
const PAGES = ["overview", "map", "incidents", "chemicals", "prep", "drill"] as const;
function isResourceView(v: View): v is ResourceKind {
  return !(PAGES as readonly string[]).includes(v);
}
const navKey = (i: number): string | null => (i < 9 ? String(i + 1) : i === 9 ? "0" : null);

function renderNav(): void {
  const views = NAV_VIEWS;
  clear(
    els.nav,
    views.map((v, i) =>
      h(
        "button",
        {
          class: state.view === v ? "active" : "",
          "data-testid": `nav-${v}`,
          title: navKey(i) ? `Alt+${navKey(i)}` : undefined,
          onclick: () => void openView(v),
        },
        t(`nav.${v}`),
        isResourceView(v) && state.overview
          ? h("span", { class: "count" }, state.overview.totals.find((c) => c.kind === v)?.count ?? "")
          : null,
      ),
    ),
  );
}

function renderFooter(): void {
  const d = state.overview?.dataset;
  clear(els.footer, sync.badge(), h("span", { class: "footer-db" }, d ? `${t("footer.db")}: ${d.path} · ${t("footer.schema")} ${d.schema_version}` : ""));
}

function switchLang(): void {
  setLang(lang() === "zh" ? "en" : "zh");
  renderAll();
}

// ---- overview ----------------------------------------------------------------------------

function renderOverview(): void {
  const o = state.overview;
  if (!o) return;
  const cols: [string, (c: Overview["cities"][number]) => number][] = [
    ["overview.teams", (c) => c.teams],
    ["overview.experts", (c) => c.experts],
    ["overview.warehouses", (c) => c.warehouses],
    ["overview.stock_items", (c) => c.stock_items],
    ["overview.risk_sources", (c) => c.risk_sources],
    ["overview.major", (c) => c.major_risk_sources],
    ["overview.targets", (c) => c.targets],
    ["overview.intakes", (c) => c.intakes],
  ];
  const cityName = (c: Overview["cities"][number]) =>
    c.code.endsWith("0000") ? t("overview.province_level") : lang() === "en" ? c.name_pinyin.replace(/ Shi$/, "") : c.name_zh;
  clear(
    els.content,
    h("h1", {}, t("overview.title")),
    h(
      "div",
      { class: "cards" },
      o.totals.map((k) =>
        h("button", { class: "card", "data-testid": `card-${k.kind}`, onclick: () => void openView(k.kind) },
          h("div", { class: "num" }, k.count.toLocaleString()),
          h("div", { class: "label" }, t(`nav.${k.kind}`))),
      ),
    ),
    h("h2", {}, t("overview.by_city")),
    h(
      "table",
      { class: "grid numbers", "data-testid": "city-table" },
      h("thead", {}, h("tr", {}, h("th", {}, t("overview.city")), cols.map(([k]) => h("th", {}, t(k))))),
      h(
        "tbody",
        {},
        o.cities.map((c) =>
          h("tr", { "data-code": c.code },
            h("th", {}, h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); state.filter.region = c.code; void openView("team"); } }, cityName(c))),
            cols.map(([, f]) => h("td", {}, f(c)))),
        ),
      ),
      h("tfoot", {}, h("tr", {}, h("th", {}, t("overview.total")),
        cols.map(([, f]) => h("td", {}, o.cities.reduce((s, c) => s + f(c), 0))))),
    ),
  );
}

// ---- resource panels ---------------------------------------------------------------------

async function loadRows(append: boolean): Promise<void> {
  if (!isResourceView(state.view)) return;
  const kind = state.view;
  const page = await guarded(() =>
    api.listResources({
      kind,
      text: state.filter.text || undefined,
      region_code: state.filter.region || undefined,
      subtype: state.filter.subtype || undefined,
      offset: append ? state.rows.length : 0,
      limit: PAGE,
    }),
  );
  if (!page || state.view !== kind) return;
  state.rows = append ? [...state.rows, ...page.items] : page.items;
  state.total = page.total;
  renderList();
}

function regionOptions(): HTMLOptionElement[] {
  const out = [h("option", { value: "" }, t("filter.all_regions"))];
  for (const city of state.regions.filter((r) => r.level === "city")) {
    out.push(h("option", { value: city.code, selected: state.filter.region === city.code }, city.name_zh));
    for (const county of state.regions.filter((r) => r.parent_code === city.code)) {
      out.push(h("option", { value: county.code, selected: state.filter.region === county.code }, `　${county.name_zh}`));
    }
  }
  return out;
}

let filterTimer: number | undefined;

function renderPanel(): void {
  if (!isResourceView(state.view)) return;
  const kind = state.view;
  const vocabName = SUBTYPE_VOCAB[kind];
  const text = h("input", {
    type: "search",
    class: "filter-text",
    "data-testid": "filter-text",
    placeholder: t("filter.text"),
    value: state.filter.text,
    oninput: (e: Event) => {
      state.filter.text = (e.target as HTMLInputElement).value;
      window.clearTimeout(filterTimer);
      filterTimer = window.setTimeout(() => void loadRows(false), 150);
    },
  });
  const region = h("select", {
    "data-testid": "filter-region",
    onchange: (e: Event) => {
      state.filter.region = (e.target as HTMLSelectElement).value;
      void loadRows(false);
    },
  }, regionOptions());
  const subtype = h("select", {
    "data-testid": "filter-subtype",
    onchange: (e: Event) => {
      state.filter.subtype = (e.target as HTMLSelectElement).value;
      void loadRows(false);
    },
  },
    h("option", { value: "" }, t("filter.all_types")),
    state.subtypes.map((s) => h("option", { value: s.value, selected: state.filter.subtype === s.value }, `${vocab(vocabName, s.value)} (${s.count})`)),
  );
  clear(
    els.content,
    h("h1", {}, t(`nav.${kind}`)),
    h("div", { class: "filters" }, text, region, subtype),
    h("div", { class: "list", id: "list" }),
  );
  renderList();
}

function renderList(): void {
  const list = document.getElementById("list");
  if (!list || !isResourceView(state.view)) return;
  const kind = state.view;
  const vocabName = SUBTYPE_VOCAB[kind];
  const showQty = kind === "stock_item";
  const rows = state.rows.map((r, i) =>
    h(
      "tr",
      {
        tabindex: 0,
        class: state.selected?.id === r.id ? "selected" : "",
        "data-testid": "result-row",
        "data-id": r.id,
        onclick: () => void select(kind, r.id),
        onkeydown: (e: KeyboardEvent) => rowKey(e, i),
      },
      h("td", { class: "name" }, r.name, r.grade ? h("span", { class: `grade ${r.grade}` }, vocab("grade", r.grade)) : null),
      h("td", {}, vocab(vocabName, r.subtype)),
      h("td", { class: "secondary" }, r.secondary),
      showQty ? h("td", { class: "num" }, r.quantity !== null ? `${r.quantity} ${r.unit ?? ""}` : "") : null,
      h("td", {}, regionLabel(r.region_code, r.region_name)),
    ),
  );
  clear(
    list,
    h("div", { class: "count", "data-testid": "result-count" }, t("filter.count", { n: state.total })),
    state.rows.length === 0
      ? h("p", { class: "empty" }, t("filter.none"))
      : h("table", { class: "grid rows" },
          h("thead", {}, h("tr", {}, h("th", {}, t("list.name")), h("th", {}, t("list.type")), h("th", {}, t("list.detail")),
            showQty ? h("th", {}, t("list.quantity")) : null, h("th", {}, t("list.region")))),
          h("tbody", {}, rows)),
    state.rows.length < state.total ? h("button", { class: "more", onclick: () => void loadRows(true) }, t("filter.more")) : null,
  );
}

function rowKey(e: KeyboardEvent, i: number): void {
  const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>("#list tbody tr"));
  if (e.key === "ArrowDown" && rows[i + 1]) { rows[i + 1].focus(); e.preventDefault(); }
  if (e.key === "ArrowUp" && rows[i - 1]) { rows[i - 1].focus(); e.preventDefault(); }
  if (e.key === "Enter") rows[i]?.click();
}

async function openView(v: View): Promise<void> {
  if (v !== state.view) {
    state.filter.text = "";
    state.filter.subtype = "";
    state.rows = [];
    state.total = 0;
  }
  state.view = v;
  renderNav();
  if (v !== "chemicals" && v !== "incidents" && v !== "prep") renderDetail(); // these views draw the side panel themselves
  els.content.classList.toggle("content-map", v === "map");
  if (v === "overview") {
    renderOverview();
    return;
  }
  if (v === "map") {
    await renderMap();
    return;
  }
  if (v === "incidents") {
    await incidents.show();
    return;
  }
  if (v === "chemicals") {
    state.detail = null;
    await renderChemicals(els.content, els.detail);
    return;
  }
  if (v === "prep") {
    state.detail = null;
    await renderPrep(els.content, els.detail, (lat, lon) => void showOnMap(lat, lon));
    return;
  }
  if (v === "drill") {
    await drill.renderPage(els.content);
    return;
  }
  state.subtypes = (await guarded(() => api.subtypes(v))) ?? [];
  renderPanel();
  await loadRows(false);
}

// ---- detail ------------------------------------------------------------------------------

async function select(kind: ResourceKind, id: string): Promise<void> {
  state.selected = { kind, id };
  state.near = null;
  const d = await guarded(() => api.resourceDetail(kind, id));
  if (!d) return;
  state.detail = d;
  renderList();
  renderDetail();
}

function renderDetail(): void {
  if (sync.open) {
    sync.render(() => { sync.close(); renderDetail(); });
    return;
  }
  if (model.active) {
    model.render();
    return;
  }
  if (state.near) {
    renderNear(state.near);
    return;
  }
  const d = state.detail;
  if (!d) {
    clear(els.detail, h("p", { class: "empty" }, t("detail.empty")));
    return;
  }
  const source = d.data_source === "demo" || d.data_source === "reference" ? t(`source.${d.data_source}`) : d.data_source;
  clear(
    els.detail,
    h("div", { class: "detail-head" },
      h("h2", { "data-testid": "detail-name" }, d.name),
      h("button", { class: "close", title: t("detail.close"), "aria-label": t("detail.close"), onclick: closeDetail }, "×")),
    h("div", { class: "detail-kind" }, t(`kind.${d.kind}`), d.is_demo ? h("span", { class: "badge demo" }, t("demo.badge")) : null),
    h("dl", { "data-testid": "detail-fields" },
      d.fields.map((f) => [
        h("dt", {}, t(`field.${f.key}`)),
        h("dd", { "data-field": f.key }, f.key === "contact_phone" ? h("a", { href: `tel:${f.value}` }, f.value) : vocab(f.vocab, f.value)),
      ]),
      h("dt", {}, t("detail.region")), h("dd", {}, d.region_name || d.region_code),
      d.lat !== null && d.lon !== null ? [h("dt", {}, t("detail.position")), h("dd", { class: "mono" }, `${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}`)] : null,
      h("dt", {}, t("detail.source")), h("dd", {}, source),
    ),
    d.lat !== null && d.lon !== null
      ? h("div", { class: "actions" },
          h("button", { "data-testid": "detail-nearby", onclick: () => void runNear(d.lat!, d.lon!) }, t("near.around", { km: state.radiusKm })),
          d.kind === "risk_source"
            ? h("button", { "data-testid": "detail-plan-card", onclick: () => void openCard(d.id) }, t("prep.card.open"))
            : null,
          d.kind === "risk_source"
            ? h("button", { "data-testid": "detail-model", onclick: () => void openModel({ lat: d.lat!, lon: d.lon!, place: d.name, regionCode: d.region_code, chemicals: d.chemicals.map((c) => ({ name: c.name_zh, cas: c.cas })) }) }, t("model.open"))
            : null,
          d.kind === "risk_source"
            ? h("button", { "data-testid": "detail-alarm", onclick: () => void openAlarm({ lat: d.lat!, lon: d.lon!, riskSourceId: d.id, regionCode: d.region_code, place: d.name, chemicals: d.chemicals.map((c) => ({ name: c.name_zh, cas: c.cas })) }) }, t("inc.alarm.at_risk"))
            : null,
          state.view === "map" ? null : h("button", { onclick: () => void showOnMap(d.lat!, d.lon!) }, t("map.show")))
      : null,
    d.chemicals.length
      ? [h("h3", {}, t("detail.chemicals")), h("table", { class: "grid small" },
          h("thead", {}, h("tr", {}, ["chem.name", "chem.cas", "chem.un", "chem.max"].map((k) => h("th", {}, t(k))))),
          h("tbody", {}, d.chemicals.map((c) => h("tr", {}, h("td", {}, c.cas ? h("a", { href: "#", "data-testid": "held-chemical", onclick: (e: Event) => { e.preventDefault(); void openView("chemicals").then(() => openChemical(c.cas, els.detail, els.content)); } }, c.name_zh) : c.name_zh), h("td", { class: "mono" }, c.cas), h("td", { class: "mono" }, c.un_number), h("td", { class: "num" }, c.max_quantity_t)))))]
      : null,
    d.stock.length
      ? [h("h3", {}, t("detail.stock")), h("table", { class: "grid small" },
          h("thead", {}, h("tr", {}, ["stock.name", "stock.category", "stock.quantity", "stock.expiry"].map((k) => h("th", {}, t(k))))),
          h("tbody", {}, d.stock.map((s) => h("tr", {}, h("td", {}, s.name, s.spec ? h("div", { class: "secondary" }, s.spec) : null), h("td", {}, vocab("stock_category", s.category)), h("td", { class: "num" }, `${s.quantity} ${s.unit}`), h("td", {}, s.expiry_date ?? "")))))]
      : null,
    d.ledger.length
      ? [h("h3", {}, t("detail.ledger")), h("table", { class: "grid small" },
          h("thead", {}, h("tr", {}, ["ledger.time", "ledger.kind", "ledger.delta", "ledger.note"].map((k) => h("th", {}, t(k))))),
          h("tbody", {}, d.ledger.map((l) => h("tr", {}, h("td", { class: "mono" }, l.recorded_at.slice(0, 16).replace("T", " ")), h("td", {}, vocab("ledger_kind", l.entry_kind)), h("td", { class: "num" }, l.quantity_delta > 0 ? `+${l.quantity_delta}` : l.quantity_delta), h("td", {}, l.note)))))]
      : null,
  );
}

/** The plan card of a risk source in the preparedness view (from its details or the map). */
async function openCard(riskSourceId: string): Promise<void> {
  state.view = "prep";
  state.detail = null;
  renderNav();
  els.content.classList.remove("content-map");
  await openPlanCard(riskSourceId, els.content, els.detail, (lat, lon) => void showOnMap(lat, lon));
}

function closeDetail(): void {
  if (model.active) {
    model.close();
    return;
  }
  if (state.near) {
    closeNear();
    return;
  }
  state.selected = null;
  state.detail = null;
  renderDetail();
  renderList();
}

// ---- the one map ---------------------------------------------------------------------------

async function renderMap(): Promise<void> {
  const layers = h("div", { class: "map-panel layers", "data-testid": "map-layers" },
    h("div", { class: "panel-title" }, t("map.layers")),
    LAYER_GROUPS.map((g) => h("label", { class: "layer-toggle" },
      h("input", {
        type: "checkbox",
        "data-layer": g,
        checked: oneMap ? oneMap.isVisible(g) : true,
        onchange: (e: Event) => oneMap?.setVisible(g, (e.target as HTMLInputElement).checked),
      }),
      legendSwatch(g),
      t(`layer.${g}`))));
  const radius = h("div", { class: "map-panel query", "data-testid": "map-query" },
    h("label", {}, t("near.radius"), " ",
      h("select", {
        "data-testid": "near-radius",
        onchange: (e: Event) => { state.radiusKm = Number((e.target as HTMLSelectElement).value); },
      }, [1, 3, 5, 10, 20, 50].map((km) => h("option", { value: km, selected: km === state.radiusKm }, `${km} km`)))),
    h("button", {
      class: "query-mode",
      "data-testid": "near-mode",
      title: "Q",
      "aria-pressed": "false",
      onclick: () => oneMap?.setQueryMode(true),
    }, t("near.pick")),
    h("div", { class: "hint" }, t("near.hint")));
  const packsPanel = h("details", { class: "map-panel packs", "data-testid": "map-packs" });
  clear(els.content, mapEl, layers, radius, packsPanel);
  renderPacks(packsPanel);
  if (!oneMap) {
    mark("style-request");
    const style = await loadBaseStyle();
    mark("style");
    state.baseMissing = style === null;
    oneMap = new OneMap(mapEl, {
      open: (kind, id, name) => void openFromMap(kind, id, name),
      query: (lat, lon) => void runNear(lat, lon),
    }, style ?? BLANK_STYLE);
    mark("map-created");
    oneMap.map.once("render", () => mark("first-render"));
    oneMap.map.once("styledata", () => mark("style-applied"));
    oneMap.map.on("sourcedata", (e) => { if (e.tile) mark("first-tile"); });
    void oneMap.whenReady().then(() => {
      mark("load");
      return api.firstMapFrame(marks, performance.now());
    });
    const [data, packs] = await Promise.all([guarded(() => api.mapData()), guarded(() => api.mapPacks())]);
    if (data) await oneMap.setData(data);
    state.packs = packs ?? [];
    await oneMap.setPacks(state.packs);
    renderPacks(packsPanel);
    mapEl.dataset.ready = "true";
    mapEl.dataset.base = state.baseMissing ? "missing" : "loaded";
  } else {
    oneMap.resize();
  }
  oneMap.onQueryMode = (on) => {
    const b = radius.querySelector<HTMLButtonElement>(".query-mode");
    if (b) { b.setAttribute("aria-pressed", String(on)); b.classList.toggle("on", on); }
  };
}

function renderPacks(panel: HTMLElement): void {
  const date = (unix: number | null, built: string | null) => built ?? (unix ? new Date(unix * 1000).toISOString().slice(0, 10) : "?");
  // The archive's own data date when it has one (the packaged base map does), else its file's
  // time, which a copy or a fresh checkout resets.
  const age = (unix: number | null, built: string | null) => {
    const builtMs = built ? Date.parse(built) : NaN;
    const ms = Number.isFinite(builtMs) ? builtMs : unix ? unix * 1000 : null;
    return ms === null ? null : Math.max(0, Math.floor((Date.now() - ms) / 86_400_000));
  };
  const base = state.packs.find((p) => p.is_base);
  const path = h("input", { type: "text", "data-testid": "pack-path", placeholder: t("packs.path") });
  const add = async () => {
    const p = path.value.trim();
    if (!p) return;
    const added = await guarded(() => api.addMapPack(p));
    if (!added) return;
    state.packs = (await guarded(() => api.mapPacks())) ?? state.packs;
    await oneMap?.setPacks(state.packs);
    renderPacks(panel);
    oneMap?.map.fitBounds([[added.bounds[0], added.bounds[1]], [added.bounds[2], added.bounds[3]]], { padding: 40 });
  };
  const remove = async (p: MapPackDto) => {
    if (!window.confirm(t("packs.confirm_remove", { name: p.name }))) return;
    if (!(await guarded(() => api.removeMapPack(p.id)))) return;
    state.packs = state.packs.filter((x) => x.id !== p.id);
    await oneMap?.setPacks(state.packs);
    renderPacks(panel);
  };
  const open = panel.hasAttribute("open");
  clear(panel,
    h("summary", {}, t("packs.title"), " ", h("span", { class: "secondary" }, base
      ? t("packs.base_age", { date: date(base.modified_unix, base.built), days: age(base.modified_unix, base.built) ?? "?" })
      : t("packs.base_missing"))),
    h("table", { class: "grid small" },
      h("thead", {}, h("tr", {}, ["packs.name", "packs.zoom", "packs.area", ""].map((k) => h("th", {}, k ? t(k) : "")))),
      h("tbody", {}, state.packs.map((p) => h("tr", { "data-pack": p.id },
        h("td", {}, p.is_base ? t("packs.base") : p.name, h("div", { class: "secondary" }, `${p.format} · ${p.tile_type} · ${(p.file_size / 1e6).toFixed(1)} MB`)),
        h("td", { class: "num" }, `${p.min_zoom}–${p.max_zoom}`),
        h("td", { class: "mono" }, p.bounds.map((b) => b.toFixed(2)).join(", ")),
        h("td", {}, p.is_base ? "" : h("button", { class: "link", onclick: () => void remove(p) }, t("packs.remove"))))))),
    h("div", { class: "finder-row" }, path, h("button", { "data-testid": "pack-add", onclick: () => void add() }, t("packs.add"))),
  );
  if (open) panel.setAttribute("open", "");
}

function legendSwatch(g: LayerGroup): HTMLElement {
  const c = COLOURS;
  const colours: Record<LayerGroup, string[]> = {
    risk: [c.major, c.larger, c.general],
    targets: [c.intake, c.target],
    zones: [c.zone],
    rivers: [c.riverMain],
    works: [c.work],
    teams: [c.team],
    experts: [c.expert],
    warehouses: [c.warehouse],
    incidents: [c.incident, c.incidentClosed],
  };
  return h("span", { class: "swatches" }, colours[g].map((col) => h("span", { class: "swatch", style: `background:${col}` })));
}

const MAP_KIND_TO_PANEL: Record<string, ResourceKind | undefined> = {
  risk_source: "risk_source",
  target: "target",
  team: "team",
  warehouse: "warehouse",
};

async function openFromMap(kind: string, id: string, name: string): Promise<void> {
  const panel = MAP_KIND_TO_PANEL[kind];
  if (kind === "incident") {
    await openView("incidents");
    await incidents.open(id, "overview");
    return;
  }
  if (panel) {
    state.near = null;
    await select(panel, id);
  } else if (kind === "expert") {
    // One point per organisation: list its experts.
    state.filter.text = name;
    await openView("expert");
    state.filter.text = name;
    renderPanel();
    await loadRows(false);
  } else {
    showInfo(name, t(`kind.${kind}`));
  }
}

function showInfo(name: string, kind: string): void {
  state.near = null;
  state.detail = null;
  clear(els.detail, h("div", { class: "detail-head" }, h("h2", {}, name)), h("div", { class: "detail-kind" }, kind));
}

async function showOnMap(lat: number, lon: number): Promise<void> {
  await openView("map");
  oneMap?.flyTo(lat, lon, 13);
}

const NEAR_LISTED = 50;

async function runNear(lat: number, lon: number): Promise<void> {
  // Resources and targets (not river reaches or regions): what a commander can call on or must protect.
  const kinds = ["risk_source", "target", "control_work", "team", "expert", "warehouse"];
  // Exact counts, the nearest 50 of each kind listed (a chemical park holds thousands).
  const r = await guarded(() => api.near({ lat, lon, radius_km: state.radiusKm, kinds, per_kind: NEAR_LISTED }));
  if (!r) return;
  state.near = r;
  state.stockHits = null;
  if (state.view === "map") oneMap?.showQuery(r);
  renderDetail();
}

function renderNear(r: NearResult): void {
  const total = r.groups.reduce((s, g) => s + g.count, 0);
  const km = (m: number) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);
  clear(
    els.detail,
    h("div", { class: "detail-head" },
      h("h2", { "data-testid": "near-title" }, t("near.title", { km: r.radius_km })),
      h("button", { class: "close", title: t("detail.close"), "aria-label": t("detail.close"), onclick: closeNear }, "×")),
    h("div", { class: "detail-kind mono" }, `${r.lat.toFixed(5)}, ${r.lon.toFixed(5)}`),
    h("div", { class: "near-total", "data-testid": "near-total" }, t("near.total", { n: total })),
    h("div", { class: "actions" },
      h("button", { "data-testid": "near-model", onclick: () => void openModel({ lat: r.lat, lon: r.lon, place: "", regionCode: null, chemicals: [] }) }, t("model.open_here")),
      h("button", { "data-testid": "near-alarm", onclick: () => void openAlarm({ lat: r.lat, lon: r.lon }) }, t("inc.alarm.here"))),
    r.groups.length === 0 ? h("p", { class: "empty" }, t("near.none")) : null,
    renderStockFinder(r),
    r.groups.map((g) =>
      h("section", { class: "near-group", "data-kind": g.kind },
        h("h3", {}, t(`kind.${g.kind}`), h("span", { class: "count" }, ` ${g.count}`)),
        h("ol", {}, g.items.slice(0, NEAR_LISTED).map((it) =>
          h("li", { onclick: () => { const panel = MAP_KIND_TO_PANEL[g.kind] ?? (g.kind === "expert" ? "expert" : g.kind === "stock_item" ? "stock_item" : undefined); if (panel) { state.near = null; void select(panel, it.item_id); } } },
            h("span", { class: "near-name" }, it.name),
            h("span", { class: "near-dist" }, km(it.distance_m)),
            h("span", { class: "secondary" }, it.region_name)))),
        g.count > Math.min(g.items.length, NEAR_LISTED)
          ? h("div", { class: "secondary" }, t("near.more", { n: g.count - Math.min(g.items.length, NEAR_LISTED) }))
          : null)),
  );
}

function renderStockFinder(r: NearResult): HTMLElement {
  const item = h("input", { type: "search", "data-testid": "stock-item", value: state.stockItem, size: 8 });
  const n = h("select", { "data-testid": "stock-n" }, [3, 5, 10].map((k) => h("option", { value: k, selected: k === state.stockN }, k)));
  const run = async () => {
    state.stockItem = item.value.trim();
    state.stockN = Number(n.value);
    const hits = await guarded(() => api.nearestStock({ lat: r.lat, lon: r.lon, item: state.stockItem, nearest: state.stockN }));
    if (!hits) return;
    state.stockHits = hits;
    renderDetail();
  };
  item.addEventListener("keydown", (e) => { if (e.key === "Enter") void run(); });
  const km = (m: number) => (m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`);
  return h("section", { class: "stock-finder" },
    h("h3", {}, t("stock.finder")),
    h("div", { class: "finder-row" }, t("stock.nearest"), n, t("stock.holding"), item,
      h("button", { "data-testid": "stock-run", onclick: () => void run() }, t("stock.find"))),
    state.stockHits
      ? state.stockHits.length === 0
        ? h("p", { class: "empty" }, t("stock.none"))
        : h("table", { class: "grid small", "data-testid": "stock-hits" },
            h("tbody", {}, state.stockHits.map((s) =>
              h("tr", { onclick: () => { state.near = null; void select("warehouse", s.warehouse_id); } },
                h("td", {}, s.warehouse_name, h("div", { class: "secondary" }, `${s.item_name} ${s.spec}`)),
                h("td", { class: "num" }, `${s.quantity} ${s.unit}`),
                h("td", { class: "num" }, km(s.distance_m))))))
      : null);
}

function closeNear(): void {
  state.stockHits = null;
  state.near = null;
  oneMap?.clearQuery();
  renderDetail();
}

// ---- global search -----------------------------------------------------------------------

let searchTimer: number | undefined;
let searchSeq = 0;

async function runSearch(): Promise<void> {
  const text = els.searchBox.value.trim();
  const seq = ++searchSeq;
  if (!text) {
    state.hits = [];
    renderHits();
    return;
  }
  const hits = await guarded(() => api.search(text, null, 20));
  if (seq !== searchSeq || !hits) return;
  state.hits = hits;
  state.hitIndex = hits.length ? 0 : -1;
  renderHits();
}

function renderHits(): void {
  const text = els.searchBox.value.trim();
  els.searchResults.hidden = !text;
  clear(
    els.searchResults,
    state.hits.length === 0
      ? h("li", { class: "none" }, t("search.none"))
      : state.hits.map((hit, i) =>
          h("li", {
            role: "option",
            class: i === state.hitIndex ? "active" : "",
            "data-testid": "search-hit",
            "data-kind": hit.kind,
            onmousedown: (e: Event) => { e.preventDefault(); void openHit(hit); },
          },
            h("span", { class: "hit-kind" }, t(`kind.${hit.kind}`)),
            h("span", { class: "hit-name" }, hit.name),
            hit.matched ? h("span", { class: "hit-matched" }, t("search.matched"), hit.matched) : null,
            h("span", { class: "hit-region" }, hit.region_name)),
        ),
  );
}

async function openHit(hit: SearchHitDto): Promise<void> {
  els.searchResults.hidden = true;
  if (hit.kind === "chemical") {
    // Library entries have no place: open the library page instead of flying anywhere.
    await openView("chemicals");
    await openChemical(hit.item_id, els.detail, els.content);
    return;
  }
  if (state.view === "map" && oneMap && hit.lat !== null && hit.lon !== null) {
    oneMap.flyTo(hit.lat, hit.lon, hit.kind === "region" ? 10 : 13);
    if (hit.resource_kind) await select(hit.resource_kind, hit.item_id);
    return;
  }
  if (hit.kind === "region") {
    state.filter.region = hit.item_id;
    await openView(state.view === "overview" || state.view === "chemicals" || state.view === "drill" ? "team" : state.view);
    return;
  }
  if (!hit.resource_kind) return;
  // Show the hit in its panel: the list filtered to its name, the record in the detail view.
  const kind = hit.resource_kind;
  await openView(kind);
  state.filter.text = hit.name;
  renderPanel();
  await loadRows(false);
  await select(kind, hit.item_id);
}

els.searchBox.addEventListener("input", () => {
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void runSearch(), 120);
});
els.searchBox.addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown") { state.hitIndex = Math.min(state.hitIndex + 1, state.hits.length - 1); renderHits(); e.preventDefault(); }
  if (e.key === "ArrowUp") { state.hitIndex = Math.max(state.hitIndex - 1, 0); renderHits(); e.preventDefault(); }
  if (e.key === "Enter" && state.hits[state.hitIndex]) void openHit(state.hits[state.hitIndex]);
  if (e.key === "Escape") { els.searchResults.hidden = true; els.searchBox.blur(); }
});
els.searchBox.addEventListener("focus", () => { if (els.searchBox.value.trim()) els.searchResults.hidden = false; });
els.searchBox.addEventListener("blur", () => { els.searchResults.hidden = true; });

document.addEventListener("keydown", (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
  if (e.key === "/" && !typing) { els.searchBox.focus(); e.preventDefault(); }
  if (e.key === "Escape" && !typing && sync.open) { sync.close(); renderDetail(); return; }
  if (e.key === "Escape" && !typing && (state.detail || state.near || model.active)) closeDetail();
  if ((e.key === "q" || e.key === "Q") && !typing && state.view === "map") oneMap?.setQueryMode(true);
  if (state.view === "incidents" && incidents.key(e)) { e.preventDefault(); return; }
  const nav = e.altKey ? NAV_VIEWS.findIndex((_, i) => navKey(i) === e.key) : -1;
  if (nav >= 0) { void openView(NAV_VIEWS[nav]); e.preventDefault(); }
});

// ---- start -------------------------------------------------------------------------------

function renderAll(): void {
  renderHeader();
  renderNav();
  renderFooter();
  if (state.view === "overview") renderOverview();
  else if (state.view === "map") void renderMap();
  else if (state.view === "chemicals") { void renderChemicals(els.content, els.detail); }
  else if (state.view === "incidents") incidents.render();
  else if (state.view === "prep") { void renderPrep(els.content, els.detail, (lat, lon) => void showOnMap(lat, lon)); }
  else if (state.view === "drill") void drill.renderPage(els.content);
  else renderPanel();
  if (state.view !== "chemicals" && state.view !== "incidents" && state.view !== "prep") renderDetail();
  if (state.hits.length) renderHits();
}

async function start(): Promise<void> {
  mark("start");
  setLang(lang());
  clear(root, els.header, drill.banner, els.banner, h("div", { class: "body" }, els.nav, els.content, els.detail), els.footer, els.error);
  els.content.textContent = t("status.loading");
  renderHeader();
  // The data version before the first read: any commit after it is followed.
  const [version, view] = await Promise.all([
    api.dataVersion().catch(() => null),
    guarded(() => api.startupView()),
  ]);
  mark("first-ipc");
  const loading = Promise.all([guarded(() => api.overview()), guarded(() => api.regions())]);
  // Opening on the map: the map loads first and the start page's figures come in beside it.
  const map = view === "map" ? openView("map") : null;
  const [overview, regions] = await loading;
  state.overview = overview ?? null;
  state.regions = regions ?? [];
  if (map) {
    renderHeader();
    renderNav();
    renderFooter();
    await map;
  } else {
    renderAll();
  }
  document.body.dataset.ready = "true";
  void sync.refresh();
  drill.start();
  void followChanges(version);
}

/** Follows changes other programs commit (an import, sync): counts, lists and the map refresh. */
async function followChanges(initial: number | null): Promise<void> {
  let seen = initial;
  for (let tick = 0; ; tick++) {
    await new Promise((r) => window.setTimeout(r, 2000));
    if (tick % 2 === 0) void sync.refresh();
    let v: number;
    try {
      v = await api.dataVersion();
    } catch {
      continue; // the database could not be opened: the error is already shown
    }
    if (seen !== null && v !== seen) {
      const overview = await guarded(() => api.overview());
      if (overview) state.overview = overview;
      renderNav();
      if (state.view === "overview") renderOverview();
      else if (state.view === "incidents") await incidents.followChanges();
      else if (isResourceView(state.view)) await loadRows(false);
      if (oneMap) {
        const data = await guarded(() => api.mapData());
        if (data) await oneMap.setData(data);
      }
    }
    seen = v;
  }
}

void start();
