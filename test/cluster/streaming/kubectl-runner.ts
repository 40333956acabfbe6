// Runs real kubectl binaries for the streaming integration tests: every run is bounded by a timeout
// and every child still alive when the test process exits is killed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

const VERSIONED_DIR = "/usr/lib/google-cloud-sdk/bin";

/** Path of kubectl 1.NN, or null if that version is not installed. */
export function kubectlBinary(minor: number): string | null {
  const candidate = `${VERSIONED_DIR}/kubectl.1.${minor}`;
  return existsSync(candidate) ? candidate : null;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export interface KubectlResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

export interface KubectlOptions {
  kubeconfig: string;
  env?: Record<string, string>;
  input?: Buffer | string;
  timeoutMs?: number;
}

export interface RunningKubectl {
  child: ChildProcess;
  stdout(): Buffer;
  stderr(): string;
  /** Resolves when `predicate` holds for the output so far, rejects after `timeoutMs`. */
  waitFor(predicate: (stdout: string, stderr: string) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<KubectlResult>;
  done: Promise<KubectlResult>;
}

export function startKubectl(binary: string, args: string[], options: KubectlOptions): RunningKubectl {
  const child = spawn(binary, args, {
    env: { ...process.env, KUBECONFIG: options.kubeconfig, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  const out: Buffer[] = [];
  let err = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    out.push(chunk);
    for (const l of listeners) l();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    for (const l of listeners) l();
  });
  child.stdin.on("error", () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 30_000);
  const done = new Promise<KubectlResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err, timedOut });
    });
  });
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    waitFor: (predicate, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (predicate(Buffer.concat(out).toString(), err)) {
            listeners.delete(check);
            clearTimeout(deadline);
            resolve();
          }
        };
        const deadline = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for kubectl output; stdout=${JSON.stringify(Buffer.concat(out).toString())} stderr=${JSON.stringify(err)}`));
        }, timeoutMs);
        listeners.add(check);
        void done.then(() => check());
        check();
      }),
    stop: () => {
      child.kill("SIGTERM");
      return done;
    },
    done,
  };
}

export function runKubectl(binary: string, args: string[], options: KubectlOptions): Promise<KubectlResult> {
  return startKubectl(binary, args, options).done;
}

/** Which transport a `-v=6` log shows for the streaming request: a GET upgrade is WebSocket, a POST SPDY. */
export function streamingVerb(log: string, subresource: "exec" | "attach" | "portforward"): "GET" | "POST" | null {
  for (const line of log.split("\n")) {
    if (!line.includes(`/${subresource}`) || !line.includes("101")) continue;
    const m = /verb="(GET|POST)"/.exec(line) ?? /\] (GET|POST) https?:/.exec(line);
    if (m) return m[1] as "GET" | "POST";
  }
  return null;
}
