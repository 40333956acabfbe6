// LIST of 5,000 objects (~10 MB of JSON), one at a time: the cost of moving a large body through
// the gateway. ConfigMaps carry the target; Secrets are the same size and stay in the suite
// so that masking (which must read and rewrite every Secret) can show what it adds.
import { LIST_ITEMS, PATHS } from "../canned-api.js";
import { interleave } from "../interleave.js";
import { percentiles, sum } from "../stats.js";
import { standardTable, rowValue } from "../summarize.js";
import { atMost, times } from "../checks.js";
import type { RequestsResult, Target } from "../jobs.js";
import type { Check, Scenario } from "../scenario.js";

const MIB = 1024 * 1024;

export function listScenario(kind: "configmaps" | "secrets"): Scenario {
  const id = `list-${kind}`;
  const title = `LIST ${LIST_ITEMS.toLocaleString("en-US")} ${kind === "configmaps" ? "ConfigMaps" : "Secrets"} (~10 MB JSON)`;
  const path = kind === "configmaps" ? PATHS.configMaps : PATHS.secrets;
  return {
    id,
    title,
    async run(context) {
      const rounds = context.rounds(5, 3);
      const durationMs = context.ms(2_500);
      const list = (target: Target, duration: number, max = 0): Promise<RequestsResult> =>
        context.stack.load.run({ kind: "requests", target, path, concurrency: 1, durationMs: duration, maxRequests: max });
      const run = await interleave(
        context,
        rounds,
        (target) => list(target, durationMs),
        (target) => list(target, 10_000, 4),
      );
      const bodyMiB = (run.slices[0]?.result.bodyBytes ?? 0) / Math.max(1, run.slices[0]?.result.count ?? 1) / MIB;
      const table = standardTable({
        run,
        figures: (r: RequestsResult) => {
          const p = percentiles(r.latenciesMs);
          return { p50: p.p50, p90: p.p90, p99: p.p99, throughput: r.bodyBytes / MIB / (r.elapsedMs / 1000), ops: r.count };
        },
        latency: { label: "time per LIST" },
        throughputLabel: "throughput",
        throughputUnit: "MiB/s",
        cpuPer: 1,
        cpuUnit: "ms/LIST",
      });
      const checks: Check[] = [];
      const notes: string[] = [`body: ${bodyMiB.toFixed(2)} MiB per LIST`];
      if (kind === "configmaps") {
        checks.push(atMost("time per LIST ≤ 1.2 × direct (p50)", rowValue(table, "chaperone ÷ direct", "p50"), 1.2, times));
      } else {
        notes.push("no target yet: this scenario exists so that Secret masking can show what it costs");
      }
      const errors = sum(run.slices.map((s) => s.result.errors));
      if (errors > 0) notes.push(`${errors} failed LISTs (first: ${run.slices.find((s) => s.result.firstError)?.result.firstError})`);
      return {
        id,
        title,
        method: `${rounds} rounds × ${durationMs} ms of back-to-back LISTs per target (one connection), interleaved; medians over rounds; p99 of a round is close to its slowest LIST`,
        columns: table.columns,
        rows: table.rows,
        checks,
        notes,
        raw: {
          bodyBytes: Math.round(bodyMiB * MIB),
          rounds: run.slices.map((s) => ({
            target: s.target,
            round: s.round,
            lists: s.result.count,
            errors: s.result.errors,
            ...percentiles(s.result.latenciesMs),
            mibPerSecond: s.result.bodyBytes / MIB / (s.result.elapsedMs / 1000),
            cpuMs: s.cpuMs,
            wallMs: s.wallMs,
          })),
          peakRssMiB: run.peakRssMiB,
        },
      };
    },
  };
}
