// Typed calls to the incident commands (src-tauri/src/incident.rs). Types are generated from
// the Rust DTOs (ts-rs) into ./bindings; no business logic here.
import { invoke } from "@tauri-apps/api/core";
import type { AllocationDto } from "./bindings/AllocationDto";
import type { AllocationPickDto } from "./bindings/AllocationPickDto";
import type { ClosingSummaryDto } from "./bindings/ClosingSummaryDto";
import type { DeadlineDto } from "./bindings/DeadlineDto";
import type { DispatchCandidateDto } from "./bindings/DispatchCandidateDto";
import type { ExportedFileDto } from "./bindings/ExportedFileDto";
import type { IncidentDetailDto } from "./bindings/IncidentDetailDto";
import type { IncidentDto } from "./bindings/IncidentDto";
import type { IncidentModelInput } from "./bindings/IncidentModelInput";
import type { IncidentModelsDto } from "./bindings/IncidentModelsDto";
import type { IncidentZoneDto } from "./bindings/IncidentZoneDto";
import type { LogEntryDto } from "./bindings/LogEntryDto";
import type { MaterialRequestDto } from "./bindings/MaterialRequestDto";
import type { ModelRunDto } from "./bindings/ModelRunDto";
import type { NewIncidentDto } from "./bindings/NewIncidentDto";
import type { NewWarningDto } from "./bindings/NewWarningDto";
import type { OrderDto } from "./bindings/OrderDto";
import type { ReportDraftDto } from "./bindings/ReportDraftDto";
import type { ReportDto } from "./bindings/ReportDto";
import type { RequestOutcomeDto } from "./bindings/RequestOutcomeDto";
import type { SeverityFactsDto } from "./bindings/SeverityFactsDto";
import type { SupportCallDto } from "./bindings/SupportCallDto";
import type { SupportCandidateDto } from "./bindings/SupportCandidateDto";
import type { TierSuggestionDto } from "./bindings/TierSuggestionDto";
import type { WarningDto } from "./bindings/WarningDto";

export const incidentApi = {
  create: (input: NewIncidentDto) => invoke<IncidentDto>("create_incident", { new: input }),
  list: () => invoke<IncidentDto[]>("list_incidents"),
  detail: (id: string) => invoke<IncidentDetailDto>("incident_detail", { id }),
  runModels: (id: string, input: IncidentModelInput) => invoke<IncidentModelsDto>("run_incident_models", { id, input }),
  modelRuns: (id: string) => invoke<ModelRunDto[]>("incident_model_runs", { id }),
  zones: (id: string) => invoke<IncidentZoneDto[]>("incident_zones", { id }),
  suggestTier: (facts: SeverityFactsDto) => invoke<TierSuggestionDto>("suggest_tier", { facts }),
  confirmTier: (id: string, tier: string, author: string, note: string) =>
    invoke<LogEntryDto>("confirm_tier", { id, tier, author, note }),
  deadlines: (id: string, tier: string | null) => invoke<DeadlineDto[]>("incident_deadlines", { id, tier }),
  addLog: (id: string, kind: string, author: string, body: string) =>
    invoke<LogEntryDto>("add_log_entry", { id, kind, author, body }),
  correctLog: (id: string, correctsId: string, author: string, body: string) =>
    invoke<LogEntryDto>("correct_log_entry", { id, correctsId, author, body }),
  orderTeam: (id: string, teamId: string, task: string, author: string) =>
    invoke<OrderDto>("order_team", { id, teamId, task, author }),
  setOrderStatus: (orderId: string, status: string, author: string) =>
    invoke<LogEntryDto>("set_order_status", { orderId, status, author }),
  rankSupport: (id: string, kind: string, limit: number) =>
    invoke<SupportCandidateDto[]>("rank_support", { id, kind, limit }),
  recordCall: (id: string, kind: string, targetId: string, answer: string, note: string, author: string) =>
    invoke<SupportCallDto>("record_support_call", { id, kind, targetId, answer, note, author }),
  candidates: (id: string, item: string) => invoke<DispatchCandidateDto[]>("dispatch_candidates", { id, item }),
  requestMaterials: (id: string, req: MaterialRequestDto, picks: AllocationPickDto[], author: string) =>
    invoke<RequestOutcomeDto>("request_materials", { id, req, picks, author }),
  allocate: (requestId: string, stockItemId: string, quantity: number, author: string) =>
    invoke<AllocationDto>("allocate_material", { requestId, stockItemId, quantity, author }),
  arrive: (allocationId: string, author: string) => invoke<void>("record_arrival", { allocationId, author }),
  draftReport: (id: string, kind: string) => invoke<ReportDraftDto>("draft_report", { id, kind }),
  saveReport: (id: string, kind: string, text: ReportDraftDto | null, author: string) =>
    invoke<ReportDto>("save_report", { id, kind, text, author }),
  markReport: (reportId: string, status: string, by: string) => invoke<ReportDto>("mark_report", { reportId, status, by }),
  exportReport: (reportId: string, format: "pdf" | "docx") => invoke<ExportedFileDto>("export_report", { reportId, format }),
  issueWarning: (id: string, warning: NewWarningDto, author: string) =>
    invoke<WarningDto>("issue_warning", { id, warning, author }),
  exportCap: (warningId: string) => invoke<ExportedFileDto>("export_warning_cap", { warningId }),
  addCost: (id: string, description: string, amountYuan: number, author: string) =>
    invoke<void>("add_incident_cost", { id, description, amountYuan, author }),
  closingSummary: (id: string) => invoke<ClosingSummaryDto>("closing_summary", { id }),
  close: (id: string, summary: string, author: string) => invoke<ClosingSummaryDto>("close_incident", { id, summary, author }),
};
