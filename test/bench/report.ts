// Output of a run: a plain-text table per scenario on stdout, the same figures as JSON
// (bench-results/latest.json plus a dated copy, for comparing runs) and as Markdown
// (bench-results/latest.md, for the README).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Column, Row, ScenarioReport } from "./scenario.js";
import type { MachineInfo } from "./machine-info.js";

export interface BenchRun {
  suite: "chaperone-bench";
  format: 1;
  date: string;
  durationSeconds: number;
  machine: MachineInfo;
  options: { only: string[]; scale: number; targets: string[]; profile: boolean; engine: string };
  scenarios: ScenarioReport[];
  failures: { id: string; error: string }[];
}

function cell(row: Row, column: Column): string {
  const value = row.values[column.key];
  if (row.kind === "ratio" && !column.ratio) return "";
  if (row.kind === "delta" && !column.delta) return "";
  if (value === null || value === undefined || !Number.isFinite(value)) return row.kind === "target" ? "–" : "";
  if (row.kind === "ratio") return `×${value.toFixed(2)}`;
  if (row.kind === "delta") return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(column.digits)}`;
  return value.toLocaleString("en-US", { minimumFractionDigits: column.digits, maximumFractionDigits: column.digits });
}

function header(column: Column): string {
  return column.unit ? `${column.label} (${column.unit})` : column.label;
}

function checkMark(met: boolean | null, noTarget = false): string {
  return noTarget ? "–" : met === null ? "·" : met ? "✔" : "✘";
}

export function formatScenarioText(report: ScenarioReport): string {
  const headers = ["", ...report.columns.map((c) => c.label)];
  const units = ["", ...report.columns.map((c) => c.unit)];
  const body = report.rows.map((row) => [row.label, ...report.columns.map((c) => cell(row, c))]);
  const all = [headers, units, ...body];
  const widths = headers.map((_, i) => Math.max(...all.map((line) => (line[i] ?? "").length)));
  const render = (line: string[]): string =>
    "  " + line.map((text, i) => (i === 0 ? text.padEnd(widths[i] as number) : text.padStart(widths[i] as number))).join("  ");
  const out = [`\n${report.title}`, `  ${report.method}`, render(headers), render(units), ...body.map(render)];
  for (const check of report.checks) out.push(`  ${checkMark(check.met, check.noTarget)} ${check.goal}: ${check.actual}`);
  for (const note of report.notes) out.push(`  note: ${note}`);
  return out.join("\n");
}

function markdownTable(report: ScenarioReport): string {
  const head = `| | ${report.columns.map(header).join(" | ")} |`;
  const rule = `|---|${report.columns.map(() => "---:").join("|")}|`;
  const rows = report.rows.map((row) => `| ${row.kind === "target" ? `**${row.label}**` : row.label} | ${report.columns.map((c) => cell(row, c)).join(" | ")} |`);
  return [head, rule, ...rows].join("\n");
}

export function formatMarkdown(run: BenchRun): string {
  const m = run.machine;
  const lines = [
    "# Chaperone benchmark",
    "",
    `${run.date} · ${m.cpuModel} × ${m.cores} cores · ${m.memoryGiB.toFixed(0)} GiB · Linux ${m.kernel} · Node ${m.node} · kubectl ${m.kubectl ?? "not found"} · chaperone ${m.chaperone}${m.commit ? ` (${m.commit})` : ""}`,
    "",
    "Every scenario measures three targets in the same run, interleaved round by round: **direct** (client to the benchmark upstream), **chaperone** (`chaperone serve` in front of it) and **kubectl-proxy** (`kubectl proxy` on the same kubeconfig). Figures are medians over rounds; ratios and differences pair rounds (chaperone and direct of the same round). *proxy CPU* and *proxy peak RSS* are the proxying process's (the engine's for chaperone); *client CPU* and *upstream CPU* (% of one core) show the load generator and upstream were not saturated. Scenarios that compare chaperone configurations (recording on/off, audit level, masked/unmasked profile) have one row per configuration instead, measured the same way, and ratio rows between them.",
    "",
    "## Targets",
    "",
    "| scenario | target | measured | |",
    "|---|---|---:|:---:|",
  ];
  for (const s of run.scenarios) {
    for (const c of s.checks) lines.push(`| ${s.title} | ${c.noTarget ? `${c.goal} (no target)` : c.goal} | ${c.actual} | ${checkMark(c.met, c.noTarget)} |`);
  }
  for (const f of run.failures) lines.push(`| ${f.id} | scenario failed: ${f.error.replace(/\|/g, "\\|").split("\n")[0]} | | ✘ |`);
  for (const s of run.scenarios) {
    lines.push("", `## ${s.title}`, "", `*${s.method}*`, "", markdownTable(s));
    if (s.notes.length > 0) lines.push("", ...s.notes.map((n) => `- ${n}`));
  }
  lines.push("", `Run: \`npm run bench\` (${run.durationSeconds.toFixed(0)} s including start-up of the stack).`, "");
  return lines.join("\n");
}

/** Writes latest.json, latest.md and a dated JSON copy; returns the paths written. */
export function writeResults(outDir: string, run: BenchRun): string[] {
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify(run, null, 2) + "\n";
  const stamp = run.date.replace(/[:]/g, "-").replace(/\.\d+Z$/, "Z");
  const paths = [join(outDir, "latest.json"), join(outDir, `${stamp}.json`), join(outDir, "latest.md")];
  writeFileSync(paths[0] as string, json);
  writeFileSync(paths[1] as string, json);
  writeFileSync(paths[2] as string, formatMarkdown(run));
  return paths;
}
