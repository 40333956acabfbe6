// The `chaperone` CLI as a user runs it: a separate process, from the built package.
import { spawn, type ChildProcess } from "node:child_process";
import { CLI_PATH } from "./paths.js";
import { runProcess, type ProcessResult, type RunOptions } from "./run-process.js";

export function chaperone(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI_PATH, ...args], options);
}

// Engines still running when a test file ends would keep its process alive until the runner's
// timeout; whatever a failed test left behind is killed on exit instead.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface ServeHandle {
  child: ChildProcess;
  proxyUrl: string;
  controlUrl: string;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `chaperone serve` and resolves once it printed its listeners. */
export function serve(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): Promise<ServeHandle> {
  const child = spawn(process.execPath, [CLI_PATH, "serve", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (data: Buffer): void => {
      output += data.toString("utf8");
      const proxy = /proxy listening on (\S+)/.exec(output);
      const control = /control API listening on (\S+)/.exec(output);
      if (proxy && control) {
        clearTimeout(timer);
        resolve({
          child,
          proxyUrl: proxy[1] as string,
          controlUrl: control[1] as string,
          output: () => output,
          stop: async (signal = "SIGTERM") => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening; output:\n${output}`));
    });
  });
}
