// An interactive command under a pseudo-terminal (`script`), typed into as a person would: wait
// for the prompt, type a line, wait for its output. Writing all input at once and closing stdin
// races the remote shell's start — under load, script can hang up the terminal before the
// session's output arrives — so stdin stays open until the command exits.
import { spawn } from "node:child_process";

export interface PtySession {
  /** Resolves once the terminal output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  type(text: string): void;
  output(): string;
  /** The exit code once the command ended (stdin is closed then). */
  done: Promise<number | null>;
}

export function startPtySession(command: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): PtySession {
  const child = spawn("script", ["-qec", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  child.stdin.on("error", () => {});
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      for (const listener of listeners) listener();
      resolve(code);
    }),
  );
  return {
    output: () => output,
    type: (text) => void child.stdin.write(text),
    done: done.then((code) => {
      child.stdin.end();
      return code;
    }),
    waitFor(pattern, waitMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`the command ended before ${pattern} appeared; output:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`));
        }, waitMs);
        listeners.add(check);
        check();
      });
    },
  };
}
