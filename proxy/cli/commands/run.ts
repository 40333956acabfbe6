// `chaperone run`: runs a command with a kubeconfig whose token belongs to this run alone (see
// proxy/runs/execute-run.ts). Exits with the command's exit code.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "../args.js";
import { RUN_USAGE } from "../usage.js";
import { CliError } from "../cli-error.js";
import { resolveDataDir, ensureDataDir, DATA_FILES } from "../../config/data-dir.js";
import { readEngineConfig } from "../../config/engine-config.js";
import { loadUpstream } from "../../upstream/upstream-kubeconfig.js";
import { PolicyEngine } from "../../policy/index.js";
import { DEFAULT_PROFILE } from "../../control/contract.js";
import { executeRun } from "../../runs/execute-run.js";
import { processAlive } from "../../audit/writer-lock.js";

/** The namespace of the upstream context `serve` recorded, mirrored into the run's context (as `agent add` does). */
function upstreamNamespace(dataDir: string): string | undefined {
  const recorded = readEngineConfig(dataDir).upstream;
  const saved = process.env.KUBECONFIG;
  try {
    if (recorded?.kubeconfig) process.env.KUBECONFIG = recorded.kubeconfig;
    return loadUpstream({ context: recorded?.context }).context.namespace;
  } catch {
    return undefined;
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

function engineRunning(dataDir: string): boolean {
  const path = join(dataDir, DATA_FILES.control);
  if (!existsSync(path)) return false;
  try {
    return processAlive((JSON.parse(readFileSync(path, "utf8")) as { pid?: number }).pid ?? 0);
  } catch {
    return false;
  }
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["data-dir", "agent", "profile", "name"], booleans: ["quiet"] }, "run");
  if (args.booleans.has("help")) {
    console.log(RUN_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) {
    throw new CliError(`run: put the command after "--" (chaperone run -- ${args.positionals.join(" ")})`);
  }
  const command = args.rest ?? [];
  if (command.length === 0) throw new CliError("run: missing the command (chaperone run [--agent NAME | --profile P] -- COMMAND [ARGS…])");
  const dataDir = ensureDataDir(resolveDataDir(args.values.get("data-dir")));
  const quiet = args.booleans.has("quiet");
  if (!quiet && !engineRunning(dataDir)) {
    process.stderr.write(`chaperone: warning: no gateway is running for ${dataDir}; the command's kubectl calls will fail (start: chaperone serve)\n`);
  }
  const policy = PolicyEngine.fromFile(join(dataDir, DATA_FILES.policy), undefined, { watch: false });
  const knownProfiles = policy.profileNames();
  policy.close();
  const result = await executeRun({
    dataDir,
    command,
    agent: args.values.get("agent"),
    profile: args.values.get("profile"),
    name: args.values.get("name"),
    knownProfiles,
    defaultProfile: DEFAULT_PROFILE,
    namespace: upstreamNamespace(dataDir),
    onStart: (run) => {
      if (!quiet) process.stderr.write(`chaperone: run ${run.id} as agent ${run.agent} (profile ${run.profile}); its requests: chaperone audit tail --run ${run.id}\n`);
    },
  });
  return result.exitCode;
}
