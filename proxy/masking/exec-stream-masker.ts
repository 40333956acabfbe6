// Masks the output of exec and attach sessions on the wire, between the upstream's socket and the
// agent's, without terminating either protocol:
//
//  - WebSocket (kubectl ≥ 1.30; v5/v4.channel.k8s.io, and the base64 variants): server→client
//    frames are parsed; messages on stdout/stderr (channel 1/2) have their payload masked and are
//    re-framed (server frames are never masked, so a new frame is just a new header). Everything
//    else — the error channel, control frames — passes as it came, after anything held back on the
//    output channels has been flushed. Client→server bytes pass untouched.
//  - SPDY/3.1 (kubectl ≤ 1.29): each channel is a stream, typed by the `streamtype` header of the
//    client's SYN_STREAM. The client→server direction is watched (never changed) to learn which
//    stream is stdout or stderr: its header blocks are inflated with that direction's shared zlib
//    context, so every control frame is fed to the parser in order. Server→client DATA frames of
//    those streams are masked and re-serialized; every other byte passes through as it came.
//    Changing a DATA frame's length is safe: spdystream (Kubernetes' SPDY) has no flow control
//    (spdy-output-masker.ts).
//
// Secrets are replaced by placeholders in a terminal, by same-length fills in `kubectl cp`'s tar
// (and in any session without a TTY whose output is binary): see execReplacementFor.
//
// Output held back because it may be the start of a secret is released when the stream goes quiet
// (IDLE_FLUSH_MS), with the next data on its channel, or when the channel or session ends.
import { Transform, type TransformCallback } from "node:stream";
import type { IncomingMessage } from "node:http";
import type { ResponseMasking } from "./response-masking.js";
import { FrameParser, SpdyProtocolError } from "../spdy/index.js";
import { ByteStreamMasker, type Replacement } from "./byte-stream-masker.js";
import { ChunkQueue, IdleFlusher, SpdyFrameSplitter, readWebSocketFrames, wsHeader } from "./stream-framing.js";
import { SpdyOutputMasker } from "./spdy-output-masker.js";
import { queryFlag, queryOf } from "../gateway/request-query.js";
import { recordingKindFor } from "../recordings/recording-store.js";

export type ExecTransport = "websocket" | "spdy";

export interface ExecStreamMasking {
  /** Upstream → agent. */
  toAgent: Transform;
  /** Agent → upstream (passes bytes unchanged). */
  toUpstream: Transform;
}

/** The transport of an upgraded exec/attach response, from its headers; null when it is neither. */
export function execTransportOf(upgradeHeader: string | undefined): ExecTransport | null {
  const value = (upgradeHeader ?? "").toLowerCase();
  if (value === "websocket") return "websocket";
  if (value.startsWith("spdy/")) return "spdy";
  return null;
}

const ERROR_CHANNEL = 3;

export interface WebSocketOutputOptions {
  /** base64.channel.k8s.io and its v4 variant: text messages, a digit for the channel, base64 payload. */
  base64: boolean;
  /** A channel passed as it comes (exec's error channel, the exit Status); null: every channel is masked. */
  unmaskedChannel: number | null;
  /** Leading bytes of each channel passed unmasked (port-forward: the 2-byte port number). */
  channelPrefix: number;
}

/** WebSocket server→client frames, re-framed with their output channels masked. */
export class WebSocketOutputMasker extends Transform {
  private readonly queue = new ChunkQueue();
  private readonly channels = new Map<number, { masker: ByteStreamMasker; idle: IdleFlusher; prefixLeft: number }>();
  /** Bytes the idle timer released while a fragmented message was open, by channel. */
  private readonly heldForLater = new Map<number, Buffer>();
  /** The data message being received: its channel, and whether its first frame went out. */
  private message: { channel: number; masked: boolean; started: boolean; base64Parts: Buffer[] | null } | null = null;

  private readonly base64: boolean;

  constructor(
    private readonly options: WebSocketOutputOptions,
    private readonly newMasker: () => ByteStreamMasker,
  ) {
    super();
    this.base64 = options.base64;
  }

  private channel(id: number): { masker: ByteStreamMasker; idle: IdleFlusher; prefixLeft: number } {
    let channel = this.channels.get(id);
    if (!channel) {
      const masker = this.newMasker();
      channel = { masker, idle: new IdleFlusher(masker, (bytes) => this.releaseIdle(id, bytes)), prefixLeft: this.options.channelPrefix };
      this.channels.set(id, channel);
    }
    return channel;
  }

  /** A message of its own for bytes released by the idle timer (never inside a fragmented message). */
  private releaseIdle(id: number, bytes: Buffer): void {
    if (this.message) {
      // A fragmented message is under way: frames of another message cannot be interleaved. Its next
      // frame (or its end) carries these bytes out.
      this.heldForLater.set(id, Buffer.concat([this.heldForLater.get(id) ?? Buffer.alloc(0), bytes]));
      return;
    }
    this.push(this.wholeMessage(id, bytes));
  }

