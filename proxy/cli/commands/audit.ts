// `chaperone audit tail|verify`: read the audit log offline, from the data dir (no engine needed).
import { join } from "node:path";
import { parseArgs } from "../args.js";
import { AUDIT_USAGE } from "../usage.js";
import { CliError } from "../cli-error.js";
import { resolveDataDir, DATA_FILES } from "../../config/data-dir.js";
import { readAuditLog } from "../../audit/audit-reader.js";
import { formatEvent } from "../../audit/audit-format.js";
import { verifyAuditLog } from "../../audit/audit-verify.js";
import { listAuditFiles } from "../../audit/audit-files.js";
import { ANNOTATION, type AuditEvent } from "../../audit/audit-event.js";

/** `-f` and `-n N` as tail users type them; the shared parser knows only long options. */
function expandShortFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === "-f") out.push("--follow");
    else if (arg === "-n") out.push("--lines");
    else if (/^-n\d+$/.test(arg)) out.push("--lines", arg.slice(2));
    else out.push(arg);
  }
  return out;
}

function matches(event: AuditEvent, filters: { agent?: string | undefined; run?: string | undefined; verb?: string | undefined }): boolean {
  const a = event.annotations ?? {};
  if (filters.agent !== undefined && a[ANNOTATION.agent] !== filters.agent) return false;
  if (filters.run !== undefined && !(a[ANNOTATION.run] ?? "").split(",").some((r) => r.startsWith(filters.run as string))) return false;
  if (filters.verb !== undefined && event.verb !== filters.verb) return false;
  return true;
}

async function tail(argv: string[]): Promise<number> {
  const args = parseArgs(expandShortFlags(argv), { values: ["data-dir", "lines", "agent", "run", "verb"], booleans: ["follow", "json"] }, "audit tail");
  if (args.booleans.has("help")) {
    console.log(AUDIT_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new CliError(`audit tail: unexpected argument ${args.positionals[0]}`);
  const linesText = args.values.get("lines") ?? "20";
  if (!/^\d+$/.test(linesText)) throw new CliError(`audit tail: -n needs a number of events, not "${linesText}"`);
  const lines = Number(linesText);
  const dir = join(resolveDataDir(args.values.get("data-dir")), DATA_FILES.audit);
  const filters = { agent: args.values.get("agent"), run: args.values.get("run"), verb: args.values.get("verb") };
  const json = args.booleans.has("json");
  const show = (event: AuditEvent): void => {
    process.stdout.write(`${json ? JSON.stringify(event) : formatEvent(event)}\n`);
  };

  const recent: AuditEvent[] = [];
  let following = false;
  const reader = readAuditLog(dir, (event) => {
    if (!matches(event, filters)) return;
    if (following) {
      show(event);
      return;
    }
    recent.push(event);
    if (recent.length > lines) recent.shift();
  });
  for (const event of recent) show(event);
  if (!args.booleans.has("follow")) {
    reader.close();
    return 0;
  }
  following = true;
  return new Promise((resolve) => {
    const timer = setInterval(() => reader.poll(), 250);
    const stop = (): void => {
      clearInterval(timer);
      reader.close();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

function verify(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir"], booleans: ["json"] }, "audit verify");
  if (args.booleans.has("help")) {
    console.log(AUDIT_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new CliError(`audit verify: unexpected argument ${args.positionals[0]}`);
  const dir = join(resolveDataDir(args.values.get("data-dir")), DATA_FILES.audit);
  const names = (): string => listAuditFiles(dir).map((f) => f.name).join(",");
  const before = names();
  let report = verifyAuditLog(dir);
  // A running engine may rotate mid-read (the active file is renamed under us): look again once.
  if (!report.ok && names() !== before) report = verifyAuditLog(dir);
  if (args.booleans.has("json")) {
    console.log(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  }
  for (const warning of report.warnings) console.error(`warning: ${warning}`);
  if (!report.ok && report.problem) {
    const p = report.problem;
    const which = p.seq !== null ? `event seq ${p.seq}${p.auditID ? ` (auditID ${p.auditID})` : ""}` : "this line";
    console.log(`FAILED: ${p.file}:${p.line}: ${which} ${p.message}`);
    console.log(`${report.events} events before it verified`);
    return 1;
  }
  if (report.events === 0) {
    console.log(`ok: no audit events in ${dir}`);
    return 0;
  }
  console.log(
    `ok: ${report.events} events (seq ${report.firstSeq}–${report.lastSeq}) in ${report.files} file${report.files === 1 ? "" : "s"}, chain intact; last hash ${report.headHash}`,
  );
  return 0;
}

export async function auditCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case undefined:
      console.error(AUDIT_USAGE);
      return 2;
    case "--help":
    case "-h":
      console.log(AUDIT_USAGE);
      return 0;
    case "tail":
      return tail(rest);
    case "verify":
      return verify(rest);
    default:
      throw new CliError(`audit: unknown subcommand "${sub}" (tail, verify)`);
  }
}
