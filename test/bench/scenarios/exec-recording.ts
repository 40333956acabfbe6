// What exec recording costs (issue 6): the exec-websocket stream (200 MiB of stdout, 32 KiB
// frames) through two engines of the same build, one with `--exec-recording on` (the default:
// every frame parsed and written to recordings/ID.bin) and one with `--exec-recording off`.
// Both engines are fresh, on data dirs of their own, and run side by side so rounds interleave;
// direct is measured too, as the ceiling.
import { PATHS } from "../canned-api.js";
import { interleaveVariants, type Variant } from "../variant-interleave.js";
import { variantTable } from "../variant-table.js";
import { withEngineVariants } from "../engine-variants.js";
import { figure, percent } from "../checks.js";
import { EXEC_BYTES } from "./exec.js";
import type { ExecResult } from "../jobs.js";
import type { Scenario } from "../scenario.js";

const MIB = 1024 * 1024;
const TITLE = "Exec recording: 200 MiB of stdout (WebSocket), recording on vs off";
const ON = "recording on";
const OFF = "recording off";

export const execRecordingScenario: Scenario = {
  id: "exec-recording",
  title: TITLE,
  async run(context) {
    const rounds = context.rounds(4, 2);
    const exec = (variant: Variant, bytes: number): Promise<ExecResult> =>
      context.stack.load.run({ kind: "exec", target: variant.target, path: PATHS.exec(bytes), protocol: "websocket", bytes, timeoutMs: 60_000 });
    return withEngineVariants(
      context,
      [
        { name: "recording-on", serveArgs: ["--exec-recording", "on"] },
        { name: "recording-off", serveArgs: ["--exec-recording", "off"] },
      ],
      async ([on, off]) => {
        const direct = context.stack.targets.direct;
        const variants: Variant[] = [
          ...(direct ? [{ label: "direct", target: direct, pid: null }] : []),
          { label: ON, target: on!.target, pid: on!.pid },
          { label: OFF, target: off!.target, pid: off!.pid },
        ];
        const run = await interleaveVariants(context, variants, rounds, (v) => exec(v, EXEC_BYTES), (v) => exec(v, 20 * MIB));
        const table = variantTable({
          run,
          figures: (r: ExecResult) => ({ p50: NaN, p90: NaN, p99: NaN, throughput: r.bytes / MIB / (r.streamMs / 1000), ops: r.bytes / MIB }),
          latency: null,
          throughputLabel: "stdout",
          throughputUnit: "MiB/s",
          cpuPer: 1,
          cpuUnit: "ms/MiB",
          ratios: [[ON, OFF], ...(direct ? ([[ON, "direct"], [OFF, "direct"]] as [string, string][]) : [])],
        });
        const onCpu = table.summaries.get(ON)?.proxyCpu ?? NaN;
        const offCpu = table.summaries.get(OFF)?.proxyCpu ?? NaN;
        return {
          id: "exec-recording",
          title: TITLE,
          method: `${rounds} rounds, one 200 MiB exec per configuration per round (32 KiB frames), interleaved; two fresh engines side by side, each on its own data dir; MiB/s from the 101 answer to the last stdout byte; medians over rounds`,
          columns: table.columns,
          rows: table.rows,
          checks: [
            figure("exec stdout throughput, recording on ÷ off", table.ratio(ON, OFF, "throughput"), percent),
            figure("engine CPU per MiB, recording on − off", onCpu - offCpu, (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)} ms/MiB (${onCpu.toFixed(3)} vs ${offCpu.toFixed(3)})`),
          ],
          notes: ["the upstream answers `head -c N /dev/zero` with lines of letters (64 bytes each), so the output is text and the recording a terminal one (recordings/ID.cast); both configurations mask the stream the same way"],
          raw: {
            bytes: EXEC_BYTES,
            rounds: run.slices.map((s) => ({ variant: s.variant, round: s.round, ...s.result, mibPerSecond: s.result.bytes / MIB / (s.result.streamMs / 1000), proxyCpuMs: s.proxyCpuMs })),
            peakRssMiB: run.peakRssMiB,
          },
        };
      },
    );
  },
};
