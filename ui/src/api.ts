// Typed calls to the Rust commands. The types are generated from the Rust DTOs (ts-rs) into
// ./bindings — never written by hand here. No business logic lives in the UI.
import { invoke } from "@tauri-apps/api/core";
import type { ApiError } from "./bindings/ApiError";
import type { ChemicalDto } from "./bindings/ChemicalDto";
import type { ChemicalSummaryDto } from "./bindings/ChemicalSummaryDto";
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
  firstMapFrame: () => invoke<number>("first_map_frame"),
  nearestStock: (query: StockQuery) => invoke<StockHitDto[]>("nearest_stock", { query }),
  chemicalSearch: (text: string, limit: number) => invoke<ChemicalSummaryDto[]>("chemical_search", { text, limit }),
  chemical: (cas: string) => invoke<ChemicalDto>("chemical", { cas }),
};
