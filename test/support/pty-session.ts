// An interactive command under a pseudo-terminal (`script`), typed into as a person would: wait
// for the prompt, type a line, wait for its output. Writing all input at once and closing stdin
// races the remote shell's start — under load, script can hang up the terminal before the
// session's output arrives — so stdin stays open until the command exits.
import type { TestContext } from "node:test";
import { spawnWatched } from "./spawned.js";

export interface PtySession {
  /** Resolves once the terminal output matches (rejects if the command ends first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<unknown>;
  type(text: string): void;
  output(): string;
  /** The exit code once the command ended and its output was read (stdin is closed then). */
  done: Promise<number | null>;
}

export function startPtySession(t: Pick<TestContext, "after">, command: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): PtySession {
  const session = spawnWatched(t, "script", ["-qec", command, "/dev/null"], env, { stdin: true });
  const stdin = session.child.stdin;
  const killer = setTimeout(() => session.child.kill("SIGKILL"), timeoutMs);
  return {
    waitFor: (pattern, waitMs) => session.waitFor(pattern, waitMs),
    type: (text) => void stdin?.write(text),
    output: session.output,
    done: session.closed.then((code) => {
      clearTimeout(killer);
      stdin?.end();
      return code;
    }),
  };
}
