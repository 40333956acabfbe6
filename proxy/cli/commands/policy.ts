// `chaperone policy check|explain`: both work offline, from the files in the data dir, so a policy
// can be written and tried before (or without) starting the engine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../args.js";
import { POLICY_USAGE } from "../usage.js";
import { CliError } from "../cli-error.js";
import { resolveDataDir, DATA_FILES } from "../../config/data-dir.js";
import { AgentRegistry } from "../../agents/agent-registry.js";
import type { AgentSummary, ExplainRequest, ExplainResult, RuleView } from "../../control/contract.js";
import { PolicyEngine, formatPolicyError, validatePolicyText, type PolicyError } from "../../policy/index.js";
import { explainDescribed } from "../../policy/explain-described.js";
import { BUILTIN_PROFILE_NAMES } from "../../policy/builtin-profiles.js";

export async function policyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    console.log(POLICY_USAGE);
    return sub ? 0 : 2;
  }
  switch (sub) {
    case "check":
      return checkCommand(rest);
    case "explain":
      return explainCommand(rest);
    default:
      throw new CliError(`policy: unknown subcommand "${sub}" (check, explain)`);
  }
}

/** The registry's agents, or none when it cannot be read: a check is about the policy, not the registry. */
function agentsOf(dataDir: string): AgentSummary[] {
  try {
    return new AgentRegistry(dataDir).list();
  } catch {
    return [];
  }
}

function checkCommand(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir"] }, "policy check");
  if (args.booleans.has("help")) {
    console.log(POLICY_USAGE);
    return 0;
  }
  const [given, extra] = args.positionals;
  if (extra !== undefined) throw new CliError(`policy check: unexpected argument ${extra}`);
  const dataDir = resolveDataDir(args.values.get("data-dir"));
  const file = given ?? join(dataDir, DATA_FILES.policy);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && given === undefined) {
      console.log(`ok: ${file} does not exist, so the built-in profiles apply (${BUILTIN_PROFILE_NAMES.length} profiles: ${BUILTIN_PROFILE_NAMES.join(", ")})`);
      return 0;
    }
    throw new CliError(code === "ENOENT" ? `policy check: ${file} does not exist` : `policy check: cannot read ${file}: ${(error as Error).message}`);
  }
  const report = policyCheckReport(file, text, given === undefined ? agentsOf(dataDir) : []);
  for (const line of report.lines) console.log(line);
  if (report.errors > 0) {
    // The errors are the command's output (stdout, one per line, in the form editors jump to);
    // stderr gets the usual one-line verdict.
    process.stderr.write(`chaperone: policy check: ${file} has ${report.errors} error${report.errors === 1 ? "" : "s"}\n`);
    return 1;
  }
  return 0;
}

/**
 * What `policy check` prints for `text` read from `file`. `agents` are the data dir's, checked
 * only for the data dir's own policy: a registered agent whose profile the file lacks would have
 * every request denied once the engine loads it.
 */
export function policyCheckReport(file: string, text: string, agents: readonly AgentSummary[] = []): { errors: number; lines: string[] } {
  const result = validatePolicyText(text, file);
  if (!result.ok) return { errors: result.errors.length, lines: result.errors.map((error) => formatPolicyError(oneLine(error))) };
  const profiles = [...result.policy.profiles.keys()];
  const lines = [`ok: ${file} (${profiles.length} profiles: ${profiles.join(", ")})`];
  for (const agent of agents) {
    if (agent.revokedAt === null && !result.policy.profiles.has(agent.profile)) {
      lines.push(`warning: agent "${agent.name}" has the profile "${agent.profile}", which this policy does not define; its requests will be denied`);
    }
  }
  return { errors: 0, lines };
}

function oneLine(error: PolicyError): PolicyError {
  return { ...error, message: error.message.replace(/\s*\n\s*/g, " ") };
}

