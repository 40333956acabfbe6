// Runs a measurement for every target, round after round, rotating which target goes first, so
// that drift on the machine (thermal, other tenants, GC of a long-lived process) lands on all
// targets alike instead of on whichever was measured last. Every slice records the CPU time each
// process spent during it; each proxy's peak RSS is taken over the measured rounds.
import type { ScenarioContext } from "./scenario.js";
import type { Target, TargetName } from "./jobs.js";
import { cpuSnapshot, memory, resetPeakRss } from "./process-stats.js";

export type ProcessName = "engine" | "kubectl-proxy" | "upstream" | "load-generator";

export interface Slice<T> {
  target: TargetName;
  round: number;
  result: T;
  wallMs: number;
  cpuMs: Record<ProcessName, number>;
}

export interface Interleaved<T> {
  slices: Slice<T>[];
  /** Peak RSS over the measured rounds, per proxy process. */
  peakRssMiB: { engine: number; "kubectl-proxy": number };
}

export function availableTargets(context: ScenarioContext): Target[] {
  const { targets } = context.stack;
  const wanted = context.options.targets;
  return [targets.direct, targets.chaperone, targets["kubectl-proxy"]].filter(
    (t): t is Target => t !== undefined && (wanted.length === 0 || wanted.includes(t.name)),
  );
}

export function processIds(context: ScenarioContext): Record<ProcessName, number | undefined> {
  const { pids } = context.stack;
  return { engine: pids.engine, "kubectl-proxy": pids["kubectl-proxy"], upstream: pids.upstream, "load-generator": pids["load-generator"] };
}

export async function interleave<T>(
  context: ScenarioContext,
  rounds: number,
  measure: (target: Target, round: number) => Promise<T>,
  warmup?: (target: Target) => Promise<unknown>,
): Promise<Interleaved<T>> {
  const targets = availableTargets(context);
  const pids = processIds(context);
  const named = async <R>(target: Target, run: () => Promise<R>): Promise<R> => {
    try {
      return await run();
    } catch (error) {
      throw new Error(`${target.name}: ${(error as Error).message}`);
    }
  };
  if (warmup) for (const target of targets) await named(target, () => warmup(target));
  const engine = pids.engine as number;
  const kubectl = pids["kubectl-proxy"];
  resetPeakRss(engine);
  if (kubectl !== undefined) resetPeakRss(kubectl);
  const slices: Slice<T>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length] as Target;
      const before = cpuSnapshot(pids);
      const started = performance.now();
      const result = await named(target, () => measure(target, round));
      const wallMs = performance.now() - started;
      const after = cpuSnapshot(pids);
      const cpuMs = {} as Record<ProcessName, number>;
      for (const name of Object.keys(before) as ProcessName[]) cpuMs[name] = after[name] - before[name];
      slices.push({ target: target.name, round, result, wallMs, cpuMs });
    }
    context.log(`    round ${round + 1}/${rounds} done`);
  }
  return {
    slices,
    peakRssMiB: { engine: memory(engine).peakRssMiB, "kubectl-proxy": kubectl !== undefined ? memory(kubectl).peakRssMiB : NaN },
  };
}

/** The process that does the proxying for a target, if any. */
export function proxyProcess(target: TargetName): ProcessName | null {
  return target === "chaperone" ? "engine" : target === "kubectl-proxy" ? "kubectl-proxy" : null;
}
