// Interleaving for scenarios that compare configurations rather than the three standard targets:
// e.g. the same engine build with `--exec-recording on` and `off`, or one engine seen by a masked
// and an unmasked agent. Same discipline as interleave.ts — rounds, rotating which variant goes
// first, CPU time of every process per slice — but the variants (and their processes) are the
// scenario's, not the stack's.
import type { ScenarioContext } from "./scenario.js";
import type { Target } from "./jobs.js";
import { cpuSnapshot, memory, resetPeakRss } from "./process-stats.js";

export interface Variant {
  /** Row label, e.g. "recording on"; unique within a scenario. */
  label: string;
  target: Target;
  /** The process that does the proxying (null: direct to the upstream). */
  pid: number | null;
}

export interface VariantSlice<T> {
  variant: string;
  round: number;
  result: T;
  wallMs: number;
  /** CPU ms of the variant's proxy process during the slice (NaN when it has none). */
  proxyCpuMs: number;
  loadGeneratorCpuMs: number;
  upstreamCpuMs: number;
}

export interface VariantRun<T> {
  variants: Variant[];
  slices: VariantSlice<T>[];
  /** Peak RSS over the measured rounds per variant's proxy process (variants sharing a process share the figure). */
  peakRssMiB: Record<string, number>;
}

export async function interleaveVariants<T>(
  context: ScenarioContext,
  variants: Variant[],
  rounds: number,
  measure: (variant: Variant, round: number) => Promise<T>,
  warmup?: (variant: Variant) => Promise<unknown>,
): Promise<VariantRun<T>> {
  const named = async <R>(variant: Variant, run: () => Promise<R>): Promise<R> => {
    try {
      return await run();
    } catch (error) {
      throw new Error(`${variant.label}: ${(error as Error).message}`);
    }
  };
  if (warmup) for (const variant of variants) await named(variant, () => warmup(variant));
  const { pids } = context.stack;
  const watched: Record<string, number | undefined> = { upstream: pids.upstream, "load-generator": pids["load-generator"] };
  for (const v of variants) if (v.pid !== null) watched[`pid:${v.pid}`] = v.pid;
  const proxyPids = [...new Set(variants.flatMap((v) => (v.pid === null ? [] : [v.pid])))];
  for (const pid of proxyPids) resetPeakRss(pid);
  const slices: VariantSlice<T>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length] as Variant;
      const before = cpuSnapshot(watched);
      const started = performance.now();
      const result = await named(variant, () => measure(variant, round));
      const wallMs = performance.now() - started;
      const after = cpuSnapshot(watched);
      const spent = (key: string): number => (after[key] ?? NaN) - (before[key] ?? NaN);
      slices.push({
        variant: variant.label,
        round,
        result,
        wallMs,
        proxyCpuMs: variant.pid === null ? NaN : spent(`pid:${variant.pid}`),
        loadGeneratorCpuMs: spent("load-generator"),
        upstreamCpuMs: spent("upstream"),
      });
    }
    context.log(`    round ${round + 1}/${rounds} done`);
  }
  const peakRssMiB: Record<string, number> = {};
  for (const v of variants) peakRssMiB[v.label] = v.pid === null ? NaN : memory(v.pid).peakRssMiB;
  return { variants, slices, peakRssMiB };
}
