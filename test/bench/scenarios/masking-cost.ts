// What masking costs (issue 5), through one engine seen by two agents: one with the bench profile
// (everything masked, the default) and one with the same profile and `masking: false`. The
// difference between the two is masking alone — same process, same connection handling, same
// policy decisions. The issue's targets: a masked 5,000-Secret LIST within 1.5 × the unmasked
// proxied time, and at least 30,000 masked Secret watch events per second. Direct is measured too.
import { LIST_ITEMS, PATHS, WATCH_EVENTS } from "../canned-api.js";
import { UNMASKED_PROFILE } from "../bench-policy.js";
import { interleaveVariants, type Variant } from "../variant-interleave.js";
import { variantTable } from "../variant-table.js";
import { atLeast, atMost, count, figure, percent, times } from "../checks.js";
import { median, percentiles, sum } from "../stats.js";
import type { RequestsResult, WatchBurstResult } from "../jobs.js";
import type { Scenario, ScenarioContext } from "../scenario.js";

const MIB = 1024 * 1024;
const MASKED = "masked";
const UNMASKED = "unmasked";
const LIST_TITLE = `Masking: LIST ${LIST_ITEMS.toLocaleString("en-US")} Secrets, masked vs unmasked profile`;
const WATCH_TITLE = `Masking: watch of ${WATCH_EVENTS.toLocaleString("en-US")} Secret events, masked vs unmasked profile`;

async function maskingVariants(context: ScenarioContext): Promise<Variant[]> {
  const { targets, pids } = context.stack;
  const direct = targets.direct;
  return [
    ...(direct ? [{ label: "direct", target: direct, pid: null }] : []),
    { label: MASKED, target: await context.stack.agentTarget("bench"), pid: pids.engine },
    { label: UNMASKED, target: await context.stack.agentTarget(UNMASKED_PROFILE), pid: pids.engine },
  ];
}

/** Masking rewrites every Secret value, so a masked body differs in size: a cheap proof it ran. */
function bodySizes(sizes: Map<string, number>): string[] {
  const masked = sizes.get(MASKED);
  const unmasked = sizes.get(UNMASKED);
  const line = `body per response: ${[...sizes].map(([label, bytes]) => `${label} ${(bytes / MIB).toFixed(2)} MiB`).join(", ")}`;
  if (masked !== undefined && unmasked !== undefined && masked === unmasked) {
    return [line, "warning: the masked and unmasked bodies are the same size; masking may not have run"];
  }
  return [line];
}

const SHARED_ENGINE = "masked and unmasked run through the same engine process, so they share its peak RSS";

