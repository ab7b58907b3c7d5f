// Typed calls to the scenario editor's and the console-time commands (src-tauri/src/drill.rs,
// src-tauri/src/sync.rs). Types are generated from the Rust DTOs (ts-rs) into ./bindings.
import { invoke } from "@tauri-apps/api/core";
import type { ConsoleTimeDto } from "./bindings/ConsoleTimeDto";
import type { DrillSyncDto } from "./bindings/DrillSyncDto";
import type { ScenarioDto } from "./bindings/ScenarioDto";
import type { ScenarioOptionsDto } from "./bindings/ScenarioOptionsDto";
import type { ScenarioProblemDto } from "./bindings/ScenarioProblemDto";
import type { ScenarioSaveDto } from "./bindings/ScenarioSaveDto";

export const drillApi = {
  scenarioOptions: () => invoke<ScenarioOptionsDto>("drill_scenario_options"),
  scenarioNew: () => invoke<ScenarioDto>("drill_scenario_new"),
  scenarioRead: (path: string) => invoke<ScenarioDto>("drill_scenario_read", { path }),
  scenarioCheck: (scenario: ScenarioDto) => invoke<ScenarioProblemDto[]>("drill_scenario_check", { scenario }),
  scenarioSave: (scenario: ScenarioDto, path: string | null) => invoke<ScenarioSaveDto>("drill_scenario_save", { scenario, path }),
  scenarioImport: (fileName: string, text: string) => invoke<ScenarioSaveDto>("drill_scenario_import", { fileName, text }),
  scenarioExport: (path: string) => invoke<string>("drill_scenario_export", { path }),
  consoleTime: () => invoke<ConsoleTimeDto>("console_time"),
  syncDrillMode: () => invoke<DrillSyncDto | null>("sync_drill_mode"),
};

/** The console's clock as last read, running on in the window at its speed. */
export class ConsoleClock {
  private base = Date.now();
  private readAt = performance.now();
  private speed = 1;
  private running = true;
  drill = false;

  set(t: ConsoleTimeDto): void {
    this.base = Date.parse(t.now);
    this.readAt = performance.now();
    this.speed = t.speed;
    this.running = t.running;
    this.drill = t.drill;
  }

  /** The console's now, ms since the epoch (drill time in a drill). */
  now(): number {
    return this.running ? this.base + (performance.now() - this.readAt) * this.speed : this.base;
  }

  /** Reads the console's time again (the drill may have been paused or sped up). */
  async sync(): Promise<void> {
    try {
      this.set(await drillApi.consoleTime());
    } catch {
      // no database: the wall clock stands in
    }
  }
}

/** The one console clock of the window. */
export const consoleClock = new ConsoleClock();
