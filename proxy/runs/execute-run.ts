// `chaperone run`: the command runs with KUBECONFIG pointing at a kubeconfig whose token belongs
// to this run alone; when it exits (or `chaperone run` is told to stop) the token is revoked, the
// kubeconfig deleted and the run's end recorded. The command's exit code is passed on (128 + the
// signal number when a signal ended it, as shells do).
//
// Identity: --agent NAME mints a run token on that agent (its profile applies); --profile P (or
// neither: the default profile) creates an agent named run-ID for this run alone, revoked with it.
// Signals: SIGTERM and SIGHUP are passed to the command; SIGINT is not, because a terminal's
// Ctrl-C already reaches the whole foreground process group, and a second copy would make many
// programs quit at once instead of finishing cleanly.
import { spawn } from "node:child_process";
import { mkdirSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { constants } from "node:os";
import { AgentRegistry } from "../agents/agent-registry.js";
import { writeAgentKubeconfig } from "../agents/agent-kubeconfig.js";
import { agentServerUrl } from "../agents/provision-agent.js";
import { ensureCa } from "../tls/local-ca.js";
import { DATA_FILES } from "../config/data-dir.js";
import { CliError } from "../cli/cli-error.js";
import { RunStore, type RunRecord } from "./run-store.js";
import { sweepAbandonedRuns } from "./abandoned-runs.js";

export interface ExecuteRunOptions {
  dataDir: string;
  command: string[];
  agent?: string | undefined;
  profile?: string | undefined;
  name?: string | undefined;
  /** Profiles that exist (built-ins and the policy file's), to check --profile against. */
  knownProfiles: readonly string[];
  defaultProfile: string;
  /** The namespace the run's kubeconfig context uses (mirrors the upstream's). */
  namespace?: string | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Told once the run is recorded and the command started. */
  onStart?: (run: RunRecord) => void;
}

export interface RunResult {
  run: RunRecord;
  exitCode: number;
}

export function newRunId(): string {
  return randomBytes(6).toString("hex");
}

export async function executeRun(options: ExecuteRunOptions): Promise<RunResult> {
  const [program, ...args] = options.command;
  if (!program) throw new CliError("run: missing the command (chaperone run -- COMMAND [ARGS…])");
  if (options.agent && options.profile) throw new CliError("run: give --agent or --profile, not both");
  const registry = new AgentRegistry(options.dataDir);
  const store = new RunStore(options.dataDir);
  sweepAbandonedRuns(store, registry);

  const id = newRunId();
  let agent: string;
  let profile: string;
  let issued: { token: string; tokenId: string };
  const ephemeralAgent = !options.agent;
  if (options.agent) {
    const minted = registry.addRunToken(options.agent, id);
    agent = options.agent;
    profile = minted.profile;
    issued = minted;
  } else {
    profile = options.profile ?? options.defaultProfile;
    if (!options.knownProfiles.includes(profile)) {
      throw new CliError(`run: unknown profile "${profile}" (profiles: ${options.knownProfiles.join(", ")})`);
    }
    agent = `run-${id}`;
    issued = registry.addRunAgent(agent, profile, id);
  }
  const revoke = (): void => registry.revokeRunToken(issued.tokenId, ephemeralAgent);

  const dir = join(options.dataDir, DATA_FILES.runKubeconfigs);
  const kubeconfig = join(dir, `${id}.kubeconfig`);
  const cwd = options.cwd ?? process.cwd();
  const run: RunRecord = {
    id,
    name: options.name ?? null,
    agent,
    profile,
    ephemeralAgent,
    tokenId: issued.tokenId,
    command: options.command,
    cwd,
    startedAt: new Date().toISOString(),
    endedAt: null,
    status: "running",
    exitCode: null,
    signal: null,
    pid: process.pid,
    host: hostname(),
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = await ensureCa(options.dataDir);
    writeAgentKubeconfig(kubeconfig, { agent, server: agentServerUrl(options.dataDir), caPem: ca.certPem, token: issued.token, namespace: options.namespace });
    store.add(run);
  } catch (error) {
    revoke();
    throw error;
  }

  const finish = (exitCode: number | null, signal: string | null): RunRecord => {
    try {
      revoke();
    } finally {
      try {
        unlinkSync(kubeconfig);
      } catch {
        // Already gone.
      }
    }
    return store.update(id, { endedAt: new Date().toISOString(), status: "exited", exitCode, signal }) ?? run;
  };

  return new Promise<RunResult>((resolve) => {
    const child = spawn(program, args, {
      cwd,
      stdio: "inherit",
      env: { ...(options.env ?? process.env), KUBECONFIG: kubeconfig, CHAPERONE_RUN: id },
    });
    const forward = (signal: NodeJS.Signals) => (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handlers: [NodeJS.Signals, () => void][] = [
      ["SIGTERM", forward("SIGTERM")],
      ["SIGHUP", forward("SIGHUP")],
      // Ctrl-C reaches the command directly; `chaperone run` stays to clean up after it.
      ["SIGINT", () => {}],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanup = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    let settled = false;
    child.once("error", (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanup();
      // The command could not be started: the shell's conventions, 127 not found, 126 not runnable.
      const code = error.code === "ENOENT" ? 127 : 126;
      process.stderr.write(`chaperone: run: cannot start ${program}: ${error.message}\n`);
      resolve({ run: finish(code, null), exitCode: code });
    });
    child.once("spawn", () => options.onStart?.(run));
    child.once("exit", (code, signal) => {
      if (settled) return;
      settled = true;
      cleanup();
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolve({ run: finish(code, signal), exitCode });
    });
  });
}
