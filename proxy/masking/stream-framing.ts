// Wire framing shared by the exec/attach and port-forward maskers: a queue of received bytes,
// WebSocket frame headers and the frame-reading loop, SPDY frame splitting and DATA frames, and
// the idle timer that releases what a masker holds back once a stream is quiet.
import { ByteStreamMasker, IDLE_FLUSH_MS } from "./byte-stream-masker.js";

/** Frames larger than this are refused (the connection is closed) rather than buffered. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Bytes received and not yet parsed, kept as the chunks they came in: a frame that arrived whole
 * is a view into its chunk, one split across chunks is copied once.
 */
export class ChunkQueue {
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
export class IdleFlusher {
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly masker: ByteStreamMasker,
    private readonly release: (bytes: Buffer) => void,
  ) {}

  /** Called after each push: (re)arms the timer while something is held. */
  touch(): void {
    if (!this.masker.idleReleasable) {
      this.stop();
      return;
    }
    if (this.timer) {
      // Re-armed in place: cheaper than a new timer per frame.
      this.timer.refresh();
      return;
    }
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

/** A server frame's header (never masked). */
export function wsHeader(fin: boolean, opcode: number, length: number): Buffer {
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

/**
 * Takes every whole WebSocket frame off the queue: `onFrame(b0, raw, payload)` with the first header
 * byte, the frame as it came and its payload (unmasked if it was masked). Throws on a frame too
 * large to buffer.
 */
export function readWebSocketFrames(queue: ChunkQueue, onFrame: (b0: number, raw: Buffer, payload: Buffer) => void): void {
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
    onFrame(b0, raw, payload);
  }
}

/** Splits one direction of a SPDY connection into whole raw frames. */
export class SpdyFrameSplitter {
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

export function spdyDataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE((((flags & 0xff) << 24) | (data.length & 0xffffff)) >>> 0, 4);
  return Buffer.concat([header, data]);
}
