// A long-running child (the engine, kubectl proxy) started the way a user starts it, considered
// ready once it prints a line matching a pattern. Output is kept (bounded) for error messages.
import { spawn, type ChildProcess } from "node:child_process";

export interface SpawnedProcess {
  child: ChildProcess;
  pid: number;
  /** The ready line's match. */
  match: RegExpExecArray;
  /** performance.now() at spawn and at the ready line. */
  spawnedAt: number;
  readyAt: number;
  output(): string;
  /** Sends `signal` (SIGTERM by default), waits for exit, SIGKILLs after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

const MAX_OUTPUT = 64 * 1024;

/** Children still running when the orchestrator exits (even by process.exit) are killed, never orphaned. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function spawnUntilReady(
  command: string,
  args: readonly string[],
  ready: RegExp,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<SpawnedProcess> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill("SIGKILL");
      reject(new Error(`${command} did not become ready within ${options.timeoutMs ?? 20_000} ms; output:\n${output}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (data: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += data.toString("utf8");
      if (settled) return;
      const match = ready.exec(output);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, pid: child.pid as number, match, spawnedAt, readyAt: performance.now(), output: () => output, stop });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready; output:\n${output}`));
    });
  });
}
