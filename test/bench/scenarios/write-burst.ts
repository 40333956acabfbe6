// What auditing writes costs (issue 6): a burst of creates (POST ConfigMap, ~1 KB body) on 32
// connections, closed loop, through two engines of the same build — `--audit-level Request` (the
// default: each write's RequestReceived event, body included, is written and fdatasync'ed before
// the request is forwarded) and `--audit-level None`. The upstream answers every create with a
// prebuilt 201, so the figures are the gateway's and its disk's.
import { PATHS, createConfigMapBody } from "../canned-api.js";
import { interleaveVariants, type Variant } from "../variant-interleave.js";
import { variantTable } from "../variant-table.js";
import { withEngineVariants } from "../engine-variants.js";
import { figure, ms, percent } from "../checks.js";
import { percentiles, sum } from "../stats.js";
import type { RequestsResult } from "../jobs.js";
import type { Scenario } from "../scenario.js";

const CONCURRENCY = 32;
const TITLE = `Burst of writes: creates on ${CONCURRENCY} connections, audit level Request vs None`;
const AUDITED = "audit Request";
const UNAUDITED = "audit None";

export const writeBurstScenario: Scenario = {
  id: "write-burst",
  title: TITLE,
  async run(context) {
    const rounds = context.rounds(5, 3);
    const durationMs = context.ms(2_500);
    const body = createConfigMapBody();
    const creates = (variant: Variant, duration: number, max = 0): Promise<RequestsResult> =>
      context.stack.load.run({
        kind: "requests",
        target: variant.target,
        path: PATHS.configMaps,
        method: "POST",
        body,
        okStatus: 201,
        concurrency: CONCURRENCY,
        durationMs: duration,
        maxRequests: max,
      });
    return withEngineVariants(
      context,
      [
        { name: "audit-request", serveArgs: ["--audit-level", "Request"] },
        { name: "audit-none", serveArgs: ["--audit-level", "None"] },
      ],
      async ([audited, unaudited]) => {
        const direct = context.stack.targets.direct;
        const variants: Variant[] = [
          ...(direct ? [{ label: "direct", target: direct, pid: null }] : []),
          { label: AUDITED, target: audited!.target, pid: audited!.pid },
          { label: UNAUDITED, target: unaudited!.target, pid: unaudited!.pid },
        ];
        const run = await interleaveVariants(context, variants, rounds, (v) => creates(v, durationMs), (v) => creates(v, 10_000, 200));
        const table = variantTable({
          run,
          figures: (r: RequestsResult) => {
            const p = percentiles(r.latenciesMs);
            return { p50: p.p50, p90: p.p90, p99: p.p99, throughput: r.count / (r.elapsedMs / 1000), ops: r.count };
          },
          latency: { label: "create" },
          throughputLabel: "writes",
          throughputUnit: "writes/s",
          cpuPer: 1,
          cpuUnit: "ms/write",
          ratios: [[AUDITED, UNAUDITED], ...(direct ? ([[AUDITED, "direct"]] as [string, string][]) : [])],
        });
        const a = table.summaries.get(AUDITED);
        const u = table.summaries.get(UNAUDITED);
        const errors = sum(run.slices.map((s) => s.result.errors));
        const notes = [
          `${CONCURRENCY} keep-alive connections, each sending the next create as soon as the last 201 arrived; request body ${body.length} bytes`,
          "the data dirs are on the machine's temporary directory; fdatasync cost depends on that disk",
        ];
        if (errors > 0) notes.push(`${errors} failed creates (first: ${run.slices.find((s) => s.result.firstError)?.result.firstError})`);
        return {
          id: "write-burst",
          title: TITLE,
          method: `${rounds} rounds × ${durationMs} ms of creates per configuration, interleaved; two fresh engines side by side, each on its own data dir; medians over rounds`,
          columns: table.columns,
          rows: table.rows,
          checks: [
            figure("writes/s, audit Request ÷ None", table.ratio(AUDITED, UNAUDITED, "throughput"), (v) => `${percent(v)} (${Math.round(a?.throughput ?? NaN)} vs ${Math.round(u?.throughput ?? NaN)} writes/s)`),
            figure("create p50 / p99 with audit Request", a?.p50 ?? NaN, (v) => `${ms(v)} / ${ms(a?.p99 ?? NaN)} (None: ${ms(u?.p50 ?? NaN)} / ${ms(u?.p99 ?? NaN)})`),
            figure("engine CPU per write, audit Request", a?.proxyCpu ?? NaN, (v) => `${v.toFixed(3)} ms (None: ${(u?.proxyCpu ?? NaN).toFixed(3)} ms)`),
          ],
          notes,
          raw: {
            concurrency: CONCURRENCY,
            bodyBytes: body.length,
            rounds: run.slices.map((s) => ({
              variant: s.variant,
              round: s.round,
              writes: s.result.count,
              errors: s.result.errors,
              ...percentiles(s.result.latenciesMs),
              writesPerSecond: s.result.count / (s.result.elapsedMs / 1000),
              proxyCpuMs: s.proxyCpuMs,
              wallMs: s.wallMs,
            })),
            peakRssMiB: run.peakRssMiB,
          },
        };
      },
    );
  },
};
