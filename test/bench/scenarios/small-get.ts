// Small GET of one object (~1 KB ConfigMap). At concurrency 1 the figure is latency: what one
// kubectl call pays for going through the gateway (the headline). At concurrency 32 it is
// throughput: how much the gateway's per-request CPU limits a busy agent.
import { PATHS } from "../canned-api.js";
import { interleave } from "../interleave.js";
import { percentiles, sum } from "../stats.js";
import { standardTable, rowValue } from "../summarize.js";
import { atLeast, atMost, ms, percent } from "../checks.js";
import type { RequestsResult, Target } from "../jobs.js";
import type { Check, Scenario } from "../scenario.js";

export function smallGetScenario(concurrency: number): Scenario {
  const id = `small-get-c${concurrency}`;
  const title = `Small GET (one ~1 KB ConfigMap), concurrency ${concurrency}`;
  return {
    id,
    title,
    async run(context) {
      const rounds = context.rounds(6, 3);
      const durationMs = context.ms(2_000);
      const request = (target: Target, duration: number): Promise<RequestsResult> =>
        context.stack.load.run({ kind: "requests", target, path: PATHS.smallObject, concurrency, durationMs: duration });
      const run = await interleave(
        context,
        rounds,
        (target) => request(target, durationMs),
        (target) => request(target, context.ms(1_500)),
      );
      const table = standardTable({
        run,
        figures: (r: RequestsResult) => {
          const p = percentiles(r.latenciesMs);
          return { p50: p.p50, p90: p.p90, p99: p.p99, throughput: r.count / (r.elapsedMs / 1000), ops: r.count };
        },
        latency: { label: "latency" },
        throughputLabel: "throughput",
        throughputUnit: "req/s",
        cpuPer: 1,
        cpuUnit: "ms/req",
      });
      const checks: Check[] = [];
      const chaperone = table.summaries.get("chaperone");
      const kubectl = table.summaries.get("kubectl-proxy");
      if (concurrency === 1) {
        checks.push(atMost("added latency p50 ≤ 0.3 ms over direct", rowValue(table, "chaperone − direct", "p50"), 0.3, ms));
        checks.push(atMost("added latency p99 ≤ 2 ms over direct", rowValue(table, "chaperone − direct", "p99"), 2, ms));
        checks.push(atMost("p50 no worse than kubectl proxy (ratio ≤ 1)", rowValue(table, "chaperone ÷ kubectl-proxy", "p50"), 1, (v) => `×${v.toFixed(2)}`));
        checks.push(atMost("p99 no worse than kubectl proxy (ratio ≤ 1)", rowValue(table, "chaperone ÷ kubectl-proxy", "p99"), 1, (v) => `×${v.toFixed(2)}`));
      } else {
        checks.push(atLeast("throughput ≥ 70 % of direct", rowValue(table, "chaperone ÷ direct", "throughput"), 0.7, percent));
        if (chaperone && kubectl) {
          checks.push({
            goal: "(context) throughput vs kubectl proxy",
            actual: `${percent(chaperone.throughput / kubectl.throughput)}`,
            met: null,
          });
        }
      }
      const errors = sum(run.slices.map((s) => s.result.errors));
      const notes: string[] = [];
      if (errors > 0) {
        const first = run.slices.find((s) => s.result.firstError)?.result.firstError;
        notes.push(`${errors} failed requests (first: ${first}); they are excluded from latency and throughput`);
      }
      return {
        id,
        title,
        method: `${rounds} rounds × ${durationMs} ms per target, interleaved; ${concurrency} keep-alive connection(s), closed loop; figures are medians over rounds`,
        columns: table.columns,
        rows: table.rows,
        checks,
        notes,
        raw: {
          rounds: run.slices.map((s) => ({
            target: s.target,
            round: s.round,
            requests: s.result.count,
            errors: s.result.errors,
            ...percentiles(s.result.latenciesMs),
            throughput: s.result.count / (s.result.elapsedMs / 1000),
            cpuMs: s.cpuMs,
            wallMs: s.wallMs,
          })),
          peakRssMiB: run.peakRssMiB,
        },
      };
    },
  };
}
