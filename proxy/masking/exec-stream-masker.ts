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
//    Changing a DATA frame's length is safe: spdystream (Kubernetes' SPDY) has no flow control.
//
// Output held back because it may be the start of a secret is released when the stream goes quiet
// (IDLE_FLUSH_MS), with the next data on its channel, or when the channel or session ends.
import { Transform, type TransformCallback } from "node:stream";
import type { IncomingMessage } from "node:http";
import type { ResponseMasking } from "./response-masking.js";
import { FrameParser, SpdyProtocolError } from "../spdy/index.js";
import { ByteStreamMasker, IDLE_FLUSH_MS } from "./byte-stream-masker.js";

/** Frames larger than this are refused (the connection is closed) rather than buffered. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

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

/**
 * Bytes received and not yet parsed, kept as the chunks they came in: a frame that arrived whole
 * is a view into its chunk, one split across chunks is copied once.
 */
class ChunkQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Up to `n` leading bytes, not consumed (copied only when they span chunks). */
  peek(n: number): Buffer {
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.alloc(Math.min(n, this.length));
    let at = 0;
    for (const chunk of this.chunks) {
      at += chunk.copy(out, at, 0, Math.min(chunk.length, out.length - at));
      if (at === out.length) break;
    }
    return out;
  }

  /** Consumes the first `n` bytes (n <= length). */
  take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    this.length -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0] as Buffer;
      const used = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, used);
      at += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}

