// Sync with the provincial hub, as the window shows it: a status line in the footer (online or
// offline, last sync, changes waiting to go up, conflicts, over-allocations) and a panel with
// the conflict and over-allocation lists. All state comes from the Rust side.
import { api } from "./api";
import type { Conflict } from "./bindings/Conflict";
import type { OverAllocation } from "./bindings/OverAllocation";
import type { SyncAgentState } from "./bindings/SyncAgentState";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { DrillSyncDto } from "./bindings/DrillSyncDto";
import { drillApi } from "./drill-api";
import { h, clear } from "./dom";
import { addTexts, lang, t } from "./i18n";

addTexts({
  zh: {
    "sync.title": "与省级枢纽同步",
    "sync.unconfigured": "未配置枢纽（单机）",
    "sync.online": "在线",
    "sync.offline": "离线",
    "sync.unknown": "连接中…",
    "sync.running": "同步中…",
    "sync.remaining": "还有 {n} 条待下载",
    "sync.last": "上次同步 {t}",
    "sync.never": "尚未同步",
    "sync.pending": "待上传 {n}",
    "sync.conflicts": "冲突 {n}",
    "sync.over": "超额调拨 {n}",
    "sync.now": "立即同步",
    "sync.hub": "枢纽",
    "sync.error": "上次同步失败",
    "sync.safe": "本机的修改都已保存，联网后会自动上传，不会丢失。",
    "sync.conflicts_title": "并发修改冲突",
    "sync.conflicts_hint": "两台设备离线时改了同一字段：已采用较新的值，被覆盖的值列在这里，请核对。",
    "sync.no_conflicts": "没有待处理的冲突",
    "sync.kept": "采用",
    "sync.lost": "被覆盖",
    "sync.resolve": "标记为已处理",
    "sync.resolution": "处理说明",
    "sync.over_title": "超额调拨",
    "sync.over_hint": "多个单位离线期间从同一库存调出的总量超过了库存：请协调补充或撤回。",
    "sync.no_over": "没有超额调拨",
    "sync.quantity": "当前结余",
  },
  en: {
    "sync.title": "Sync with the provincial hub",
    "sync.unconfigured": "No hub configured (standalone)",
    "sync.online": "Online",
    "sync.offline": "Offline",
    "sync.unknown": "Connecting…",
    "sync.running": "Syncing…",
    "sync.remaining": "{n} changes still to come",
    "sync.last": "last sync {t}",
    "sync.never": "never synced",
    "sync.pending": "{n} to send",
    "sync.conflicts": "{n} conflicts",
    "sync.over": "{n} over-allocations",
    "sync.now": "Sync now",
    "sync.hub": "Hub",
    "sync.error": "The last sync failed",
    "sync.safe": "Every change is saved here and goes up by itself once the link is back; nothing is lost.",
    "sync.conflicts_title": "Concurrent edits",
    "sync.conflicts_hint": "Two devices changed the same field while apart: the later value is applied, the overwritten one is listed here to check.",
    "sync.no_conflicts": "No open conflicts",
    "sync.kept": "applied",
    "sync.lost": "overwritten",
    "sync.resolve": "Mark as handled",
    "sync.resolution": "What was done",
    "sync.over_title": "Over-allocations",
    "sync.over_hint": "Units that were apart together dispatched more than the stock held: restock or call some back.",
    "sync.no_over": "No over-allocations",
    "sync.quantity": "balance now",
  },
});