/** `VERB RESOURCE [NAME] [-n NS]` (kubectl's order), or `get /path` for a non-resource request. */
export function parseDescribedRequest(agent: string, words: readonly string[]): ExplainRequest {
  const positionals: string[] = [];
  let namespace: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    let value: string | undefined;
    if (word === "-n" || word === "--namespace") {
      value = words[++i];
      if (value === undefined || value === "") throw new CliError(`policy explain: ${word} needs a namespace`);
    } else if (word.startsWith("--namespace=")) {
      value = word.slice("--namespace=".length);
    } else if (/^-n.+/.test(word)) {
      value = word.slice(2).replace(/^=/, "");
    } else if (word.startsWith("-") && word !== "-") {
      throw new CliError(`policy explain: unknown option ${word} after -- (only -n NAMESPACE)`);
    } else {
      positionals.push(word);
      continue;
    }
    if (namespace !== undefined) throw new CliError("policy explain: the namespace is given twice");
    namespace = value;
  }
  const [verb, resource, name, extra] = positionals;
  if (verb === undefined || resource === undefined) {
    throw new CliError("policy explain: expected -- VERB RESOURCE [NAME] [-n NAMESPACE] (e.g. -- delete namespaces prod)");
  }
  if (extra !== undefined) throw new CliError(`policy explain: unexpected argument ${extra}`);
  const request: ExplainRequest = { agent, verb };
  if (resource.startsWith("/")) request.path = resource;
  else request.resource = resource;
  if (name !== undefined) request.name = name;
  if (namespace !== undefined) request.namespace = namespace;
  return request;
}

function ruleText(rule: RuleView): string {
  return `${rule.profile}/${rule.name} (${rule.source})`;
}

/** The explain report, as printed. Exported for its unit test. */
export function formatExplanation(agent: string, result: ExplainResult, notes: readonly string[] = []): string[] {
  const decided = result.matches.find(
    (m) => m.rule.profile === result.rule.profile && m.rule.name === result.rule.name && m.rule.source === result.rule.source,
  );
  const lines = [
    `request:  ${result.summary}  (agent ${agent}, profile ${result.profile})`,
    `decision: ${result.action}`,
    `rule:     ${ruleText(result.rule)}${decided?.location ? ` at ${decided.location}` : ""}`,
  ];
  if (result.message !== null) lines.push(`message:  ${result.message}`);
  if (result.guardrails.length === 0) lines.push("guardrails tripped: none");
  else {
    lines.push("guardrails tripped:");
    for (const g of result.guardrails) lines.push(`  ${g.name} (${g.action}): ${g.reason}`);
  }
  if (result.matches.length === 0) lines.push("matching rules: none");
  else {
    lines.push("matching rules:");
    for (const m of result.matches) lines.push(`  ${m.action.padEnd(5)}  ${ruleText(m.rule)}${m.location ? ` at ${m.location}` : ""}`);
  }
  for (const note of notes) lines.push(`note: ${note}`);
  return lines;
}

function explainCommand(argv: string[]): number {
  const args = parseArgs(argv, { values: ["data-dir", "agent"] }, "policy explain");
  if (args.booleans.has("help")) {
    console.log(POLICY_USAGE);
    return 0;
  }
  const agent = args.values.get("agent");
  if (agent === undefined) throw new CliError("policy explain: missing --agent NAME (the agent whose profile applies)");
  if (args.rest !== null && args.positionals.length > 0) throw new CliError(`policy explain: unexpected argument ${args.positionals[0]} before --`);
  const request = parseDescribedRequest(agent, args.rest ?? args.positionals);

  const dataDir = resolveDataDir(args.values.get("data-dir"));
  const agents = agentsOf(dataDir);
  const record = agents.find((a) => a.name === agent);
  if (!record) {
    const known = agents.map((a) => a.name);
    throw new CliError(`policy explain: no agent named "${agent}" in ${dataDir}${known.length > 0 ? ` (agents: ${known.join(", ")})` : " (add one: chaperone agent add NAME)"}`);
  }
  const notes: string[] = [];
  const policyFile = join(dataDir, DATA_FILES.policy);
  const engine = PolicyEngine.fromFile(
    policyFile,
    (errors) =>
      notes.push(
        `${policyFile} has ${errors.length} error${errors.length === 1 ? "" : "s"} (see: chaperone policy check); an engine starting now refuses every request, a running one keeps its last good policy`,
      ),
    { watch: false },
  );
  try {
    let result: ExplainResult;
    try {
      result = explainDescribed(engine, (name) => (name === record.name ? record.profile : undefined), request);
    } catch (error) {
      if (error instanceof CliError) throw new CliError(`policy explain: ${error.message}`);
      throw error;
    }
    if (record.revokedAt !== null) notes.push(`agent "${agent}" is revoked: the gateway refuses its tokens before any policy applies`);
    if (["create", "update", "patch"].includes(request.verb.toLowerCase())) {
      notes.push("explain sees no request body, so guardrails that inspect one treat it as uninspectable");
    }
    for (const line of formatExplanation(agent, result, notes)) console.log(line);
  } finally {
    engine.close();
  }
  return 0;
}
