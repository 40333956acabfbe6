// Everything a benchmark run talks to, started once: the fast upstream (HTTPS, its own CA, a
// bearer token, like a real cluster), `chaperone serve` in front of it with a developer kubeconfig,
// `kubectl proxy` on the same kubeconfig, and the load-generator process. Four processes on
// purpose: the machine has two cores and every extra process would be noise.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { parse, stringify } from "yaml";
import { createCertificateAuthority, issueCertificate, LOOPBACK_HOSTS } from "../../proxy/tls/certificates.js";
import { spawnUntilReady, type SpawnedProcess } from "./spawned-process.js";
import { LoadGenerator } from "./load-generator.js";
import { EngineProfiler } from "./engine-profiler.js";
import { BENCH_NAMESPACE } from "./canned-api.js";
import { BENCH_PROFILE, writeBenchPolicy } from "./bench-policy.js";
import type { Target, TargetName } from "./jobs.js";
import type { FastUpstreamOptions } from "./fast-upstream.js";

export const REPO_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");

export interface BenchStackOptions {
  /** Path of the chaperone CLI (dist/proxy/cli/main.js). */
  cli: string;
  kubectl: string | null;
  /** Start the engine with the inspector open, for per-scenario CPU profiles. */
  profile: boolean;
  /** Extra `chaperone serve` flags for the main engine (e.g. `--audit-level None`). */
  serveArgs?: readonly string[];
}

/** An engine of its own next to the main one, for scenarios that compare two `serve` configurations. */
export interface EngineVariant {
  /** The agent's endpoint on this engine (bench profile). */
  target: Target;
  pid: number;
  dataDir: string;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface ProcessIds {
  engine: number;
  upstream: number;
  "kubectl-proxy": number | undefined;
  "load-generator": number;
}

export interface BenchStack {
  dir: string;
  targets: Partial<Record<TargetName, Target>>;
  pids: ProcessIds;
  load: LoadGenerator;
  developerKubeconfig: string;
  agentToken: string;
  engineCaPem: string;
  upstreamPort: number;
  kubectl: string | null;
  cli: string;
  /** Drives the current engine's CPU profiler (with --profile), else null. */
  readonly profiler: EngineProfiler | null;
  engineAlive(): boolean;
  /** Replaces the engine and kubectl proxy with fresh processes (targets and pids are updated in place). */
  restartProxies(): Promise<void>;
  /**
   * The current engine's endpoint for an agent with `profile` (added on first use, on the main
   * data dir): e.g. the unmasked profile, for masked-vs-unmasked through one engine.
   */
  agentTarget(profile: string): Promise<Target>;
  /**
   * Starts another `chaperone serve` with `serveArgs`, on a fresh data dir of its own (the audit
   * log has one writer per data dir) with its own bench agent. The caller stops it.
   */
  startEngineVariant(name: string, serveArgs: readonly string[]): Promise<EngineVariant>;
  /** Arguments of `chaperone serve` on a data dir (start-up scenario), plus extra flags. */
  engineArgs(dataDir: string, serveArgs?: readonly string[]): string[];
  kubectlProxyArgs(): string[];
  stop(): Promise<void>;
}

function startUpstream(options: FastUpstreamOptions): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL("./upstream-process.js", import.meta.url));
  const child = fork(script, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the benchmark upstream did not start within 30 s")), 30_000);
    child.once("message", (message: { port?: number; error?: string }) => {
      clearTimeout(timer);
      if (message.port) resolve({ child, port: message.port });
      else reject(new Error(`the benchmark upstream failed: ${message.error}`));
    });
    child.once("exit", (code) => reject(new Error(`the benchmark upstream exited (${code})`)));
    child.send(options);
  });
}

function writeDeveloperKubeconfig(path: string, port: number, caPem: string, token: string): void {
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "bench", cluster: { server: `https://127.0.0.1:${port}`, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
      users: [{ name: "developer", user: { token } }],
      contexts: [{ name: "bench", context: { cluster: "bench", user: "developer", namespace: BENCH_NAMESPACE } }],
      "current-context": "bench",
    }),
    { mode: 0o600 },
  );
}

