// Watches, measured two ways. Throughput: the upstream pushes 50,000 events (~1 KB each, one
// chunk per event) as fast as the connection takes them; events per second at the client.
// Delay: the upstream sends one event per ~1 ms, stamped with its monotonic clock; the client
// subtracts on arrival. Paced events never queue, so the delay is what one event pays per hop.
import { PATHS, WATCH_EVENTS } from "../canned-api.js";
import { interleave } from "../interleave.js";
import { percentiles } from "../stats.js";
import { standardTable, rowValue } from "../summarize.js";
import { atLeast, atMost, count, ms } from "../checks.js";
import type { Target, WatchBurstResult, WatchPacedResult } from "../jobs.js";
import type { Scenario } from "../scenario.js";

const THROUGHPUT_TITLE = `Watch: ${WATCH_EVENTS.toLocaleString("en-US")} events as fast as they go`;
const DELAY_TITLE = "Watch: delay of one event (paced, ~1 event/ms)";

export const watchThroughputScenario: Scenario = {
  id: "watch-throughput",
  title: THROUGHPUT_TITLE,
  async run(context) {
    const rounds = context.rounds(5, 3);
    const burst = (target: Target): Promise<WatchBurstResult> =>
      context.stack.load.run({ kind: "watch-burst", target, path: PATHS.watchBurst, timeoutMs: 60_000 });
    const run = await interleave(context, rounds, burst, burst);
    const table = standardTable({
      run,
      figures: (r: WatchBurstResult) => ({ p50: NaN, p90: NaN, p99: NaN, throughput: r.events / (r.elapsedMs / 1000), ops: r.events }),
      latency: null,
      throughputLabel: "events",
      throughputUnit: "events/s",
      cpuPer: 1_000,
      cpuUnit: "ms/1k events",
    });
    const chaperone = table.summaries.get("chaperone");
    const bytes = run.slices[0]?.result.bodyBytes ?? 0;
    return {
      id: "watch-throughput",
      title: THROUGHPUT_TITLE,
      method: `${rounds} rounds, one watch of ${WATCH_EVENTS.toLocaleString("en-US")} events per target per round, interleaved; events/s from request to last event; medians over rounds`,
      columns: table.columns,
      rows: table.rows,
      checks: [atLeast("≥ 50,000 events/s sustained", chaperone?.throughput ?? NaN, 50_000, (v) => `${count(v)} events/s`)],
      notes: [`${(bytes / WATCH_EVENTS).toFixed(0)} bytes per event on the wire (chunk framing included)`],
      raw: {
        rounds: run.slices.map((s) => ({ target: s.target, round: s.round, ...s.result, eventsPerSecond: s.result.events / (s.result.elapsedMs / 1000), cpuMs: s.cpuMs })),
        peakRssMiB: run.peakRssMiB,
      },
    };
  },
};

export const watchDelayScenario: Scenario = {
  id: "watch-delay",
  title: DELAY_TITLE,
  async run(context) {
    const rounds = context.rounds(5, 3);
    const durationMs = context.ms(2_000);
    const run = await interleave(
      context,
      rounds,
      (target) => context.stack.load.run({ kind: "watch-paced", target, path: PATHS.watchPaced, durationMs }),
      (target) => context.stack.load.run({ kind: "watch-paced", target, path: PATHS.watchPaced, durationMs: context.ms(800) }),
    );
    const table = standardTable({
      run,
      figures: (r: WatchPacedResult) => {
        const p = percentiles(r.delaysMs);
        return { p50: p.p50, p90: p.p90, p99: p.p99, throughput: NaN, ops: p.count };
      },
      latency: { label: "event delay" },
      throughputLabel: null,
      throughputUnit: "",
      cpuPer: 1_000,
      cpuUnit: "ms/1k events",
    });
    return {
      id: "watch-delay",
      title: DELAY_TITLE,
      method: `${rounds} rounds × ${durationMs} ms of one paced watch per target, interleaved; delay = client receipt − upstream write (CLOCK_MONOTONIC on both ends); medians over rounds`,
      columns: table.columns,
      rows: table.rows,
      checks: [atMost("added delay per event p99 ≤ 2 ms", rowValue(table, "chaperone − direct", "p99"), 2, ms)],
      notes: ["proxy CPU here is per event when every event travels alone, the worst case for per-chunk overhead"],
      raw: {
        rounds: run.slices.map((s) => ({ target: s.target, round: s.round, ...percentiles(s.result.delaysMs), cpuMs: s.cpuMs })),
        peakRssMiB: run.peakRssMiB,
      },
    };
  },
};
