// Typed calls to the Rust commands. The types are generated from the Rust DTOs (ts-rs) into
// ./bindings — never written by hand here. No business logic lives in the UI.
import { invoke } from "@tauri-apps/api/core";
import type { ApiError } from "./bindings/ApiError";
import type { ChemicalDto as LibraryChemicalDto } from "./bindings/ChemicalDto";
import type { ChemicalSummaryDto } from "./bindings/ChemicalSummaryDto";
import type { Conflict } from "./bindings/Conflict";
import type { OverAllocation } from "./bindings/OverAllocation";
import type { SyncAgentState } from "./bindings/SyncAgentState";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { GasRunInput } from "./bindings/GasRunInput";
import type { GasRunResult } from "./bindings/GasRunResult";
import type { ModelRunDto } from "./bindings/ModelRunDto";
import type { RerunDto } from "./bindings/RerunDto";
import type { RiverRunInput } from "./bindings/RiverRunInput";
import type { RiverRunResult } from "./bindings/RiverRunResult";
import type { RunComparisonDto } from "./bindings/RunComparisonDto";
import type { SourceStrengthDto } from "./bindings/SourceStrengthDto";
import type { SourceStrengthInput } from "./bindings/SourceStrengthInput";
import type { MapData } from "./bindings/MapData";
import type { MapPackDto } from "./bindings/MapPackDto";
import type { NearQuery } from "./bindings/NearQuery";
import type { NearResult } from "./bindings/NearResult";
import type { Overview } from "./bindings/Overview";
import type { RegionDto } from "./bindings/RegionDto";
import type { ResourceDetail } from "./bindings/ResourceDetail";
import type { ResourceKind } from "./bindings/ResourceKind";
import type { ResourcePage } from "./bindings/ResourcePage";
import type { ResourceQuery } from "./bindings/ResourceQuery";
import type { SearchHitDto } from "./bindings/SearchHitDto";
import type { StockHitDto } from "./bindings/StockHitDto";
import type { StockQuery } from "./bindings/StockQuery";
import type { SubtypeCount } from "./bindings/SubtypeCount";
import type { DrillClockDto } from "./bindings/DrillClockDto";
import type { DrillEvaluationDto } from "./bindings/DrillEvaluationDto";
import type { DrillReplayDto } from "./bindings/DrillReplayDto";
import type { DrillStatusDto } from "./bindings/DrillStatusDto";
import type { ScenarioSummaryDto } from "./bindings/ScenarioSummaryDto";
import type { StartDrillDto } from "./bindings/StartDrillDto";

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message_zh" in e;
}

export const api = {
  overview: () => invoke<Overview>("overview"),
  regions: () => invoke<RegionDto[]>("regions"),
  listResources: (query: ResourceQuery) => invoke<ResourcePage>("list_resources", { query }),
  subtypes: (kind: ResourceKind) => invoke<SubtypeCount[]>("subtypes", { kind }),
  resourceDetail: (kind: ResourceKind, id: string) => invoke<ResourceDetail>("resource_detail", { kind, id }),
  search: (text: string, regionCode: string | null, limit: number) =>
    invoke<SearchHitDto[]>("search", { text, regionCode, limit }),
  near: (query: NearQuery) => invoke<NearResult>("near", { query }),
  mapData: () => invoke<MapData>("map_data"),
  mapPacks: () => invoke<MapPackDto[]>("map_packs"),
  addMapPack: (path: string) => invoke<MapPackDto>("add_map_pack", { path }),
  removeMapPack: (id: string) => invoke<MapPackDto>("remove_map_pack", { id }),
  startupView: () => invoke<string | null>("startup_view"),
  dataVersion: () => invoke<number>("data_version"),
  firstMapFrame: (marks: Record<string, number>, now: number) => invoke<number>("first_map_frame", { marks, now }),
  syncAgentState: () => invoke<SyncAgentState>("sync_agent_state"),
  syncNow: () => invoke<void>("sync_now"),
  syncStatus: () => invoke<SyncStatus>("sync_status"),
  syncConflicts: () => invoke<Conflict[]>("sync_conflicts"),
  syncOverAllocations: () => invoke<OverAllocation[]>("sync_over_allocations"),
  resolveConflict: (id: string, resolution: string) => invoke<void>("resolve_conflict", { id, resolution }),
  nearestStock: (query: StockQuery) => invoke<StockHitDto[]>("nearest_stock", { query }),
  gasRelease: (input: GasRunInput) => invoke<GasRunResult>("gas_release", { input }),
  riverSpillRun: (input: RiverRunInput) => invoke<RiverRunResult>("river_spill_run", { input }),
  modelRuns: () => invoke<ModelRunDto[]>("model_runs"),
  rerunModelRun: (id: string) => invoke<RerunDto>("rerun_model_run", { id }),
  compareModelRuns: (a: string, b: string) => invoke<RunComparisonDto>("compare_model_runs", { a, b }),
  chemicalSearch: (text: string, limit: number) => invoke<ChemicalSummaryDto[]>("chemical_search", { text, limit }),
  chemical: (cas: string) => invoke<LibraryChemicalDto>("chemical", { cas }),
  sourceStrength: (input: SourceStrengthInput) => invoke<SourceStrengthDto>("source_strength", { input }),
  drillCurrent: () => invoke<DrillStatusDto | null>("drill_current"),
  drillScenarios: () => invoke<ScenarioSummaryDto[]>("drill_scenarios"),
  drillStart: (start: StartDrillDto) => invoke<DrillStatusDto>("drill_start", { start }),
  drillLeave: () => invoke<void>("drill_leave"),
  drillClock: (action: string, speed: number | null, by: string) => invoke<DrillClockDto>("drill_clock", { action, speed, by }),
  drillEvaluation: (asOf: string | null) => invoke<DrillEvaluationDto>("drill_evaluation", { asOf }),
  drillExportEvaluation: (asOf: string | null) => invoke<string>("drill_export_evaluation", { asOf }),
  drillReplay: (asOf: string) => invoke<DrillReplayDto>("drill_replay", { asOf }),
};
