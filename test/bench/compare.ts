// Compares two benchmark runs: `node dist/test/bench/compare.js BEFORE.json [AFTER.json]` (AFTER
// defaults to bench-results/latest.json). For every scenario both runs have, prints the chaperone
// row and the derived rows side by side with the relative change, so a change to the engine can
// show what it did to its cost. Figures from different machines are flagged, not compared silently.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { BenchRun } from "./report.js";
import type { Column, Row, ScenarioReport } from "./scenario.js";

function load(path: string): BenchRun {
  return JSON.parse(readFileSync(path, "utf8")) as BenchRun;
}

function format(value: number | null | undefined, column: Column, kind: Row["kind"]): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (kind === "ratio") return `×${value.toFixed(2)}`;
  return value.toFixed(column.digits);
}

function change(before: number | null | undefined, after: number | null | undefined): string {
  if (before === null || before === undefined || after === null || after === undefined || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return "";
  const pct = ((after - before) / Math.abs(before)) * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(1)} %`;
}

function compareScenario(before: ScenarioReport, after: ScenarioReport): string[] {
  const lines = [`\n${after.title}`];
  const labels = after.rows.filter((r) => r.label.startsWith("chaperone")).map((r) => r.label);
  for (const label of labels) {
    const a = before.rows.find((r) => r.label === label);
    const b = after.rows.find((r) => r.label === label);
    if (!a || !b) continue;
    for (const column of after.columns) {
      const x = a.values[column.key];
      const y = b.values[column.key];
      if ((x === null || x === undefined) && (y === null || y === undefined)) continue;
      if (b.kind !== "target" && ((b.kind === "ratio" && !column.ratio) || (b.kind === "delta" && !column.delta))) continue;
      const name = `${label} · ${column.label}${column.unit ? ` (${column.unit})` : ""}`;
      lines.push(`  ${name.padEnd(58)} ${format(x, column, b.kind).padStart(12)} → ${format(y, column, b.kind).padStart(12)}  ${change(x, y)}`);
    }
  }
  return lines;
}

function main(argv: string[]): number {
  const [beforePath, afterPath = resolve("bench-results", "latest.json")] = argv;
  if (!beforePath) {
    console.error("usage: node dist/test/bench/compare.js BEFORE.json [AFTER.json]");
    return 2;
  }
  const before = load(beforePath);
  const after = load(afterPath);
  console.log(`before: ${before.date} (${before.machine.commit ?? "?"}, ${before.options.engine ?? "default engine"})`);
  console.log(`after:  ${after.date} (${after.machine.commit ?? "?"}, ${after.options.engine ?? "default engine"})`);
  if (before.machine.cpuModel !== after.machine.cpuModel || before.machine.cores !== after.machine.cores) {
    console.log(`warning: different machines (${before.machine.cpuModel} × ${before.machine.cores} vs ${after.machine.cpuModel} × ${after.machine.cores}); compare ratios, not absolute figures`);
  }
  for (const scenario of after.scenarios) {
    const old = before.scenarios.find((s) => s.id === scenario.id);
    if (old) console.log(compareScenario(old, scenario).join("\n"));
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
