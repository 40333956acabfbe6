// The table of a variant scenario (variant-interleave.ts): one row per variant — medians over
// rounds of p50/p90/p99 and throughput, proxy CPU per operation, peak RSS, client and upstream
// CPU — then one ratio row per comparison the scenario names ("recording on ÷ off"), pairing
// rounds like the standard table pairs chaperone and direct.
import type { VariantRun, VariantSlice } from "./variant-interleave.js";
import type { RoundFigures } from "./summarize.js";
import type { Column, Row } from "./scenario.js";
import { median, sum } from "./stats.js";

export interface VariantSummary {
  label: string;
  p50: number;
  p90: number;
  p99: number;
  throughput: number;
  proxyCpu: number;
  proxyPeakRssMiB: number;
  rounds: RoundFigures[];
}

export interface VariantTableSpec<T> {
  run: VariantRun<T>;
  figures: (result: T) => RoundFigures;
  latency: { label: string } | null;
  throughputLabel: string;
  throughputUnit: string;
  throughputDigits?: number;
  cpuPer: number;
  cpuUnit: string;
  /** Ratio rows: [numerator label, denominator label]. */
  ratios: [string, string][];
}

export interface VariantTable {
  columns: Column[];
  rows: Row[];
  summaries: Map<string, VariantSummary>;
  /** Paired ratio of a column between two variants (median over rounds), NaN if not measured. */
  ratio(numerator: string, denominator: string, key: "p50" | "p90" | "p99" | "throughput" | "proxyCpu"): number;
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

export function variantTable<T>(spec: VariantTableSpec<T>): VariantTable {
  const columns: Column[] = [];
  if (spec.latency) for (const p of ["p50", "p90", "p99"]) columns.push({ key: p, label: `${spec.latency.label} ${p}`, unit: "ms", digits: 3, ratio: true });
  columns.push(
    { key: "throughput", label: spec.throughputLabel, unit: spec.throughputUnit, digits: spec.throughputDigits ?? 0, ratio: true },
    { key: "proxyCpu", label: "proxy CPU", unit: spec.cpuUnit, digits: 3, ratio: true },
    { key: "proxyPeakRss", label: "proxy peak RSS", unit: "MiB", digits: 1 },
    { key: "loadCpu", label: "client CPU", unit: "%", digits: 0 },
    { key: "upstreamCpu", label: "upstream CPU", unit: "%", digits: 0 },
  );
  const byVariant = new Map<string, VariantSlice<T>[]>();
  for (const v of spec.run.variants) byVariant.set(v.label, spec.run.slices.filter((s) => s.variant === v.label));

  const summaries = new Map<string, VariantSummary>();
  const rows: Row[] = [];
  for (const [label, slices] of byVariant) {
    const rounds = slices.map((s) => spec.figures(s.result));
    const ops = sum(rounds.map((r) => r.ops));
    const wall = sum(slices.map((s) => s.wallMs));
    const summary: VariantSummary = {
      label,
      p50: median(rounds.map((r) => r.p50)),
      p90: median(rounds.map((r) => r.p90)),
      p99: median(rounds.map((r) => r.p99)),
      throughput: median(rounds.map((r) => r.throughput)),
      proxyCpu: (sum(slices.map((s) => s.proxyCpuMs)) / ops) * spec.cpuPer,
      proxyPeakRssMiB: spec.run.peakRssMiB[label] ?? NaN,
      rounds,
    };
    summaries.set(label, summary);
    rows.push({
      label,
      kind: "target",
      values: {
        p50: finite(summary.p50),
        p90: finite(summary.p90),
        p99: finite(summary.p99),
        throughput: finite(summary.throughput),
        proxyCpu: finite(summary.proxyCpu),
        proxyPeakRss: finite(summary.proxyPeakRssMiB),
        loadCpu: finite((sum(slices.map((s) => s.loadGeneratorCpuMs)) / wall) * 100),
        upstreamCpu: finite((sum(slices.map((s) => s.upstreamCpuMs)) / wall) * 100),
      },
    });
  }

  const ratio: VariantTable["ratio"] = (numerator, denominator, key) => {
    const a = summaries.get(numerator);
    const b = summaries.get(denominator);
    if (!a || !b) return NaN;
    // CPU per operation is a total over the run, not a per-round figure: the ratio of totals.
    if (key === "proxyCpu") return a.proxyCpu / b.proxyCpu;
    const n = Math.min(a.rounds.length, b.rounds.length);
    const values: number[] = [];
    for (let i = 0; i < n; i++) values.push((a.rounds[i] as RoundFigures)[key] / (b.rounds[i] as RoundFigures)[key]);
    return median(values);
  };
  for (const [numerator, denominator] of spec.ratios) {
    const values: Record<string, number | null> = {};
    for (const key of [...(spec.latency ? (["p50", "p90", "p99"] as const) : []), "throughput", "proxyCpu"] as const) {
      values[key] = finite(ratio(numerator, denominator, key));
    }
    rows.push({ label: `${numerator} ÷ ${denominator}`, kind: "ratio", values });
  }
  return { columns, rows, summaries, ratio };
}
