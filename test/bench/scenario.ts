// What a scenario is and what it reports. A report is a small table: one row per target (direct,
// chaperone, kubectl-proxy), then derived rows (chaperone ÷ direct, chaperone ÷ kubectl-proxy,
// chaperone − direct), plus the targets checked against the figures. Scenarios that
// compare chaperone configurations (variant-table.ts) use the same shape: one row per variant
// ("recording on", "masked"…) and ratio rows between them; headline figures without a target
// are checks with noTarget.
import type { BenchStack } from "./bench-stack.js";
import type { BenchOptions } from "./bench-options.js";
import type { ProfileSummary } from "./cpu-profile-summary.js";

export interface Column {
  key: string;
  label: string;
  /** Unit shown in the header, e.g. "ms", "req/s". */
  unit: string;
  digits: number;
  /** Whether a ratio row makes sense for this column (latency and throughput yes, RSS no). */
  ratio?: boolean;
  /** Whether a difference row makes sense (added latency). */
  delta?: boolean;
}

export type RowKind = "target" | "ratio" | "delta";

export interface Row {
  label: string;
  kind: RowKind;
  values: Record<string, number | null>;
}

export interface Check {
  /** What the issue asks, e.g. "added p50 ≤ 0.3 ms". */
  goal: string;
  /** The measured figure, formatted. */
  actual: string;
  /** null: could not be evaluated (e.g. kubectl missing), or there is no target (noTarget). */
  met: boolean | null;
  /** A headline figure the issue asks to know, with no target to meet (e.g. what recording costs). */
  noTarget?: boolean;
}

export interface ScenarioReport {
  id: string;
  title: string;
  /** One line on how it was measured (rounds, durations, sizes). */
  method: string;
  columns: Column[];
  rows: Row[];
  checks: Check[];
  notes: string[];
  /** Everything measured, per round, for the JSON. */
  raw: unknown;
  /** With --profile: where the engine's CPU went during this scenario. */
  profile?: ProfileSummary;
}

export interface ScenarioContext {
  stack: BenchStack;
  options: BenchOptions;
  log(line: string): void;
  /** Round count scaled by --quick, never below `min`. */
  rounds(full: number, min?: number): number;
  /** Duration scaled by --quick. */
  ms(full: number): number;
}

export interface Scenario {
  id: string;
  title: string;
  run(context: ScenarioContext): Promise<ScenarioReport>;
}
