// `npm run bench`: measures what Chaperone costs on this machine. Starts the stack (fast upstream,
// `chaperone serve`, `kubectl proxy`, load generator), runs every scenario against the three
// targets interleaved, prints a table per scenario and writes bench-results/latest.{json,md} plus a
// dated JSON copy. It reports; it never fails the build over a missed target (exit code 0 unless
// the suite itself could not run).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseBenchOptions } from "./bench-options.js";
import { REPO_ROOT, findKubectl, startBenchStack, type BenchStack } from "./bench-stack.js";
import { machineInfo } from "./machine-info.js";
import { procAvailable } from "./process-stats.js";
import { acquireRunLock } from "./run-lock.js";
import { SCENARIOS } from "./scenarios/index.js";
import { formatScenarioText, writeResults, type BenchRun } from "./report.js";
import { formatProfileSummary, summarizeCpuProfile } from "./cpu-profile-summary.js";
import type { ScenarioContext, ScenarioReport } from "./scenario.js";
import { PATHS } from "./canned-api.js";
import { TARGET_NAMES, type Target } from "./jobs.js";

/** The whole suite is bounded: a hung scenario must not hang CI or a developer's terminal. */
const SUITE_LIMIT_MS = 12 * 60 * 1000;
/** How long a run waits for another one on the same machine to finish. */
const LOCK_WAIT_MS = 15 * 60 * 1000;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Every target answers a GET and streams an exec, or the run stops here with a clear reason. */
async function sanityCheck(stack: BenchStack): Promise<void> {
  for (const target of Object.values(stack.targets) as Target[]) {
    const result = await stack.load.run({ kind: "requests", target, path: PATHS.smallObject, concurrency: 1, durationMs: 5_000, maxRequests: 3 });
    if (result.errors > 0 || result.count === 0) {
      throw new Error(`${target.name} does not answer the benchmark GET: ${result.firstError ?? "no response"}`);
    }
    const bytes = 64 * 1024;
    try {
      await stack.load.run({ kind: "exec", target, path: PATHS.exec(bytes), protocol: "websocket", bytes, timeoutMs: 10_000 });
    } catch (error) {
      const hint = target.name === "chaperone" ? " (is exec allowed by the benchmark policy, test/bench/bench-policy.ts, or does it wait for an approval?)" : "";
      throw new Error(`${target.name} does not stream a benchmark exec: ${(error as Error).message}${hint}`);
    }
  }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), REPO_ROOT);
  if (!procAvailable()) {
    log("bench: /proc is not available; the suite reads CPU time and RSS from it and runs on Linux only");
    return 1;
  }
  const unknown = options.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    log(`bench: unknown scenario(s) ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
    return 2;
  }
  const badTargets = options.targets.filter((t) => !(TARGET_NAMES as readonly string[]).includes(t));
  if (badTargets.length > 0) {
    log(`bench: unknown target(s) ${badTargets.join(", ")}; known: ${TARGET_NAMES.join(", ")}`);
    return 2;
  }
  const scenarios = SCENARIOS.filter((s) => options.only.length === 0 || options.only.includes(s.id));
  const release = await acquireRunLock(LOCK_WAIT_MS, log);
  if (!release) {
    log(`bench: gave up waiting ${LOCK_WAIT_MS / 60000} minutes for the other benchmark run`);
    return 1;
  }
  const limit = setTimeout(() => {
    log(`bench: the suite exceeded ${SUITE_LIMIT_MS / 60000} minutes; giving up`);
    process.exit(1);
  }, SUITE_LIMIT_MS);
  limit.unref();
  const kubectl = findKubectl(options.kubectl);
  const machine = machineInfo(kubectl, REPO_ROOT);
  const started = performance.now();
  const date = new Date().toISOString();
  log(`bench: ${machine.cpuModel} × ${machine.cores}, Node ${machine.node}, kubectl ${machine.kubectl ?? "not found (kubectl-proxy target skipped)"}, load average ${machine.loadAverageAtStart.toFixed(2)}`);
  if (machine.loadAverageAtStart > 0.5 * machine.cores) log("bench: warning: the machine is busy; figures will be noisy");

  const profileDir = options.profile ? join(options.outDir, "profiles", date.replace(/[:.]/g, "-").replace(/-\d+Z$/, "Z")) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const stack = await startBenchStack({ cli: options.engine, kubectl, profile: options.profile });
  // Ctrl-C (or a CI timeout) must not leave an engine or kubectl proxy behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`bench: ${signal}, stopping`);
      void stack.stop().finally(() => process.exit(130));
    });
  }
  const profiles: string[] = [];
  const reports: ScenarioReport[] = [];
  const failures: { id: string; error: string }[] = [];
  try {
    await sanityCheck(stack);
    log(`bench: stack up in ${((performance.now() - started) / 1000).toFixed(1)} s (upstream :${stack.upstreamPort}, ${Object.values(stack.targets).map((t) => `${t.name} :${t.port}`).join(", ")})`);
    const context: ScenarioContext = {
      stack,
      options,
      log,
      rounds: (full, min = 2) => Math.max(min, Math.round(full * options.scale)),
      ms: (full) => Math.round(full * Math.max(options.scale, 0.25)),
    };
    for (const scenario of scenarios) {
      log(`bench: ${scenario.id} — ${scenario.title}`);
      const t0 = performance.now();
      try {
        await stack.load.run({ kind: "reset" });
        await stack.restartProxies();
        await stack.profiler?.start();
        const report = await scenario.run(context);
        if (stack.profiler && profileDir) {
          const profile = await stack.profiler.stop();
          const file = join(profileDir, `${scenario.id}.cpuprofile`);
          writeFileSync(file, JSON.stringify(profile));
          const summary = summarizeCpuProfile(profile, `${scenario.id} (${file})`);
          report.profile = summary;
          profiles.push(formatProfileSummary(summary));
        }
        reports.push(report);
        console.log(formatScenarioText(report));
      } catch (error) {
        await stack.profiler?.stop().catch(() => undefined);
        const message = (error as Error).message;
        failures.push({ id: scenario.id, error: message });
        log(`bench: ${scenario.id} failed: ${message}`);
      }
      if (!stack.engineAlive()) failures.push({ id: scenario.id, error: "the engine died during this scenario (its output is above)" });
      log(`bench: ${scenario.id} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await stack.stop();
  }

  const run: BenchRun = {
    suite: "chaperone-bench",
    format: 1,
    date,
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    options: { only: options.only, scale: options.scale, targets: options.targets, profile: options.profile, engine: options.engine },
    scenarios: reports,
    failures,
  };
  const written = writeResults(options.outDir, run);
  const checks = reports.flatMap((r) => r.checks.filter((c) => c.met !== null).map((c) => ({ scenario: r.id, ...c })));
  console.log(`\nTargets: ${checks.filter((c) => c.met).length} of ${checks.length} met`);
  for (const c of checks) console.log(`  ${c.met ? "✔" : "✘"} ${c.scenario}: ${c.goal}: ${c.actual}`);
  const figures = reports.flatMap((r) => r.checks.filter((c) => c.noTarget).map((c) => ({ scenario: r.id, ...c })));
  if (figures.length > 0) console.log("Figures without a target:");
  for (const c of figures) console.log(`  · ${c.scenario}: ${c.goal}: ${c.actual}`);
  for (const f of failures) console.log(`  ✘ ${f.id}: scenario failed: ${f.error}`);
  console.log(`\nwrote ${written.join(", ")} (${run.durationSeconds.toFixed(0)} s)`);

  for (const profile of profiles) console.log(profile);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  },
);
