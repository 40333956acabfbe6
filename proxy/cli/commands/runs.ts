// `chaperone runs list|show`: the runs started with `chaperone run`, and what each did.
import { join } from "node:path";
import { parseArgs } from "../args.js";
import { RUNS_USAGE } from "../usage.js";
import { CliError } from "../cli-error.js";
import { safeLine } from "../terminal-text.js";
import { resolveDataDir, DATA_FILES } from "../../config/data-dir.js";
import { AgentRegistry } from "../../agents/agent-registry.js";
import { RunStore, type RunRecord } from "../../runs/run-store.js";
import { sweepAbandonedRuns } from "../../runs/abandoned-runs.js";
import { commandLine } from "../../recordings/asciicast.js";
import { readAuditLog } from "../../audit/audit-reader.js";
import { formatEvent } from "../../audit/audit-format.js";
import { ANNOTATION, type AuditEvent } from "../../audit/audit-event.js";

function duration(run: RunRecord): string {
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  const seconds = Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${Math.round((seconds % 3600) / 60)}m`;
}

function outcome(run: RunRecord): string {
  if (run.status === "running") return "running";
  if (run.status === "abandoned") return "abandoned";
  if (run.signal) return `signal ${run.signal}`;
  return `exit ${run.exitCode ?? "?"}`;
}

function load(dataDir: string): RunStore {
  const store = new RunStore(dataDir);
  try {
    sweepAbandonedRuns(store, new AgentRegistry(dataDir));
  } catch {
    // Listing still works from what is recorded.
  }
  return store;
}

function list(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir"], booleans: ["json"] }, "runs list");
  if (args.booleans.has("help")) {
    console.log(RUNS_USAGE);
    return 0;
  }
  const runs = load(resolveDataDir(args.values.get("data-dir"))).list();
  if (args.booleans.has("json")) {
    console.log(JSON.stringify(runs, null, 2));
    return 0;
  }
  if (runs.length === 0) {
    console.log("no runs (start one: chaperone run -- COMMAND)");
    return 0;
  }
  const rows = [
    ["ID", "NAME", "AGENT", "PROFILE", "STARTED", "DURATION", "OUTCOME", "COMMAND"],
    ...runs.map((r) => [r.id, r.name ?? "-", r.agent, r.profile, r.startedAt.replace(/\.\d+Z$/, "Z"), duration(r), outcome(r), safeLine(commandLine(r.command))]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col] as number)).join("  ").trimEnd());
  return 0;
}

function show(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir"], booleans: ["json"] }, "runs show");
  if (args.booleans.has("help")) {
    console.log(RUNS_USAGE);
    return 0;
  }
  const [id] = args.positionals;
  if (!id) throw new CliError("runs show: missing ID (see: chaperone runs list)");
  const dataDir = resolveDataDir(args.values.get("data-dir"));
  const run = load(dataDir).find(id);
  const events: AuditEvent[] = [];
  readAuditLog(join(dataDir, DATA_FILES.audit), (event) => {
    const runs = (event.annotations?.[ANNOTATION.run] ?? "").split(",");
    if (runs.includes(run.id)) events.push(event);
  }).close();
  if (args.booleans.has("json")) {
    console.log(JSON.stringify({ run, events }, null, 2));
    return 0;
  }
  console.log(`run       ${run.id}${run.name ? ` (${safeLine(run.name)})` : ""}`);
  console.log(`agent     ${run.agent} (profile ${run.profile}${run.ephemeralAgent ? ", created for this run" : ""})`);
  console.log(`command   ${safeLine(commandLine(run.command))}`);
  console.log(`cwd       ${safeLine(run.cwd)}`);
  console.log(`started   ${run.startedAt}`);
  console.log(`ended     ${run.endedAt ?? "-"} (${duration(run)})`);
  console.log(`outcome   ${outcome(run)}`);
  const requests = events.filter((e) => (e.annotations?.[ANNOTATION.event] ?? "request") === "request" && e.stage === "ResponseComplete");
  console.log(`requests  ${requests.length}`);
  for (const event of events) console.log(`  ${formatEvent(event)}`);
  return 0;
}

export async function runsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
      console.error(RUNS_USAGE);
      return 2;
    case "--help":
    case "-h":
      console.log(RUNS_USAGE);
      return 0;
    case "list":
      return list(rest);
    case "show":
      return show(rest);
    default:
      throw new CliError(`runs: unknown subcommand "${sub}" (list, show)`);
  }
}
