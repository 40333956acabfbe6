// Runs real kubectl binaries against a test cluster for the integration tests: one-shot commands with a
// hard timeout, and long-running ones (get -w, logs -f) that tests read from and then kill.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestCluster } from "./index.js";

/** The kubectl versions the tests drive: the oldest and newest installed, and the default one. */
export const KUBECTL_BINARIES: { version: string; path: string }[] = [
  { version: "1.27", path: "/usr/lib/google-cloud-sdk/bin/kubectl.1.27" },
  { version: "1.33", path: "/usr/lib/google-cloud-sdk/bin/kubectl.1.33" },
].filter((k) => existsSync(k.path));

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlEnvironment {
  dir: string;
  kubeconfig: string;
  run(args: string[], options?: { env?: Record<string, string>; input?: string; timeoutMs?: number; kubeconfig?: string }): Promise<KubectlResult>;
  start(args: string[]): LongRunning;
  file(name: string, content: string): string;
  cleanup(): void;
}

export interface LongRunning {
  child: ChildProcess;
  output(): string;
  /** Resolves with the output once `pattern` appears in stdout (rejects after the timeout). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

/** A private HOME (discovery cache) and kubeconfig per environment, so parallel tests do not interfere. */
export async function kubectlEnvironment(cluster: TestCluster, binary: string, options: { auth?: "token" | "client-certificate"; namespace?: string } = {}): Promise<KubectlEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-kubectl-"));
  const kubeconfig = join(dir, "kubeconfig");
  await cluster.writeKubeconfig(kubeconfig, { auth: options.auth ?? "token", ...(options.namespace ? { namespace: options.namespace } : {}) });
  const children = new Set<ChildProcess>();
  const baseEnv = (extra: Record<string, string> = {}, config = kubeconfig) => ({ PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir, KUBECONFIG: config, ...extra });
  return {
    dir,
    kubeconfig,
    run(args, runOptions = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          binary,
          args,
          { env: baseEnv(runOptions.env, runOptions.kubeconfig), timeout: runOptions.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => {
            children.delete(child);
            const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
        children.add(child);
        if (runOptions.input !== undefined) child.stdin?.end(runOptions.input);
        else child.stdin?.end();
      });
    },
    start(args) {
      const child = spawn(binary, args, { env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
      children.add(child);
      let out = "";
      let err = "";
      const waiters = new Set<() => void>();
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        for (const w of [...waiters]) w();
      });
      child.stderr?.on("data", (d: Buffer) => {
        err += d.toString();
      });
      const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
      return {
        child,
        output: () => out,
        waitFor(pattern, timeoutMs = 10_000) {
          return new Promise((resolve, reject) => {
            const check = () => {
              if (pattern.test(out)) {
                waiters.delete(check);
                clearTimeout(timer);
                resolve(out);
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`timed out waiting for ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
          children.delete(child);
        },
      };
    },
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