/** Releases held bytes of one channel after a quiet period. */
class IdleFlusher {
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly masker: ByteStreamMasker,
    private readonly release: (bytes: Buffer) => void,
  ) {}

  /** Called after each push: (re)arms the timer while something is held. */
  touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.masker.idleReleasable) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const out = this.masker.flushIdle();
      if (out.length > 0) this.release(out);
    }, IDLE_FLUSH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function wsHeader(fin: boolean, opcode: number, length: number): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (length < 126) return Buffer.from([first, length]);
  if (length < 65536) {
    const header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

const ERROR_CHANNEL = 3;

/** WebSocket server→client frames, re-framed with their output channels masked. */
class WebSocketOutputMasker extends Transform {
  private readonly queue = new ChunkQueue();
  private readonly channels = new Map<number, { masker: ByteStreamMasker; idle: IdleFlusher }>();
  /** Bytes the idle timer released while a fragmented message was open, by channel. */
  private readonly heldForLater = new Map<number, Buffer>();
  /** The data message being received: its channel, and whether its first frame went out. */
  private message: { channel: number; masked: boolean; started: boolean; base64Parts: Buffer[] | null } | null = null;

  constructor(
    private readonly base64: boolean,
    private readonly newMasker: () => ByteStreamMasker,
  ) {
    super();
  }

  private channel(id: number): { masker: ByteStreamMasker; idle: IdleFlusher } {
    let channel = this.channels.get(id);
    if (!channel) {
      const masker = this.newMasker();
      channel = { masker, idle: new IdleFlusher(masker, (bytes) => this.releaseIdle(id, bytes)) };
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
      while (queue.length >= 2) {
        const head = queue.peek(14);
        const b0 = head[0] as number;
        const b1 = head[1] as number;
        const masked = (b1 & 0x80) !== 0;
        let length = b1 & 0x7f;
        let header = 2;
        if (length === 126) {
          if (head.length < 4) break;
          length = head.readUInt16BE(2);
          header = 4;
        } else if (length === 127) {
          if (head.length < 10) break;
          const big = head.readBigUInt64BE(2);
          if (big > BigInt(MAX_FRAME_BYTES)) throw new Error("WebSocket frame too large to mask");
          length = Number(big);
          header = 10;
        }
        if (length > MAX_FRAME_BYTES) throw new Error("WebSocket frame too large to mask");
        const maskOffset = header;
        if (masked) header += 4;
        if (queue.length < header + length) break;
        const raw = queue.take(header + length);
        let payload = raw.subarray(header);
        if (masked) {
          const key = raw.subarray(maskOffset, maskOffset + 4);
          payload = Buffer.from(payload);
          for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (key[i & 3] as number);
        }
        this.frame(b0, raw, payload, out);
      }
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
      const masked = channel !== ERROR_CHANNEL;
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
        const masked = channel.masker.push(decoded);
        channel.idle.touch();
        if (masked.length > 0) out.push(this.wholeMessage(message.channel, masked));
      }
    } else {
      const channel = this.channel(message.channel);
      const later = this.heldForLater.get(message.channel);
      this.heldForLater.delete(message.channel);
      let masked = channel.masker.push(payload);
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

  override _flush(callback: TransformCallback): void {
    for (const piece of this.drainAll()) this.push(piece);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const channel of this.channels.values()) channel.idle.stop();
    callback(error);
  }
}

/** Splits one direction of a SPDY connection into whole raw frames. */
class SpdyFrameSplitter {
  private readonly queue = new ChunkQueue();

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    const queue = this.queue;
    queue.push(chunk);
    while (queue.length >= 8) {
      const length = queue.peek(8).readUInt32BE(4) & 0xffffff;
      if (queue.length < 8 + length) break;
      onFrame(queue.take(8 + length));
    }
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

class SpdyOutputMasker extends Transform {
  private readonly splitter = new SpdyFrameSplitter();
  private readonly streams = new Map<number, { masker: ByteStreamMasker; idle: IdleFlusher; closed: boolean }>();

  constructor(
    private readonly types: SpdyStreamTypes,
    private readonly newMasker: () => ByteStreamMasker,
  ) {
    super();
  }

  private stream(id: number): { masker: ByteStreamMasker; idle: IdleFlusher; closed: boolean } {
    let stream = this.streams.get(id);
    if (!stream) {
      const masker = this.newMasker();
      const created = { masker, idle: new IdleFlusher(masker, (bytes) => !created.closed && this.push(dataFrame(id, 0, bytes))), closed: false };
      stream = created;
      this.streams.set(id, stream);
    }
    return stream;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    this.splitter.push(chunk, (frame) => {
      if (((frame[0] as number) & 0x80) !== 0) {
        out.push(frame);
        return;
      }
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const flags = frame[4] as number;
      // Unknown streams are masked too: only streams known to carry no output pass untouched.
      if (SPDY_UNMASKED.has(this.types.types.get(id) ?? "")) {
        out.push(frame);
        return;
      }
      const stream = this.stream(id);
      const payload = frame.subarray(8);
      let masked = stream.masker.push(payload);
      const fin = (flags & 0x01) !== 0;
      if (fin) {
        const rest = stream.masker.end();
        if (rest.length > 0) masked = Buffer.concat([masked, rest]);
        stream.closed = true;
        stream.idle.stop();
      } else stream.idle.touch();
      // Only a frame whose data changed (masked, or bytes held or released) is re-serialized.
      if (masked === payload) out.push(frame);
      else if (masked.length > 0 || fin) out.push(dataFrame(id, flags, masked));
    });
    for (const piece of out) this.push(piece);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    for (const [id, stream] of this.streams) {
      stream.idle.stop();
      if (stream.closed) continue;
      const rest = stream.masker.end();
      if (rest.length > 0) this.push(dataFrame(id, 0, rest));
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    for (const stream of this.streams.values()) stream.idle.stop();
    this.types.close();
    callback(error);
  }
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE((((flags & 0xff) << 24) | (data.length & 0xffffff)) >>> 0, 4);
  return Buffer.concat([header, data]);
}

class PassThroughTap extends Transform {
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
    return { toAgent: new WebSocketOutputMasker(subprotocol.includes("base64"), newMasker), toUpstream: new PassThroughTap(null) };
  }
  const types = new SpdyStreamTypes();
  return { toAgent: new SpdyOutputMasker(types, newMasker), toUpstream: new PassThroughTap((chunk) => types.observe(chunk)) };
}

/**
 * The masking of an exec/attach session the upstream agreed to upgrade, or why it cannot be masked
 * (the session is then refused: its output would pass unread).
 */
export function execMaskingFor(masking: ResponseMasking, upstreamRes: IncomingMessage): ExecStreamMasking | { refuse: string } {
  const transport = execTransportOf(upstreamRes.headers.upgrade);
  if (!transport) return { refuse: `the cluster upgraded the connection to ${JSON.stringify(upstreamRes.headers.upgrade ?? "")}, which chaperone cannot read to mask the output` };
  if (transport === "websocket" && upstreamRes.headers["sec-websocket-extensions"]) {
    return { refuse: "the cluster turned on WebSocket compression, which chaperone cannot read to mask the output" };
  }
  const subprotocol = String(upstreamRes.headers["sec-websocket-protocol"] ?? upstreamRes.headers["x-stream-protocol-version"] ?? "");
  const { scope } = masking;
  return execStreamMasking(transport, subprotocol, () => new ByteStreamMasker(scope.masker, scope.settings.detectors, () => scope.note("exec output")));
}
