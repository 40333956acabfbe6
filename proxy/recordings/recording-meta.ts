// What is known about one recorded exec / attach session, kept beside the recording as ID.json.
// The recording itself is ID.cast (asciicast v2, terminal sessions) or ID.bin (binary sessions:
// `kubectl cp`'s tar stream), see asciicast-sink.ts and binary-recording.ts.

export type RecordingKind = "terminal" | "binary";

/** recording: still open (or the engine stopped without closing it); complete; incomplete: the stream could not be fully parsed; failed: it could not be written. */
export type RecordingState = "recording" | "complete" | "incomplete" | "failed";

export interface ChannelBytes {
  stdin: number;
  stdout: number;
  stderr: number;
}

export interface RecordingMeta {
  id: string;
  kind: RecordingKind;
  /** File name of the recording, beside this metadata. */
  file: string;
  state: RecordingState;
  startedAt: string;
  endedAt: string | null;
  /** The audit event of the request that opened the session. */
  auditID: string;
  agent: string | null;
  profile: string | null;
  run: string | null;
  verb: "exec" | "attach";
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  tty: boolean;
  stdin: boolean;
  /** websocket or spdy, and the negotiated subprotocol (v5.channel.k8s.io, …). */
  transport: "websocket" | "spdy" | null;
  protocol: string | null;
  width: number | null;
  height: number | null;
  /** From the error channel: 0 on success, the command's code on NonZeroExitCode, null when unknown. */
  exitCode: number | null;
  /** The error channel's content: a Status object (v4/v5) or text (older protocols). */
  exitStatus: unknown;
  /** Bytes per channel as recorded (after masking: placeholders in terminal recordings, same-length overwrites in binary ones). */
  bytes: ChannelBytes;
  /** SHA-256 (hex) of each channel's recorded bytes, to check a replay or export byte for byte. */
  sha256: { stdin: string | null; stdout: string | null; stderr: string | null };
  /** True when some output was not valid UTF-8 and the terminal recording shows replacement characters. */
  lossy: boolean;
  error: string | null;
}