function when(rfc3339: string | null | undefined): string {
  if (!rfc3339) return t("sync.never");
  const d = new Date(rfc3339);
  return t("sync.last", { t: d.toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB", { hour12: false }) });
}

/** The footer's sync line and the sync panel. */
export class SyncView {
  agent: SyncAgentState | null = null;
  status: SyncStatus | null = null;
  /** What sync does while a drill is open (null on a real replica). */
  drill: DrillSyncDto | null = null;
  open = false;
  private conflicts: Conflict[] = [];
  private over: OverAllocation[] = [];

  constructor(private readonly onChange: () => void, private readonly detail: HTMLElement) {}

  /** Reads the state again; redraws the panel when it is open. */
  async refresh(): Promise<void> {
    try {
      [this.agent, this.status, this.drill] = await Promise.all([api.syncAgentState(), api.syncStatus(), drillApi.syncDrillMode().catch(() => null)]);
      if (this.open) [this.conflicts, this.over] = await Promise.all([api.syncConflicts(), api.syncOverAllocations()]);
    } catch {
      return; // no database: its error is shown elsewhere
    }
    this.onChange();
  }

  /** The footer's line: a button that opens the panel. */
  badge(): HTMLElement {
    const a = this.agent;
    const s = this.status;
    const parts: string[] = [];
    let tone = "idle";
    const d = this.drill;
    if (d) {
      // A drill is open: say plainly where its data goes (nowhere, or the drill hub).
      parts.push(lang() === "en" ? d.message_en : d.message_zh);
      if (d.replica_syncing && a) parts.push(a.online === true ? t("sync.online") : a.online === false ? t("sync.offline") : t("sync.unknown"));
      return h("button", {
        class: `sync-badge drill ${d.mode}`,
        "data-testid": "sync-badge",
        "data-drill-mode": d.mode,
        "data-online": a?.online == null ? "" : String(a.online),
        title: t("sync.title"),
        onclick: () => void this.show(),
      }, h("span", { class: "dot", "aria-hidden": "true" }), parts.join(" · "));
    }
    if (!a || !a.configured) {
      parts.push(t("sync.unconfigured"));
    } else {
      tone = a.running ? "running" : a.online === true ? "online" : a.online === false ? "offline" : "idle";
      parts.push(a.running ? t("sync.running") : a.online === true ? t("sync.online") : a.online === false ? t("sync.offline") : t("sync.unknown"));
      parts.push(when(a.last_success ?? s?.last_success));
    }
    if (s) {
      parts.push(t("sync.pending", { n: s.pending_changes }));
      if (s.open_conflicts) parts.push(t("sync.conflicts", { n: s.open_conflicts }));
      if (s.open_over_allocations) parts.push(t("sync.over", { n: s.open_over_allocations }));
    }
    const attention = (s?.open_conflicts ?? 0) + (s?.open_over_allocations ?? 0) > 0;
    return h("button", {
      class: `sync-badge ${tone}${attention ? " attention" : ""}`,
      "data-testid": "sync-badge",
      "data-online": a?.online == null ? "" : String(a.online),
      title: t("sync.title"),
      onclick: () => void this.show(),
    }, h("span", { class: "dot", "aria-hidden": "true" }), parts.join(" · "));
  }

  async show(): Promise<void> {
    this.open = true;
    await this.refresh();
  }

  close(): void {
    this.open = false;
  }

  /** The panel, in the detail column. */
  render(close: () => void): void {
    const a = this.agent;
    const s = this.status;
    clear(
      this.detail,
      h("div", { class: "detail-head" },
        h("h2", { "data-testid": "sync-title" }, t("sync.title")),
        h("button", { class: "close", title: "Esc", "aria-label": "×", onclick: close }, "×")),
      h("p", {}, a?.configured ? `${t("sync.hub")}: ${a.hub_url}` : t("sync.unconfigured")),
      h("p", { class: "sync-line" }, this.badge()),
      a?.configured
        ? h("div", { class: "actions" },
            h("button", { class: "primary", "data-testid": "sync-now", disabled: a.running, onclick: () => void this.syncNow() }, t("sync.now")))
        : null,
      a?.running && a.remaining != null ? h("p", {}, t("sync.remaining", { n: a.remaining })) : null,
      a?.last_error
        ? h("div", { class: "model-warnings", "data-testid": "sync-error" },
            h("strong", {}, t("sync.error"), "："),
            lang() === "zh" ? a.last_error.message_zh : a.last_error.message_en,
            h("div", {}, t("sync.safe")))
        : null,
      h("h3", {}, t("sync.conflicts_title"), h("span", { class: "count" }, ` ${s?.open_conflicts ?? 0}`)),
      h("p", { class: "secondary" }, t("sync.conflicts_hint")),
      this.conflicts.filter((c) => !c.resolved).length === 0
        ? h("p", { class: "empty" }, t("sync.no_conflicts"))
        : h("ol", { class: "sync-list", "data-testid": "sync-conflicts" },
            this.conflicts.filter((c) => !c.resolved).map((c) => this.conflictItem(c))),
      h("h3", {}, t("sync.over_title"), h("span", { class: "count" }, ` ${s?.open_over_allocations ?? 0}`)),
      h("p", { class: "secondary" }, t("sync.over_hint")),
      this.over.filter((o) => !o.resolved).length === 0
        ? h("p", { class: "empty" }, t("sync.no_over"))
        : h("ol", { class: "sync-list", "data-testid": "sync-over" },
            this.over.filter((o) => !o.resolved).map((o) =>
              h("li", {}, h("span", { class: "mono" }, o.stock_item_id), ` · ${t("sync.quantity")} ${o.quantity}`))),
    );
  }

  private conflictItem(c: Conflict): HTMLElement {
    const note = h("input", { type: "text", placeholder: t("sync.resolution"), "aria-label": t("sync.resolution") }) as HTMLInputElement;
    return h("li", {},
      h("div", {}, h("strong", {}, `${c.table} · ${c.field}`), h("span", { class: "mono secondary" }, ` ${c.row_id}`)),
      h("div", {}, `${t("sync.kept")}: `, h("span", { class: "mono" }, c.winner_value)),
      h("div", {}, `${t("sync.lost")}: `, h("span", { class: "mono" }, c.loser_value)),
      h("div", { class: "actions" }, note,
        h("button", {
          onclick: async () => {
            await api.resolveConflict(c.id, note.value.trim() || t("sync.resolve"));
            await this.refresh();
          },
        }, t("sync.resolve"))));
  }

  private async syncNow(): Promise<void> {
    await api.syncNow();
    // The round runs in the background; follow it for a few seconds.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => window.setTimeout(r, 500));
      await this.refresh();
      if (!this.agent?.running && i > 1) break;
    }
  }
}
