// `chaperone agent add|list|revoke`: works with or without a running `serve` — the registry and
// the port live in the data dir, and a running gateway notices registry changes on its own.
import { parseArgs } from "../args.js";
import { AGENT_USAGE } from "../usage.js";
import { join } from "node:path";
import { resolveDataDir, ensureDataDir, DATA_FILES } from "../../config/data-dir.js";
import { PolicyEngine } from "../../policy/index.js";
import { readEngineConfig } from "../../config/engine-config.js";
import { AgentRegistry } from "../../agents/agent-registry.js";
import { provisionAgent } from "../../agents/provision-agent.js";
import { loadUpstream } from "../../upstream/upstream-kubeconfig.js";
import { CliError } from "../cli-error.js";

/** The namespace of the upstream context `serve` recorded (or the default kubeconfig's), if any. */
function upstreamNamespace(dataDir: string): string | undefined {
  const recorded = readEngineConfig(dataDir).upstream;
  try {
    const saved = process.env.KUBECONFIG;
    if (recorded?.kubeconfig) process.env.KUBECONFIG = recorded.kubeconfig;
    try {
      return loadUpstream({ context: recorded?.context }).context.namespace;
    } finally {
      if (recorded?.kubeconfig) {
        if (saved === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = saved;
      }
    }
  } catch {
    // No readable upstream kubeconfig: the agent's context simply has no namespace.
    return undefined;
  }
}

/** The data dir's policy, for profiles it defines; a broken file is reported, not fatal here. */
function loadPolicy(dataDir: string): PolicyEngine {
  return PolicyEngine.fromFile(join(dataDir, DATA_FILES.policy), undefined, { watch: false });
}

export async function agentCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    console.log(AGENT_USAGE);
    return sub ? 0 : 2;
  }
  const args = parseArgs(rest, { values: ["data-dir", "profile", "out"] }, `agent ${sub}`);
  if (args.booleans.has("help")) {
    console.log(AGENT_USAGE);
    return 0;
  }
  const dataDir = ensureDataDir(resolveDataDir(args.values.get("data-dir")));
  const registry = new AgentRegistry(dataDir);
  switch (sub) {
    case "add": {
      const [name, extra] = args.positionals;
      if (!name) throw new CliError("agent add: missing NAME (e.g. chaperone agent add claude)");
      if (extra) throw new CliError(`agent add: unexpected argument ${extra}`);
      const result = await provisionAgent({
        dataDir,
        registry,
        name,
        profile: args.values.get("profile"),
        out: args.values.get("out"),
        namespace: upstreamNamespace(dataDir),
        policy: loadPolicy(dataDir),
      });
      console.log(result.kubeconfigPath);
      return 0;
    }
    case "list": {
      const agents = registry.list();
      if (agents.length === 0) {
        console.log("no agents (add one: chaperone agent add NAME)");
        return 0;
      }
      const rows = [["NAME", "PROFILE", "CREATED", "STATUS"], ...agents.map((a) => [a.name, a.profile, a.createdAt, a.revokedAt ? `revoked ${a.revokedAt}` : "active"])];
      const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] as string).length)));
      for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col] as number)).join("  ").trimEnd());
      return 0;
    }
    case "revoke": {
      const [name] = args.positionals;
      if (!name) throw new CliError("agent revoke: missing NAME");
      const agent = registry.revoke(name);
      console.log(`revoked agent ${agent.name}`);
      return 0;
    }
    default:
      throw new CliError(`agent: unknown subcommand "${sub}" (add, list, revoke)`);
  }
}
