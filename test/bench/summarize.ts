// Turns interleaved slices into the standard table: per target the median over rounds of each
// round's p50/p90/p99 and throughput, the proxy's CPU time per operation and peak RSS, and how busy
// the load generator and the upstream were (to show neither was the bottleneck). Derived rows pair
// rounds: chaperone and direct of the same round are compared, then the median is taken.
import type { Interleaved, Slice } from "./interleave.js";
import { proxyProcess } from "./interleave.js";
import type { TargetName } from "./jobs.js";
import type { Column, Row } from "./scenario.js";
import { median, sum } from "./stats.js";

export interface RoundFigures {
  p50: number;
  p90: number;
  p99: number;
  /** Operations per second (or MiB/s, events/s): whatever the scenario counts. */
  throughput: number;
  /** Operations in the slice, for CPU per operation. */
  ops: number;
}

export interface TargetSummary {
  target: TargetName;
  p50: number;
  p90: number;
  p99: number;
  throughput: number;
  /** CPU ms of the proxy process per `cpuPer` operations; NaN for direct. */
  proxyCpu: number;
  proxyPeakRssMiB: number;
  loadGeneratorCpuPct: number;
  upstreamCpuPct: number;
  rounds: RoundFigures[];
}

export interface TableSpec<T> {
  run: Interleaved<T>;
  figures: (result: T) => RoundFigures;
  latency: { label: string } | null;
  /** null: the scenario has no throughput figure worth a column (paced watch). */
  throughputLabel: string | null;
  throughputUnit: string;
  throughputDigits?: number;
  /** Proxy CPU is reported per this many operations (1 request, 1 MiB, 1,000 events…). */
  cpuPer: number;
  cpuUnit: string;
}

export interface Table {
  columns: Column[];
  rows: Row[];
  summaries: Map<TargetName, TargetSummary>;
}

const ORDER: TargetName[] = ["direct", "chaperone", "kubectl-proxy"];

function summarize<T>(spec: TableSpec<T>, target: TargetName, slices: Slice<T>[]): TargetSummary {
  const rounds = slices.map((s) => spec.figures(s.result));
  const proxy = proxyProcess(target);
  const wall = sum(slices.map((s) => s.wallMs));
  const ops = sum(rounds.map((r) => r.ops));
  return {
    target,
    p50: median(rounds.map((r) => r.p50)),
    p90: median(rounds.map((r) => r.p90)),
    p99: median(rounds.map((r) => r.p99)),
    throughput: median(rounds.map((r) => r.throughput)),
    proxyCpu: proxy ? (sum(slices.map((s) => s.cpuMs[proxy])) / ops) * spec.cpuPer : NaN,
    proxyPeakRssMiB: proxy === "engine" ? spec.run.peakRssMiB.engine : proxy === "kubectl-proxy" ? spec.run.peakRssMiB["kubectl-proxy"] : NaN,
    loadGeneratorCpuPct: (sum(slices.map((s) => s.cpuMs["load-generator"])) / wall) * 100,
    upstreamCpuPct: (sum(slices.map((s) => s.cpuMs.upstream)) / wall) * 100,
    rounds,
  };
}

/** Median over rounds of f(chaperone round, other round), pairing rounds by index. */
function paired(a: RoundFigures[], b: RoundFigures[], f: (x: RoundFigures, y: RoundFigures) => number): number {
  const n = Math.min(a.length, b.length);
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(f(a[i] as RoundFigures, b[i] as RoundFigures));
  return median(values);
}

export function standardTable<T>(spec: TableSpec<T>): Table {
  const columns: Column[] = [];
  if (spec.latency) {
    for (const p of ["p50", "p90", "p99"]) {
      columns.push({ key: p, label: `${spec.latency.label} ${p}`, unit: "ms", digits: 3, ratio: true, delta: true });
    }
  }
  if (spec.throughputLabel) {
    columns.push({ key: "throughput", label: spec.throughputLabel, unit: spec.throughputUnit, digits: spec.throughputDigits ?? 0, ratio: true });
  }
  columns.push(
    { key: "proxyCpu", label: "proxy CPU", unit: spec.cpuUnit, digits: 3, ratio: true },
    { key: "proxyPeakRss", label: "proxy peak RSS", unit: "MiB", digits: 1, ratio: true },
    { key: "loadCpu", label: "client CPU", unit: "%", digits: 0 },
    { key: "upstreamCpu", label: "upstream CPU", unit: "%", digits: 0 },
  );

  const summaries = new Map<TargetName, TargetSummary>();
  for (const target of ORDER) {
    const slices = spec.run.slices.filter((s) => s.target === target);
    if (slices.length > 0) summaries.set(target, summarize(spec, target, slices));
  }
  const value = (n: number): number | null => (Number.isFinite(n) ? n : null);
  const rows: Row[] = [];
  for (const s of summaries.values()) {
    rows.push({
      label: s.target,
      kind: "target",
      values: {
        p50: value(s.p50),
        p90: value(s.p90),
        p99: value(s.p99),
        throughput: value(s.throughput),
        proxyCpu: value(s.proxyCpu),
        proxyPeakRss: value(s.proxyPeakRssMiB),
        loadCpu: value(s.loadGeneratorCpuPct),
        upstreamCpu: value(s.upstreamCpuPct),
      },
    });
  }
  const chaperone = summaries.get("chaperone");
  const direct = summaries.get("direct");
  const kubectl = summaries.get("kubectl-proxy");
  const latencyKeys = spec.latency ? (["p50", "p90", "p99"] as const) : [];
  if (chaperone && direct) {
    const values: Record<string, number | null> = {};
    for (const k of latencyKeys) values[k] = value(paired(chaperone.rounds, direct.rounds, (x, y) => x[k] / y[k]));
    if (spec.throughputLabel) values.throughput = value(paired(chaperone.rounds, direct.rounds, (x, y) => x.throughput / y.throughput));
    rows.push({ label: "chaperone ÷ direct", kind: "ratio", values });
  }
  if (chaperone && kubectl) {
    const values: Record<string, number | null> = {};
    for (const k of latencyKeys) values[k] = value(paired(chaperone.rounds, kubectl.rounds, (x, y) => x[k] / y[k]));
    if (spec.throughputLabel) values.throughput = value(paired(chaperone.rounds, kubectl.rounds, (x, y) => x.throughput / y.throughput));
    values.proxyCpu = value(chaperone.proxyCpu / kubectl.proxyCpu);
    values.proxyPeakRss = value(chaperone.proxyPeakRssMiB / kubectl.proxyPeakRssMiB);
    rows.push({ label: "chaperone ÷ kubectl-proxy", kind: "ratio", values });
  }
  if (chaperone && direct && spec.latency) {
    const values: Record<string, number | null> = {};
    for (const k of latencyKeys) values[k] = value(paired(chaperone.rounds, direct.rounds, (x, y) => x[k] - y[k]));
    rows.push({ label: "chaperone − direct", kind: "delta", values });
  }
  return { columns, rows, summaries };
}

/** The value of a derived row, or NaN. */
export function rowValue(table: Table, label: string, key: string): number {
  return table.rows.find((r) => r.label === label)?.values[key] ?? NaN;
}
