// Exec stream throughput: 200 MiB of stdout through an upgraded connection, WebSocket
// (v5.channel.k8s.io) or SPDY/3.1 (v4.channel.k8s.io) — what `kubectl exec … cat bigfile` or
// `kubectl cp` from a pod moves. The gateway relays the upgraded bytes.
import { PATHS } from "../canned-api.js";
import { interleave } from "../interleave.js";
import { standardTable, rowValue } from "../summarize.js";
import { atLeast, percent } from "../checks.js";
import { median } from "../stats.js";
import type { ExecResult, Target } from "../jobs.js";
import type { ExecProtocol } from "../exec-client.js";
import type { Scenario } from "../scenario.js";

const MIB = 1024 * 1024;
export const EXEC_BYTES = 200 * MIB;

export function execScenario(protocol: ExecProtocol): Scenario {
  const id = `exec-${protocol}`;
  const title = `Exec: 200 MiB of stdout over ${protocol === "websocket" ? "WebSocket (v5.channel.k8s.io)" : "SPDY/3.1 (v4.channel.k8s.io)"}`;
  return {
    id,
    title,
    async run(context) {
      const rounds = context.rounds(4, 2);
      const exec = (target: Target, bytes: number): Promise<ExecResult> =>
        context.stack.load.run({ kind: "exec", target, path: PATHS.exec(bytes), protocol, bytes, timeoutMs: 60_000 });
      const run = await interleave(
        context,
        rounds,
        (target) => exec(target, EXEC_BYTES),
        (target) => exec(target, 20 * MIB),
      );
      const table = standardTable({
        run,
        figures: (r: ExecResult) => ({ p50: NaN, p90: NaN, p99: NaN, throughput: r.bytes / MIB / (r.streamMs / 1000), ops: r.bytes / MIB }),
        latency: null,
        throughputLabel: "stdout",
        throughputUnit: "MiB/s",
        cpuPer: 1,
        cpuUnit: "ms/MiB",
      });
      const upgrade = (target: string): number => median(run.slices.filter((s) => s.target === target).map((s) => s.result.upgradeMs));
      return {
        id,
        title,
        method: `${rounds} rounds, one 200 MiB exec per target per round (32 KiB frames), interleaved; MiB/s from the 101 answer to the last stdout byte; medians over rounds`,
        columns: table.columns,
        rows: table.rows,
        checks: [atLeast("≥ 80 % of direct throughput", rowValue(table, "chaperone ÷ direct", "throughput"), 0.8, percent)],
        notes: [
          `upgrade handshake (request to 101), median: ${["direct", "chaperone", "kubectl-proxy"]
            .filter((t) => run.slices.some((s) => s.target === t))
            .map((t) => `${t} ${upgrade(t).toFixed(2)} ms`)
            .join(", ")}`,
        ],
        raw: {
          bytes: EXEC_BYTES,
          rounds: run.slices.map((s) => ({ target: s.target, round: s.round, ...s.result, mibPerSecond: s.result.bytes / MIB / (s.result.streamMs / 1000), cpuMs: s.cpuMs })),
          peakRssMiB: run.peakRssMiB,
        },
      };
    },
  };
}