  private wholeMessage(channel: number, data: Buffer): Buffer {
    if (this.base64) {
      const payload = Buffer.from(String.fromCharCode(0x30 + channel) + data.toString("base64"), "latin1");
      return Buffer.concat([wsHeader(true, 0x1, payload.length), payload]);
    }
    return Buffer.concat([wsHeader(true, 0x2, data.length + 1), Buffer.from([channel]), data]);
  }

  /** Everything still held on the output channels, as messages (before the exit status, a close or the end). */
  private drainAll(): Buffer[] {
    const out: Buffer[] = [];
    for (const [id, channel] of this.channels) {
      const later = this.heldForLater.get(id);
      this.heldForLater.delete(id);
      const bytes = Buffer.concat([later ?? Buffer.alloc(0), channel.masker.end()]);
      channel.idle.stop();
      if (bytes.length > 0) out.push(this.wholeMessage(id, bytes));
    }
    return out;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const queue = this.queue;
    queue.push(chunk);
    const out: Buffer[] = [];
    try {
      readWebSocketFrames(queue, (b0, raw, payload) => this.frame(b0, raw, payload, out));
    } catch (error) {
      callback(error as Error);
      return;
    }
    for (const piece of out) this.push(piece);
    callback();
  }

  private frame(b0: number, raw: Buffer, payload: Buffer, out: Buffer[]): void {
    const fin = (b0 & 0x80) !== 0;
    if ((b0 & 0x70) !== 0) throw new Error("a compressed or extended WebSocket frame cannot be masked");
    const opcode = b0 & 0x0f;
    if (opcode >= 0x8) {
      // Control frames may sit between fragments; a close ends the session: flush first.
      if (opcode === 0x8) out.push(...this.drainAll());
      out.push(raw);
      return;
    }
    if (opcode !== 0x0) {
      if (this.message) throw new Error("a new WebSocket message started inside a fragmented one");
      if (payload.length === 0) {
        out.push(raw);
        return;
      }
      const channel = this.base64 ? (payload[0] as number) - 0x30 : (payload[0] as number);
      const masked = channel !== this.options.unmaskedChannel;
      this.message = { channel, masked, started: false, base64Parts: this.base64 && masked ? [] : null };
      // The error channel carries the exit status: the output before it goes out first, whole.
      if (!masked) out.push(...this.drainAll());
      payload = payload.subarray(1);
    } else if (!this.message) {
      throw new Error("a WebSocket continuation frame outside a message");
    }
    const message = this.message as NonNullable<typeof this.message>;
    if (!message.masked) {
      out.push(raw);
    } else if (message.base64Parts) {
      // base64 variants: decode the whole message, then mask (fragments of base64 do not decode alone).
      message.base64Parts.push(Buffer.from(payload));
      if (fin) {
        const decoded = Buffer.from(Buffer.concat(message.base64Parts).toString("latin1"), "base64");
        const channel = this.channel(message.channel);
        const prefix = this.takePrefix(channel, decoded);
        let masked = channel.masker.push(prefix ? decoded.subarray(prefix.length) : decoded);
        if (prefix) masked = Buffer.concat([prefix, masked]);
        channel.idle.touch();
        if (masked.length > 0) out.push(this.wholeMessage(message.channel, masked));
      }
    } else {
      const channel = this.channel(message.channel);
      const later = this.heldForLater.get(message.channel);
      this.heldForLater.delete(message.channel);
      const prefix = this.takePrefix(channel, payload);
      let masked = channel.masker.push(prefix ? payload.subarray(prefix.length) : payload);
      if (prefix) masked = Buffer.concat([prefix, masked]);
      if (later) masked = Buffer.concat([later, masked]);
      channel.idle.touch();
      if (fin && !message.started && masked === payload && ((raw[1] as number) & 0x80) === 0) {
        // Nothing changed in a whole message: the frame goes out as it came.
        out.push(raw);
      } else if (fin && !message.started) {
        if (masked.length > 0) out.push(this.wholeMessage(message.channel, masked));
      } else if (!message.started) {
        out.push(wsHeader(false, 0x2, masked.length + 1), Buffer.from([message.channel]), masked);
        message.started = true;
      } else {
        out.push(wsHeader(fin, 0x0, masked.length), masked);
      }
    }
    if (fin) {
      this.message = null;
      // Bytes the idle timer released while the message was open.
      for (const [id, bytes] of this.heldForLater) {
        this.heldForLater.delete(id);
        if (bytes.length > 0) out.push(this.wholeMessage(id, bytes));
      }
    }
  }

