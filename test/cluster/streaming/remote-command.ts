// The transport-independent shape of an exec or attach session: whichever wire protocol carried it
// (WebSocket channels or SPDY streams), the simulated container sees these streams and reports how the
// command ended through `finish`.
import type { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import type { TerminalSize } from "./command-context.js";
import type { CommandOutcome } from "./status.js";

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  // The API server's own clients send "true"; the kubelet's URL form uses "1".
  return value === "true" || value === "1";
}

/** Reads stdin/stdout/stderr/tty from the query as the kubelet does, or says why the request is invalid. */
export function remoteCommandOptions(query: URLSearchParams): RemoteCommandOptions | string {
  const tty = flag(query, "tty");
  const stdin = flag(query, "stdin");
  const stdout = flag(query, "stdout");
  // A terminal merges stderr into stdout: the kubelet drops a stderr request when tty is set.
  const stderr = flag(query, "stderr") && !tty;
  if (!stdin && !stdout && !stderr) return "you must specify at least 1 of stdin, stdout, stderr";
  return { stdin, stdout, stderr, tty };
}

export interface RemoteCommandStreams {
  options: RemoteCommandOptions;
  /** Wire protocol negotiated, for logs and tests (e.g. "v5.channel.k8s.io", "SPDY/3.1 v4.channel.k8s.io"). */
  protocol: string;
  stdin: Readable | null;
  stdout: Writable | null;
  stderr: Writable | null;
  /** Emits "resize" with a TerminalSize for each resize message of a tty session. */
  resizes: EventEmitter<{ resize: [TerminalSize] }> | null;
  /** Aborted when the client goes away before `finish`. */
  clientGone: AbortSignal;
  /** Reports the outcome on the error channel and closes the session gracefully. */
  finish(outcome: CommandOutcome, argv: string[]): void;
}
