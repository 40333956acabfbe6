// `chaperone approvals list|approve|deny|watch`: answering held requests from a terminal. They all
// talk to the running engine (the queue lives in its memory), through the control API.
import { join } from "node:path";
import { parseArgs } from "../args.js";
import { APPROVALS_USAGE } from "../usage.js";
import { CliError } from "../cli-error.js";
import { parseDuration } from "../duration.js";
import { MAX_GRANT_MINUTES } from "../../control/contract.js";
import { approvalLine, byArrival, decisionLines } from "../approval-format.js";
import { resolveDataDir, DATA_FILES } from "../../config/data-dir.js";
import { ControlClient } from "../../control/control-client.js";
import type { DecideRequest } from "../../control/contract.js";
import { watchApprovals } from "./approvals-watch.js";

export async function approvalsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    console.log(APPROVALS_USAGE);
    return sub ? 0 : 2;
  }
  const args = parseArgs(rest, { values: ["data-dir", "for", "reason"], booleans: ["always"] }, `approvals ${sub}`);
  if (args.booleans.has("help")) {
    console.log(APPROVALS_USAGE);
    return 0;
  }
  const allowed: Record<string, readonly string[]> = { list: [], watch: [], approve: ["for", "always"], deny: ["reason"] };
  const accepts = allowed[sub];
  if (accepts === undefined) throw new CliError(`approvals: unknown subcommand "${sub}" (list, approve, deny, watch)`);
  for (const flag of [...args.values.keys(), ...args.booleans]) {
    if (flag !== "data-dir" && !accepts.includes(flag)) throw new CliError(`approvals ${sub}: unknown option --${flag} (see --help)`);
  }
  const dataDir = resolveDataDir(args.values.get("data-dir"));
  const policyFile = join(dataDir, DATA_FILES.policy);

  if (sub === "list" || sub === "watch") {
    if (args.positionals.length > 0) throw new CliError(`approvals ${sub}: unexpected argument ${args.positionals[0]}`);
    const client = ControlClient.forDataDir(dataDir);
    if (sub === "watch") return watchApprovals(client, { policyFile, input: process.stdin, output: process.stdout });
    const pending = (await client.call("GET /api/v1/approvals")).slice().sort(byArrival);
    if (pending.length === 0) console.log("no pending approvals");
    const now = Date.now();
    for (const view of pending) console.log(approvalLine(view, now));
    return 0;
  }

  const [id, extra] = args.positionals;
  if (id === undefined) throw new CliError(`approvals ${sub}: missing ID (see: chaperone approvals list)`);
  if (extra !== undefined) throw new CliError(`approvals ${sub}: unexpected argument ${extra}`);
  const duration = args.values.get("for");
  const always = args.booleans.has("always");
  if (duration !== undefined && always) {
    throw new CliError("approvals approve: --for and --always exclude each other (a grant for a while, or a rule for good)");
  }
  const reason = args.values.get("reason");
  let decision: DecideRequest;
  if (sub === "deny") decision = reason === undefined ? { decision: "deny" } : { decision: "deny", reason };
  else if (always) decision = { decision: "always" };
  else if (duration !== undefined) decision = { decision: "allow-for", minutes: parseDuration(duration, "--for", MAX_GRANT_MINUTES * 60_000) / 60_000 };
  else decision = { decision: "allow-once" };

  const client = ControlClient.forDataDir(dataDir);
  // Fetched first for what to print; it also turns an unknown ID into the server's clear answer.
  const view = await client.call("GET /api/v1/approvals/:id", { params: { id } });
  const result = await client.call("POST /api/v1/approvals/:id/decide", { params: { id }, body: decision });
  for (const line of decisionLines(result, { view, policyFile, ...(duration === undefined ? {} : { duration }), ...(reason === undefined ? {} : { reason }) })) {
    console.log(line);
  }
  return 0;
}
