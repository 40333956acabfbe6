// 1,000 watches held open with nothing happening: an agent (or several) with many informers. What
// it costs to *hold* them: the proxy's resident memory and its CPU while nothing moves, which
// should be zero (no timers per connection, no polling).
import { PATHS } from "../canned-api.js";
import { availableTargets, processIds, proxyProcess } from "../interleave.js";
import { cpuTimeMs, memory, resetPeakRss } from "../process-stats.js";
import { atMost } from "../checks.js";
import type { Check, Row, Scenario } from "../scenario.js";

const WATCHES = 1_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const TITLE = `${WATCHES.toLocaleString("en-US")} concurrent idle watches`;

export const idleWatchesScenario: Scenario = {
  id: "idle-watches",
  title: TITLE,
  async run(context) {
    const idleMs = context.ms(10_000);
    const pids = processIds(context);
    const rows: Row[] = [];
    const raw: Record<string, unknown>[] = [];
    const checks: Check[] = [];
    const notes: string[] = [];
    for (const target of availableTargets(context)) {
      const proxy = proxyProcess(target.name);
      const pid = proxy ? pids[proxy] : undefined;
      const before = pid !== undefined ? memory(pid) : null;
      if (pid !== undefined) resetPeakRss(pid);
      const opened = await context.stack.load.run({ kind: "open-idle", target, path: PATHS.watchIdle, count: WATCHES, parallel: 16, timeoutMs: 60_000 });
      if (opened.firstError) notes.push(`${target.name}: ${WATCHES - opened.opened} watches failed to open (first: ${opened.firstError})`);
      context.log(`    ${target.name}: ${opened.opened} watches open in ${(opened.elapsedMs / 1000).toFixed(2)} s; idling ${idleMs} ms`);
      await sleep(1_000);
      const cpuBefore = pid !== undefined ? cpuTimeMs(pid) : NaN;
      const loadBefore = cpuTimeMs(pids["load-generator"] as number);
      const upstreamBefore = cpuTimeMs(pids.upstream as number);
      // Second by second, so a one-off (V8's memory reducer runs a full GC some seconds after a
      // burst of allocation) can be told apart from CPU that idling itself costs.
      const perSecondMs: number[] = [];
      let last = cpuBefore;
      for (let waited = 0; waited < idleMs; waited += 1_000) {
        await sleep(Math.min(1_000, idleMs - waited));
        const now = pid !== undefined ? cpuTimeMs(pid) : NaN;
        perSecondMs.push(now - last);
        last = now;
      }
      const idleCpuPct = ((pid !== undefined ? cpuTimeMs(pid) : NaN) - cpuBefore) / idleMs * 100;
      const busySeconds = perSecondMs.filter((ms) => ms > 0);
      if (pid !== undefined && busySeconds.length > 0) {
        notes.push(
          `${target.name}: CPU in ${busySeconds.length} of ${perSecondMs.length} idle seconds (${busySeconds.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}); the rest at 0`,
        );
      }
      const loadCpuPct = (cpuTimeMs(pids["load-generator"] as number) - loadBefore) / idleMs * 100;
      const upstreamCpuPct = (cpuTimeMs(pids.upstream as number) - upstreamBefore) / idleMs * 100;
      const held = pid !== undefined ? memory(pid) : null;
      await context.stack.load.run({ kind: "close-idle" });
      await sleep(1_000);
      const after = pid !== undefined ? memory(pid) : null;
      const value = (n: number | undefined): number | null => (n !== undefined && Number.isFinite(n) ? n : null);
      rows.push({
        label: target.name,
        kind: "target",
        values: {
          opened: opened.opened,
          openSeconds: opened.elapsedMs / 1000,
          rssBefore: value(before?.rssMiB),
          rssHeld: value(held?.rssMiB),
          peakRss: value(held?.peakRssMiB),
          perWatch: before && held ? value(((held.rssMiB - before.rssMiB) * 1024) / opened.opened) : null,
          idleCpu: value(idleCpuPct),
          rssAfter: value(after?.rssMiB),
          loadCpu: value(loadCpuPct),
          upstreamCpu: value(upstreamCpuPct),
        },
      });
      raw.push({ target: target.name, opened, before, held, after, idleCpuPct, idleCpuMsPerSecond: perSecondMs, loadCpuPct, upstreamCpuPct });
      if (target.name === "chaperone") {
        checks.push(atMost(`RSS with ${WATCHES.toLocaleString("en-US")} idle watches ≤ 200 MB (peak)`, (held?.peakRssMiB ?? NaN) * 1.048576, 200, (v) => `${v.toFixed(0)} MB`));
        checks.push(atMost(`idle CPU ≈ 0 (≤ 1 % of a core, mean over ${idleMs / 1000} s)`, idleCpuPct, 1, (v) => `${v.toFixed(2)} % of a core`));
      }
    }
    return {
      id: "idle-watches",
      title: TITLE,
      method: `${WATCHES} watches opened (16 at a time, one TLS connection each, as kubectl over HTTP/1.1 does), then ${idleMs} ms with no event; RSS from /proc VmRSS/VmHWM, CPU from /proc stat`,
      columns: [
        { key: "opened", label: "watches", unit: "", digits: 0 },
        { key: "openSeconds", label: "time to open all", unit: "s", digits: 2 },
        { key: "rssBefore", label: "proxy RSS before", unit: "MiB", digits: 1 },
        { key: "rssHeld", label: "proxy RSS held", unit: "MiB", digits: 1 },
        { key: "peakRss", label: "proxy peak RSS", unit: "MiB", digits: 1 },
        { key: "perWatch", label: "per watch", unit: "KiB", digits: 1 },
        { key: "idleCpu", label: "proxy idle CPU", unit: "% core", digits: 2 },
        { key: "rssAfter", label: "proxy RSS after close", unit: "MiB", digits: 1 },
        { key: "loadCpu", label: "client CPU", unit: "%", digits: 1 },
        { key: "upstreamCpu", label: "upstream CPU", unit: "%", digits: 1 },
      ],
      rows,
      checks,
      notes,
      raw,
    };
  },
};
