// Runs an exec'd command in the simulated container over an established remote-command session:
// wires stdin/stdout/stderr (through a terminal for tty sessions), follows resizes, and reports the
// exit status the way the kubelet does. A program that does not exist is a runtime error, not exit
// 127: the container runtime fails to start it, exactly as containerd does for `kubectl exec -- nope`.
import type { CommandContext } from "./command-context.js";
import type { SimulatedContainer } from "./container.js";
import { EMPTY_INPUT, NULL_OUTPUT, StreamInput, StreamOutput } from "./process-io.js";
import type { RemoteCommandStreams } from "./remote-command.js";
import { findExecutable, runProgram } from "./shell.js";
import { Terminal } from "./terminal.js";

export async function runExecSession(container: SimulatedContainer, argv: string[], streams: RemoteCommandStreams): Promise<void> {
  const argv0 = argv[0] ?? "";
  if (!findExecutable(argv0)) {
    streams.finish(
      {
        internalError: `failed to exec in container: failed to start exec "${execId()}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv0}": executable file not found in $PATH: unknown`,
      },
      argv,
    );
    return;
  }

  const abort = new AbortController();
  streams.clientGone.addEventListener("abort", () => abort.abort(), { once: true });
  const stdout = streams.stdout ? new StreamOutput(streams.stdout) : NULL_OUTPUT;
  const stderr = streams.stderr ? new StreamOutput(streams.stderr) : NULL_OUTPUT;
  const rawInput = streams.stdin ? new StreamInput(streams.stdin) : null;

  let terminal: Terminal | null = null;
  if (streams.options.tty) {
    terminal = new Terminal(stdout);
    const tty = terminal;
    streams.resizes?.on("resize", (size) => tty.resize(size));
    // ^C with no shell to catch it interrupts the whole exec'd process group.
    tty.onInterrupt(() => abort.abort());
    if (rawInput) void tty.attachKeyboard(rawInput);
  }

  const ctx: CommandContext = {
    argv,
    stdin: terminal ? terminal.input : (rawInput ?? EMPTY_INPUT),
    stdout: terminal ? terminal.output : stdout,
    stderr: terminal ? terminal.output : stderr,
    env: container.environment(streams.options.tty),
    cwd: container.workingDir,
    container,
    terminal,
    signal: abort.signal,
  };
  let exitCode: number;
  try {
    exitCode = await runProgram(ctx, terminal);
  } catch (error) {
    streams.finish({ internalError: (error as Error).message }, argv);
    return;
  } finally {
    terminal?.stop();
  }
  streams.finish({ exitCode }, argv);
}

function execId(): string {
  return Array.from({ length: 64 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
}
