// Masks what a SPDY/3.1 server sends: DATA frames of the streams chosen are masked per stream
// (a ByteStreamMasker each) and re-serialized when their bytes changed; control frames and the
// other streams' DATA pass byte for byte. Used for exec/attach output (stdout, stderr) and for
// port-forward (every stream the pod writes to). Changing a DATA frame's length is safe:
// spdystream (Kubernetes' SPDY) has no flow control.
import { Transform, type TransformCallback } from "node:stream";
import type { ByteStreamMasker } from "./byte-stream-masker.js";
import { IdleFlusher, SpdyFrameSplitter, spdyDataFrame } from "./stream-framing.js";

const RST_STREAM = 3;

interface StreamState {
  masker: ByteStreamMasker;
  idle: IdleFlusher;
  closed: boolean;
}

/** The masking of one direction of a SPDY session, as a sans-IO core (the tunnelled port-forward wraps its output). */
export class SpdyDataMasking {
  private readonly splitter = new SpdyFrameSplitter();
  private readonly streams = new Map<number, StreamState>();

  constructor(
    /** Whether a stream's DATA is masked. */
    private readonly masks: (streamId: number) => boolean,
    private readonly newMasker: () => ByteStreamMasker,
    /** DATA frames the idle timer released, outside push. */
    private readonly release: (frames: Buffer) => void,
  ) {}

  private stream(id: number): StreamState {
    let stream = this.streams.get(id);
    if (!stream) {
      const masker = this.newMasker();
      const created: StreamState = { masker, idle: new IdleFlusher(masker, (bytes) => !created.closed && this.release(spdyDataFrame(id, 0, bytes))), closed: false };
      stream = created;
      this.streams.set(id, stream);
    }
    return stream;
  }

  /** Frames of `chunk` (as far as whole), masked, onto `out`. */
  push(chunk: Buffer, out: Buffer[]): void {
    this.splitter.push(chunk, (frame) => {
      if (((frame[0] as number) & 0x80) !== 0) {
        // A stream the server resets: what it held goes first (the client drops it with the stream anyway).
        if (frame.readUInt16BE(2) === RST_STREAM && frame.length >= 12) this.close(frame.readUInt32BE(8) & 0x7fffffff, 0, out);
        out.push(frame);
        return;
      }
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const flags = frame[4] as number;
      if (!this.masks(id)) {
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
        this.forget(id, stream);
      } else stream.idle.touch();
      // Only a frame whose data changed (masked, or bytes held or released) is re-serialized.
      if (masked === payload) out.push(frame);
      else if (masked.length > 0 || fin) out.push(spdyDataFrame(id, flags, masked));
    });
  }

  private forget(id: number, stream: StreamState): void {
    stream.closed = true;
    stream.idle.stop();
    this.streams.delete(id);
  }

  private close(id: number, flags: number, out: Buffer[]): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    const rest = stream.masker.end();
    this.forget(id, stream);
    if (rest.length > 0) out.push(spdyDataFrame(id, flags, rest));
  }

  /** The session ended: what every stream still holds, as DATA frames. */
  end(out: Buffer[]): void {
    for (const id of [...this.streams.keys()]) this.close(id, 0, out);
  }

  stop(): void {
    for (const stream of this.streams.values()) stream.idle.stop();
  }
}

/** SpdyDataMasking as a stream (the upstream's socket → the agent's). */
export class SpdyOutputMasker extends Transform {
  private readonly core: SpdyDataMasking;

  constructor(masks: (streamId: number) => boolean, newMasker: () => ByteStreamMasker, private readonly onDestroy: (() => void) | null = null) {
    super();
    this.core = new SpdyDataMasking(masks, newMasker, (frames) => {
      if (!this.destroyed) this.push(frames);
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    this.core.push(chunk, out);
    for (const piece of out) this.push(piece);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const out: Buffer[] = [];
    this.core.end(out);
    for (const piece of out) this.push(piece);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.core.stop();
    this.onDestroy?.();
    callback(error);
  }
}