export const listSecretsMaskingScenario: Scenario = {
  id: "list-secrets-masking",
  title: LIST_TITLE,
  async run(context) {
    const rounds = context.rounds(5, 3);
    const durationMs = context.ms(2_500);
    const variants = await maskingVariants(context);
    const list = (variant: Variant, duration: number, max = 0): Promise<RequestsResult> =>
      context.stack.load.run({ kind: "requests", target: variant.target, path: PATHS.secrets, concurrency: 1, durationMs: duration, maxRequests: max });
    const run = await interleaveVariants(context, variants, rounds, (v) => list(v, durationMs), (v) => list(v, 10_000, 4));
    const table = variantTable({
      run,
      figures: (r: RequestsResult) => {
        const p = percentiles(r.latenciesMs);
        // LISTs per second, not MiB/s: a masked body is smaller (placeholders are shorter than the values).
        return { p50: p.p50, p90: p.p90, p99: p.p99, throughput: r.count / (r.elapsedMs / 1000), ops: r.count };
      },
      latency: { label: "time per LIST" },
      throughputLabel: "LISTs",
      throughputUnit: "LIST/s",
      throughputDigits: 1,
      cpuPer: 1,
      cpuUnit: "ms/LIST",
      ratios: [[MASKED, UNMASKED], ...(variants[0]?.pid === null ? ([[MASKED, "direct"], [UNMASKED, "direct"]] as [string, string][]) : [])],
    });
    const sizes = new Map(variants.map((v) => {
      const slices = run.slices.filter((s) => s.variant === v.label);
      return [v.label, sum(slices.map((s) => s.result.bodyBytes)) / Math.max(1, sum(slices.map((s) => s.result.count)))] as const;
    }));
    const errors = sum(run.slices.map((s) => s.result.errors));
    const notes = [...bodySizes(sizes), SHARED_ENGINE];
    if (errors > 0) notes.push(`${errors} failed LISTs (first: ${run.slices.find((s) => s.result.firstError)?.result.firstError})`);
    return {
      id: "list-secrets-masking",
      title: LIST_TITLE,
      method: `${rounds} rounds × ${durationMs} ms of back-to-back LISTs per agent (one connection), interleaved; medians over rounds; ratios pair rounds`,
      columns: table.columns,
      rows: table.rows,
      checks: [
        atMost("masked LIST ≤ 1.5 × the unmasked proxied time (p50)", table.ratio(MASKED, UNMASKED, "p50"), 1.5, times),
        figure("engine CPU per LIST, masked ÷ unmasked", table.ratio(MASKED, UNMASKED, "proxyCpu"), times),
      ],
      notes,
      raw: {
        bodyBytes: Object.fromEntries(sizes),
        rounds: run.slices.map((s) => ({
          variant: s.variant,
          round: s.round,
          lists: s.result.count,
          errors: s.result.errors,
          ...percentiles(s.result.latenciesMs),
          listsPerSecond: s.result.count / (s.result.elapsedMs / 1000),
          proxyCpuMs: s.proxyCpuMs,
          wallMs: s.wallMs,
        })),
        peakRssMiB: run.peakRssMiB,
      },
    };
  },
};

export const watchSecretsMaskingScenario: Scenario = {
  id: "watch-secrets-masking",
  title: WATCH_TITLE,
  async run(context) {
    const rounds = context.rounds(5, 3);
    const variants = await maskingVariants(context);
    const burst = (variant: Variant): Promise<WatchBurstResult> =>
      context.stack.load.run({ kind: "watch-burst", target: variant.target, path: PATHS.watchSecrets, timeoutMs: 60_000 });
    const run = await interleaveVariants(context, variants, rounds, burst, burst);
    const table = variantTable({
      run,
      figures: (r: WatchBurstResult) => ({ p50: NaN, p90: NaN, p99: NaN, throughput: r.events / (r.elapsedMs / 1000), ops: r.events }),
      latency: null,
      throughputLabel: "events",
      throughputUnit: "events/s",
      cpuPer: 1_000,
      cpuUnit: "ms/1k events",
      ratios: [[MASKED, UNMASKED], ...(variants[0]?.pid === null ? ([[MASKED, "direct"]] as [string, string][]) : [])],
    });
    const sizes = new Map(variants.map((v) => [v.label, median(run.slices.filter((s) => s.variant === v.label).map((s) => s.result.bodyBytes))] as const));
    const masked = table.summaries.get(MASKED)?.throughput ?? NaN;
    return {
      id: "watch-secrets-masking",
      title: WATCH_TITLE,
      method: `${rounds} rounds, one watch of ${WATCH_EVENTS.toLocaleString("en-US")} Secret events (~1 KB, two data values each) per agent per round, interleaved; events/s from request to last event; medians over rounds`,
      columns: table.columns,
      rows: table.rows,
      checks: [
        atLeast("≥ 30,000 masked watch events/s", masked, 30_000, (v) => `${count(v)} events/s`),
        figure("masked ÷ unmasked watch events/s", table.ratio(MASKED, UNMASKED, "throughput"), percent),
      ],
      notes: [...bodySizes(sizes).map((l) => l.replace("per response", "per watch")), SHARED_ENGINE],
      raw: {
        bodyBytes: Object.fromEntries(sizes),
        rounds: run.slices.map((s) => ({ variant: s.variant, round: s.round, ...s.result, eventsPerSecond: s.result.events / (s.result.elapsedMs / 1000), proxyCpuMs: s.proxyCpuMs })),
        peakRssMiB: run.peakRssMiB,
      },
    };
  },
};
