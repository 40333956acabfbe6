// What a simulated command gets to run with: its arguments, standard streams, environment and the
// container around it. Commands return their exit status.
import type { MemoryFilesystem } from "./filesystem.js";
import type { InputReader, OutputSink } from "./process-io.js";

export interface TerminalSize {
  width: number;
  height: number;
}

/** The controlling terminal of a `tty=true` session: its current size follows the client's resizes. */
export interface TerminalInfo {
  readonly size: TerminalSize;
}

export interface ContainerInfo {
  namespace: string;
  podName: string;
  containerName: string;
  hostname: string;
  fs: MemoryFilesystem;
  /** Output of the container's main process (PID 1), seen by `kubectl attach` clients. */
  writeToMainProcess(data: Buffer): Promise<void>;
}

export interface CommandContext {
  argv: string[];
  stdin: InputReader;
  stdout: OutputSink;
  stderr: OutputSink;
  /** Environment exported to the command. */
  env: Map<string, string>;
  cwd: string;
  container: ContainerInfo;
  terminal: TerminalInfo | null;
  /** Aborted on Ctrl-C (SIGINT) or when the session goes away: long-running commands must stop. */
  signal: AbortSignal;
}

export type Command = (ctx: CommandContext) => Promise<number>;