  /** The channel's leading bytes still to pass unmasked, taken off the front of `payload` (null when none are left). */
  private takePrefix(channel: { prefixLeft: number }, payload: Buffer): Buffer | null {
    if (channel.prefixLeft === 0 || payload.length === 0) return null;
    const prefix = payload.subarray(0, Math.min(channel.prefixLeft, payload.length));
    channel.prefixLeft -= prefix.length;
    return prefix;
  }

  override _flush(callback: TransformCallback): void {
    for (const piece of this.drainAll()) this.push(piece);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const channel of this.channels.values()) channel.idle.stop();
    callback(error);
  }
}

/** Stream types of a SPDY exec session, learned from the client's SYN_STREAM frames. */
class SpdyStreamTypes {
  readonly types = new Map<number, string>();
  private readonly parser = new FrameParser();
  private readonly splitter = new SpdyFrameSplitter();

  observe(chunk: Buffer): void {
    this.splitter.push(chunk, (frame) => {
      // DATA frames (stdin) carry no headers: only control frames go to the parser, in order, so
      // its zlib context follows the client's.
      if (((frame[0] as number) & 0x80) === 0) return;
      for (const parsed of this.parser.push(frame)) {
        if (parsed.type === "SYN_STREAM") this.types.set(parsed.streamId, (parsed.headers["streamtype"]?.[0] ?? "").toLowerCase());
      }
    });
  }

  close(): void {
    this.parser.close();
  }
}

/** Streams whose data is passed as it is: exec's error (the exit Status) and the client's resize and stdin. */
const SPDY_UNMASKED = new Set(["error", "resize", "stdin"]);

/** Bytes passed as they came, optionally watched on the way. */
export class PassThroughTap extends Transform {
  constructor(private readonly observe: ((chunk: Buffer) => void) | null) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.observe?.(chunk);
    } catch (error) {
      // Without the client's stream types, output could not be told from anything else: stop.
      callback(error instanceof SpdyProtocolError ? error : new Error(`cannot follow the SPDY session: ${(error as Error).message}`));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * The masking transforms for an upgraded exec/attach session. `subprotocol` is what the upstream
 * chose (Sec-WebSocket-Protocol or X-Stream-Protocol-Version).
 */
export function execStreamMasking(transport: ExecTransport, subprotocol: string, newMasker: () => ByteStreamMasker): ExecStreamMasking {
  if (transport === "websocket") {
    const options = { base64: subprotocol.includes("base64"), unmaskedChannel: ERROR_CHANNEL, channelPrefix: 0 };
    return { toAgent: new WebSocketOutputMasker(options, newMasker), toUpstream: new PassThroughTap(null) };
  }
  const types = new SpdyStreamTypes();
  // Unknown streams are masked too: only streams known to carry no output pass untouched.
  const masks = (id: number): boolean => !SPDY_UNMASKED.has(types.types.get(id) ?? "");
  return { toAgent: new SpdyOutputMasker(masks, newMasker, () => types.close()), toUpstream: new PassThroughTap((chunk) => types.observe(chunk)) };
}

/**
 * How an exec/attach session's secrets are replaced, from its request (the query holds the command
 * and whether there is a TTY): `kubectl cp` runs `tar` without a TTY, whose output is an archive —
 * same length, so it stays one; any other session without a TTY is decided by its first output
 * (a binary file keeps its size, text gets placeholders); a terminal gets placeholders.
 */
export function execReplacementFor(requestUrl: string | undefined): Replacement {
  const query = queryOf(requestUrl ?? "");
  const tty = queryFlag(query, "tty");
  if (tty) return "placeholder";
  // The recording of the same session is binary exactly then.
  return recordingKindFor(query.getAll("command"), tty) === "binary" ? "same-length" : "by-content";
}

/**
 * The masking of an exec/attach session the upstream agreed to upgrade, or why it cannot be masked
 * (the session is then refused: its output would pass unread).
 */
export function execMaskingFor(masking: ResponseMasking, upstreamRes: IncomingMessage, replacement: Replacement = "placeholder"): ExecStreamMasking | { refuse: string } {
  const transport = execTransportOf(upstreamRes.headers.upgrade);
  if (!transport) return { refuse: `the cluster upgraded the connection to ${JSON.stringify(upstreamRes.headers.upgrade ?? "")}, which chaperone cannot read to mask the output` };
  if (transport === "websocket" && upstreamRes.headers["sec-websocket-extensions"]) {
    return { refuse: "the cluster turned on WebSocket compression, which chaperone cannot read to mask the output" };
  }
  const subprotocol = String(upstreamRes.headers["sec-websocket-protocol"] ?? upstreamRes.headers["x-stream-protocol-version"] ?? "");
  const { scope } = masking;
  return execStreamMasking(transport, subprotocol, () => new ByteStreamMasker(scope.masker, scope.settings.detectors, () => scope.note("exec output"), { replacement }));
}