export function findKubectl(explicit: string): string | null {
  if (explicit) return explicit;
  if (existsSync("/usr/bin/kubectl")) return "/usr/bin/kubectl";
  try {
    return execFileSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** A data dir with the benchmark policy in it, ready for `serve` and `agent add`. */
export function benchDataDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  writeBenchPolicy(path);
  return path;
}

/** `chaperone agent add` with the benchmark profile; returns what the agent's kubeconfig holds. */
export async function addAgent(
  cli: string,
  dataDir: string,
  name: string,
  out: string,
  profile = BENCH_PROFILE,
): Promise<{ token: string; caPem: string; server: string }> {
  try {
    execFileSync(process.execPath, [cli, "agent", "add", name, "--profile", profile, "--data-dir", dataDir, "--out", out], { stdio: "pipe" });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`chaperone agent add failed: ${stderr || (error as Error).message}`);
  }
  const doc = parse(readFileSync(out, "utf8")) as {
    clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
    users: { user: { token: string } }[];
  };
  const cluster = doc.clusters[0]?.cluster;
  const token = doc.users[0]?.user.token;
  if (!cluster || !token) throw new Error(`unexpected agent kubeconfig ${out}`);
  return { token, caPem: Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8"), server: cluster.server };
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-bench-"));
  const cleanups: (() => Promise<unknown> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  let engine: SpawnedProcess | null = null;
  let kubectlProxy: SpawnedProcess | null = null;
  let profiler: EngineProfiler | null = null;
  let stopping = false;

  const stopProxies = async (): Promise<void> => {
    profiler?.close();
    profiler = null;
    const running = [engine, kubectlProxy];
    engine = null;
    kubectlProxy = null;
    await Promise.all(running.map((p) => p?.stop("SIGTERM")));
  };
  const stop = async (): Promise<void> => {
    stopping = true;
    await stopProxies();
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the rest must still be stopped.
      }
    }
  };
  try {
    const ca = await createCertificateAuthority("chaperone-bench upstream CA");
    const serving = await issueCertificate(ca, { commonName: "kube-apiserver", hosts: LOOPBACK_HOSTS, usage: "server" });
    const token = randomBytes(32).toString("base64url");
    const upstream = await startUpstream({ certPem: serving.certPem, keyPem: serving.keyPem, token });
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          if (upstream.child.exitCode !== null) return done();
          upstream.child.once("exit", () => done());
          upstream.child.disconnect();
          setTimeout(() => upstream.child.kill("SIGKILL"), 5_000).unref();
        }),
    );

    const developerKubeconfig = join(dir, "developer.kubeconfig");
    writeDeveloperKubeconfig(developerKubeconfig, upstream.port, ca.certPem, token);
    const home = join(dir, "home");
    mkdirSync(home);
    const env = { ...process.env, HOME: home, KUBECONFIG: developerKubeconfig };
    const dataDir = benchDataDir(join(dir, "data"));
    const engineArgs = (data: string, serveArgs: readonly string[] = options.serveArgs ?? []): string[] => [
      options.cli,
      "serve",
      "--data-dir",
      data,
      "--kubeconfig",
      developerKubeconfig,
      "--listen",
      "127.0.0.1:0",
      ...serveArgs,
    ];
    const kubectlProxyArgs = (): string[] => [
      "proxy",
      "--kubeconfig",
      developerKubeconfig,
      "--address=127.0.0.1",
      "--port=0",
      // kubectl proxy refuses exec and attach by default; the exec scenarios need exec through it.
      "--reject-paths=^$",
    ];

    const load = LoadGenerator.start();
    cleanups.push(() => load.stop());
    const targets: Partial<Record<TargetName, Target>> = {
      direct: { name: "direct", host: "127.0.0.1", port: upstream.port, tls: true, caPem: ca.certPem, token },
    };
    const pids: ProcessIds = { engine: 0, upstream: upstream.child.pid as number, "kubectl-proxy": undefined, "load-generator": load.pid };
    let agent: { token: string; caPem: string } | null = null;

    // Fresh proxies for every scenario: each one then starts from the same state (heap, RSS,
    // connection pools), so its figures do not depend on which scenarios ran before it.
    const startProxies = async (): Promise<void> => {
      await stopProxies();
      const nodeFlags = options.profile ? ["--inspect=127.0.0.1:0"] : [];
      const started = await spawnUntilReady(process.execPath, [...nodeFlags, ...engineArgs(dataDir)], /control API listening on (\S+)/, { env });
      engine = started;
      // An engine that dies mid-scenario must be visible: every later chaperone figure would be an error.
      started.child.once("exit", (code, signal) => {
        if (!stopping && engine === started) process.stderr.write(`bench: the engine exited unexpectedly (${code ?? signal}); its output:\n${started.output()}\n`);
      });
      const proxyUrl = /proxy listening on (https:\/\/\S+)/.exec(started.output())?.[1];
      if (!proxyUrl) throw new Error(`cannot read the engine's address from:\n${started.output()}`);
      agent ??= await addAgent(options.cli, dataDir, "bench", join(dir, "agent.kubeconfig"));
      targets.chaperone = { name: "chaperone", host: "127.0.0.1", port: Number(new URL(proxyUrl).port), tls: true, caPem: agent.caPem, token: agent.token };
      pids.engine = started.pid;
      if (options.profile) profiler = await EngineProfiler.connect(started.output());
      if (options.kubectl) {
        kubectlProxy = await spawnUntilReady(options.kubectl, kubectlProxyArgs(), /Starting to serve on 127\.0\.0\.1:(\d+)/, { env });
        targets["kubectl-proxy"] = { name: "kubectl-proxy", host: "127.0.0.1", port: Number(kubectlProxy.match[1]), tls: false };
        pids["kubectl-proxy"] = kubectlProxy.pid;
      }
    };
    await startProxies();
    const credentials = agent as unknown as { token: string; caPem: string };

    const profileAgents = new Map<string, { token: string; caPem: string }>();
    const agentTarget = async (profile: string): Promise<Target> => {
      const chaperone = targets.chaperone as Target;
      if (profile === BENCH_PROFILE) return chaperone;
      let added = profileAgents.get(profile);
      if (!added) {
        added = await addAgent(options.cli, dataDir, `bench-${profile}`, join(dir, `agent-${profile}.kubeconfig`), profile);
        profileAgents.set(profile, added);
      }
      return { ...chaperone, token: added.token, caPem: added.caPem };
    };

    let variants = 0;
    const startEngineVariant = async (name: string, serveArgs: readonly string[]): Promise<EngineVariant> => {
      const variantDir = benchDataDir(join(dir, `variant-${++variants}-${name.replace(/[^a-z0-9-]/gi, "-")}`));
      const started = await spawnUntilReady(process.execPath, engineArgs(variantDir, serveArgs), /control API listening on (\S+)/, { env });
      try {
        const proxyUrl = /proxy listening on (https:\/\/\S+)/.exec(started.output())?.[1];
        if (!proxyUrl) throw new Error(`cannot read the ${name} engine's address from:\n${started.output()}`);
        const added = await addAgent(options.cli, variantDir, "bench", join(variantDir, "agent.kubeconfig"));
        return {
          target: { name: "chaperone", host: "127.0.0.1", port: Number(new URL(proxyUrl).port), tls: true, caPem: added.caPem, token: added.token },
          pid: started.pid,
          dataDir: variantDir,
          alive: () => started.child.exitCode === null && started.child.signalCode === null,
          stop: async () => {
            await started.stop("SIGTERM");
            // Recordings of 200 MiB execs add up; nothing reads them after the scenario.
            rmSync(variantDir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        await started.stop("SIGTERM");
        throw error;
      }
    };

    return {
      dir,
      targets,
      pids,
      load,
      developerKubeconfig,
      agentToken: credentials.token,
      engineCaPem: credentials.caPem,
      upstreamPort: upstream.port,
      kubectl: options.kubectl,
      cli: options.cli,
      get profiler() {
        return profiler;
      },
      engineAlive: () => engine !== null && engine.child.exitCode === null && engine.child.signalCode === null,
      restartProxies: startProxies,
      agentTarget,
      startEngineVariant,
      engineArgs,
      kubectlProxyArgs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
