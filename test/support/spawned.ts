// Long-running child processes (kubectl get -w, logs -f, port-forward): wait for output, then kill.
import { spawn, type ChildProcess } from "node:child_process";
import type { TestContext } from "node:test";

export interface Spawned {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  /** The exit code once the process ended and its output was read to the end. */
  closed: Promise<number | null>;
}

export interface SpawnWatchedOptions {
  /** Keep stdin open as a pipe (child.stdin) for the test to write to; otherwise it is closed. */
  stdin?: boolean;
}

export function spawnWatched(t: Pick<TestContext, "after">, command: string, args: readonly string[], env: NodeJS.ProcessEnv, options: SpawnWatchedOptions = {}): Spawned {
  const child = spawn(command, args, { env, stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
  child.stdin?.on("error", () => {});
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    output += d.toString("utf8");
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let ended = false;
  const closed = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      ended = true;
      for (const l of listeners) l();
      resolve(code);
    }),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return {
    child,
    output: () => output,
    exited,
    closed,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          } else if (ended) {
            // All its output is in: what is not there will not come.
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`the process ended before ${pattern} appeared; output:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
