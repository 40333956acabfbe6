// One session being recorded: the tap (proxy/audit/exec-tap.ts) calls stdin / stdout / stderr /
// resize as it parses the stream; the session writes asciicast v2 (terminal) or the binary format,
// counts and hashes every channel's recorded bytes, and on finish writes the final metadata (exit
// code, sizes, hashes) atomically beside the recording.
//
// Which format: a TTY session is a terminal (asciicast); `kubectl cp` (tar) is binary. Any other
// session without a TTY is decided by its first output: text (UTF-8, no NUL) makes a terminal
// recording, anything else (`cat` of a binary file, `head -c N /dev/zero`) a binary one — JSON
// would store such bytes lossily or at six times their size. Until then events wait in memory.
import { createHash, type Hash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.js";
import { castLine, commandLine, type AsciicastHeader } from "./asciicast.js";
import { BINARY_FORMAT, Channel, RECORD_HEADER_BYTES, writeRecordHeader } from "./binary-recording.js";
import { SyncFileWriter, MAX_RESERVE } from "./sync-file-writer.js";
import { escapeJsonBytes, MAX_ESCAPE_EXPANSION } from "./json-escape.js";
import type { RecordingMeta } from "./recording-meta.js";
import { looksLikeText } from "./looks-like-text.js";

/** Masks a byte stream for the record (issue 5's ByteStreamMasker): fed in order, may hold back a partial line. */
export interface StreamMasker {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
  /** Releases what it holds back once the stream has been idle (an interactive prompt). */
  flushIdle?(): Buffer;
}

/** A new masker for one stream of a recording in `format` (cast: placeholders; bin: same length). */
export type StreamMaskerFactory = (format: "cast" | "bin") => StreamMasker;

export interface SessionOutcome {
  exitCode: number | null;
  exitStatus: unknown;
  /** Why the stream could not be fully parsed, if it could not. */
  incomplete: string | null;
}

type DataChannel = "stdin" | "stdout" | "stderr";

type Pending =
  | { kind: "data"; channel: DataChannel; time: number; data: Buffer }
  | { kind: "resize"; time: number; width: number; height: number }
  | { kind: "stdinClosed"; time: number }
  | { kind: "error"; time: number; data: Buffer };

const DEFAULT_WIDTH = 80;
const DEFAULT_HEIGHT = 24;
const IDLE_FLUSH_MS = 100;
/** Input held while the format is undecided; past this, it is a terminal recording. */
const MAX_PENDING_BYTES = 1024 * 1024;
/** Bytes of a cast event's data escaped per reservation of the writer's buffer. */
const ESCAPE_SLICE = Math.floor((MAX_RESERVE - 64) / MAX_ESCAPE_EXPANSION);

/** Where a UTF-8 sequence cut off at the end of `data` starts (data.length when none is). */
function incompleteTail(data: Buffer): number {
  for (let i = data.length - 1; i >= 0 && i >= data.length - 4; i--) {
    const b = data[i] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return data.length - i < needed ? i : data.length;
  }
  return data.length;
}

/**
 * Streaming UTF-8 for terminal events: a character split across chunks is joined; invalid bytes
 * become U+FFFD and mark the recording lossy. Checked natively (isUtf8) rather than with a fatal
 * TextDecoder, which costs several times more on bulk output.
 */
class Utf8Stream {
  private carry: Buffer | null = null;
  lossy = false;

  /** The bytes of the whole characters so far (a character cut at the end waits for the next chunk). */
  take(chunk: Buffer): Buffer {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = incompleteTail(data);
    this.carry = cut < data.length ? Buffer.from(data.subarray(cut)) : null;
    return cut < data.length ? data.subarray(0, cut) : data;
  }

  /** What is left at the end of the stream: a cut-off character, shown as U+FFFD. */
  end(): string {
    if (!this.carry) return "";
    this.lossy = true;
    const rest = this.carry.toString("utf8");
    this.carry = null;
    return rest;
  }
}

export class RecordingSession {
  readonly meta: RecordingMeta;
  private readonly started = performance.now();
  private readonly hashes: Record<DataChannel, Hash> = {
    stdin: createHash("sha256"),
    stdout: createHash("sha256"),
    stderr: createHash("sha256"),
  };
  private readonly text = { stdin: new Utf8Stream(), stdout: new Utf8Stream(), stderr: new Utf8Stream() };
  private format: "cast" | "bin" | null = null;
  private writer: SyncFileWriter | null = null;
  private openError: Error | null = null;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private headerWritten = false;
  private finished = false;
  private maskers: Record<DataChannel, StreamMasker> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  /**
   * `streamMasker`: secrets in what is typed and shown are masked in the recording. A terminal
   * recording gets placeholders; a binary one gets each match overwritten by as many bytes, so a
   * `kubectl cp` archive in it stays an archive with files of their real sizes.
   */
  constructor(
    private readonly dir: string,
    meta: RecordingMeta,
    private readonly onWriteError: (error: Error) => void,
    private readonly streamMasker?: StreamMaskerFactory,
  ) {
    this.meta = meta;
    if (meta.kind === "binary") this.open("bin");
    else if (meta.tty) this.open("cast");
  }

  get failed(): Error | null {
    return this.openError ?? this.writer?.failed ?? null;
  }

  private now(): number {
    return (performance.now() - this.started) / 1000;
  }

  private open(format: "cast" | "bin"): void {
    this.format = format;
    const m = this.meta;
    m.kind = format === "bin" ? "binary" : "terminal";
    m.file = `${m.id}.${format}`;
    if (this.streamMasker) {
      this.maskers = { stdin: this.streamMasker(format), stdout: this.streamMasker(format), stderr: this.streamMasker(format) };
    }
    try {
      this.writer = new SyncFileWriter(join(this.dir, m.file), (error) => this.fail(error));
    } catch (error) {
      this.openError = error as Error;
      this.fail(this.openError);
      return;
    }
    if (format === "bin") {
      this.writer.write(JSON.stringify({ format: BINARY_FORMAT, version: 1, ...this.headerFacts() }) + "\n");
      this.headerWritten = true;
    }
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const item of pending) this.apply(item);
  }

  private fail(error: Error): void {
    this.meta.error = `the recording could not be written: ${error.message}`;
    this.onWriteError(error);
  }

  private headerFacts(): Record<string, unknown> {
    const m = this.meta;
    return {
      id: m.id,
      auditID: m.auditID,
      agent: m.agent,
      profile: m.profile,
      run: m.run,
      verb: m.verb,
      namespace: m.namespace,
      pod: m.pod,
      container: m.container,
      command: m.command,
      tty: m.tty,
      stdin: m.stdin,
      transport: m.transport,
      protocol: m.protocol,
      startedAt: m.startedAt,
    };
  }

  private ensureHeader(): void {
    if (this.headerWritten || !this.writer) return;
    this.headerWritten = true;
    const m = this.meta;
    m.width ??= DEFAULT_WIDTH;
    m.height ??= DEFAULT_HEIGHT;
    const target = `${m.namespace}/${m.pod}${m.container ? ` -c ${m.container}` : ""}`;
    const header: AsciicastHeader = {
      version: 2,
      width: m.width,
      height: m.height,
      timestamp: Math.floor(Date.parse(m.startedAt) / 1000),
      command: commandLine(m.command),
      title: `${m.agent ?? "unknown agent"}${m.run ? ` (run ${m.run})` : ""}: kubectl ${m.verb} ${target}${m.command.length ? ` -- ${commandLine(m.command)}` : ""}`,
      ...(m.tty ? { env: { TERM: "xterm-256color" } } : {}),
      chaperone: this.headerFacts(),
    };
    this.writer.write(JSON.stringify(header) + "\n");
  }

  /** The transport and subprotocol, once the upgrade answer is known. */
  setProtocol(transport: "websocket" | "spdy", protocol: string | null): void {
    this.meta.transport = transport;
    this.meta.protocol = protocol;
  }

  /** Holds an event until the format is known; decides it on the first output. */
  private route(item: Pending): void {
    if (this.finished) return;
    if (this.format === null) {
      if (item.kind === "data" && item.channel !== "stdin") {
        this.open(looksLikeText(item.data) ? "cast" : "bin");
      } else {
        const copy: Pending = item.kind === "data" || item.kind === "error" ? { ...item, data: Buffer.from(item.data) } : item;
        this.pending.push(copy);
        this.pendingBytes += item.kind === "data" ? item.data.length : 16;
        if (this.pendingBytes > MAX_PENDING_BYTES) this.open("cast");
        return;
      }
    }
    this.apply(item);
  }

  private apply(item: Pending): void {
    switch (item.kind) {
      case "data":
        if (this.maskers) {
          this.record(item.channel, item.time, this.maskers[item.channel].push(item.data));
          this.scheduleIdleFlush();
        } else {
          this.record(item.channel, item.time, item.data);
        }
        return;
      case "resize":
        this.writeResize(item.time, item.width, item.height);
        return;
      case "stdinClosed":
        if (this.format === "bin") this.writeBinary(Channel.stdinClosed, item.time, Buffer.alloc(0));
        return;
      case "error":
        if (this.format === "bin") this.writeBinary(Channel.error, item.time, item.data);
        return;
    }
  }

  private scheduleIdleFlush(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.maskers || this.finished) return;
      for (const channel of ["stdin", "stdout", "stderr"] as const) {
        const held = this.maskers[channel].flushIdle?.();
        if (held && held.length > 0) this.record(channel, this.now(), held);
      }
    }, IDLE_FLUSH_MS);
    this.idleTimer.unref?.();
  }

  /** Bytes as they go into the recording (after masking): counted, hashed, written. */
  private record(channel: DataChannel, time: number, data: Buffer): void {
    if (data.length === 0 || !this.writer) return;
    this.meta.bytes[channel] += data.length;
    this.hashes[channel].update(data);
    if (this.format === "bin") {
      this.writeBinary(Channel[channel], time, data);
      return;
    }
    this.ensureHeader();
    const stream = this.text[channel];
    const whole = stream.take(data);
    if (whole.length === 0) return;
    if (isUtf8(whole)) {
      this.writeCastData(time, channel === "stdin" ? "i" : "o", whole);
    } else {
      stream.lossy = true;
      this.writer.write(castLine(time, channel === "stdin" ? "i" : "o", whole.toString("utf8")));
    }
  }

  /** A binary record, its header written straight into the writer's buffer. */
  private writeBinary(channel: number, time: number, payload: Buffer): void {
    const writer = this.writer;
    const buffer = writer?.reserve(RECORD_HEADER_BYTES);
    if (!writer || !buffer) return;
    writeRecordHeader(buffer, writer.offset, channel, time, payload.length);
    writer.commit(RECORD_HEADER_BYTES);
    if (payload.length > 0) writer.write(payload);
  }

  /**
   * The line castLine(time, code, data.toString()) gives, for `data` that is valid UTF-8, escaped
   * from the bytes straight into the writer's buffer.
   */
  private writeCastData(time: number, code: "i" | "o", data: Buffer): void {
    const writer = this.writer;
    if (!writer) return;
    writer.write(`[${time.toFixed(6)},"${code}","`);
    for (let from = 0; from < data.length; from += ESCAPE_SLICE) {
      const to = Math.min(data.length, from + ESCAPE_SLICE);
      const buffer = writer.reserve((to - from) * MAX_ESCAPE_EXPANSION);
      if (!buffer) return;
      const at = writer.offset;
      writer.commit(escapeJsonBytes(data, from, to, buffer, at) - at);
    }
    writer.write(`"]\n`);
  }

  private writeResize(time: number, width: number, height: number): void {
    if (!this.writer) return;
    if (this.format === "bin") {
      this.writeBinary(Channel.resize, time, Buffer.from(JSON.stringify({ Width: width, Height: height })));
      return;
    }
    if (!this.headerWritten) {
      // The first size, sent before any output, is the terminal's initial size.
      this.meta.width = width;
      this.meta.height = height;
      this.ensureHeader();
      return;
    }
    this.writer.write(castLine(time, "r", `${width}x${height}`));
  }

  stdin(data: Buffer): void {
    if (data.length > 0) this.route({ kind: "data", channel: "stdin", time: this.now(), data });
  }

  stdout(data: Buffer): void {
    if (data.length > 0) this.route({ kind: "data", channel: "stdout", time: this.now(), data });
  }

  stderr(data: Buffer): void {
    if (data.length > 0) this.route({ kind: "data", channel: "stderr", time: this.now(), data });
  }

  resize(width: number, height: number): void {
    // A pseudo-terminal without a size reports 0x0; that says nothing about the screen.
    if (!Number.isFinite(width) || !Number.isFinite(height) || width <= 0 || height <= 0) return;
    this.route({ kind: "resize", time: this.now(), width, height });
  }

  stdinClosed(): void {
    this.route({ kind: "stdinClosed", time: this.now() });
  }

  /** The error channel's content, as it arrived (binary recordings keep it too). */
  errorChannel(data: Buffer): void {
    if (data.length > 0) this.route({ kind: "error", time: this.now(), data });
  }

  finish(outcome: SessionOutcome): RecordingMeta {
    if (this.finished) return this.meta;
    if (this.format === null) this.open("cast");
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.maskers) {
      for (const channel of ["stdin", "stdout", "stderr"] as const) this.record(channel, this.now(), this.maskers[channel].end());
    }
    this.finished = true;
    const m = this.meta;
    if (m.kind === "terminal" && this.writer) {
      this.ensureHeader();
      for (const channel of ["stdin", "stdout", "stderr"] as const) {
        const rest = this.text[channel].end();
        if (rest !== "") this.writer.write(castLine(this.now(), channel === "stdin" ? "i" : "o", rest));
      }
      if (outcome.exitCode !== null || outcome.exitStatus !== null) {
        this.writer.write(castLine(this.now(), "m", outcome.exitCode !== null ? `exit ${outcome.exitCode}` : "exit unknown"));
      }
    }
    const error = this.writer?.close() ?? this.openError;
    m.endedAt = new Date().toISOString();
    m.exitCode = outcome.exitCode;
    m.exitStatus = outcome.exitStatus;
    m.lossy = this.text.stdout.lossy || this.text.stderr.lossy || this.text.stdin.lossy;
    for (const channel of ["stdin", "stdout", "stderr"] as const) {
      m.sha256[channel] = m.bytes[channel] > 0 ? this.hashes[channel].digest("hex") : null;
    }
    if (error) {
      m.state = "failed";
      m.error ??= `the recording could not be written: ${error.message}`;
    } else if (outcome.incomplete) {
      m.state = "incomplete";
      m.error = outcome.incomplete;
    } else {
      m.state = "complete";
    }
    try {
      writeFileAtomic(join(this.dir, `${m.id}.json`), JSON.stringify(m, null, 2) + "\n");
    } catch (writeError) {
      m.state = "failed";
      m.error = `the recording's metadata could not be written: ${(writeError as Error).message}`;
    }
    return m;
  }
}
