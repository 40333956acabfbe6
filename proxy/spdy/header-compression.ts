// SPDY/3 compresses every header block with zlib, primed with the SPDY dictionary, and the compression
// context is *shared by all control frames in one direction of a connection*: each frame's block ends
// with a sync flush, and the next block continues the same deflate stream. So one direction needs one
// long-lived inflate (or deflate) context, fed every header-bearing frame in order; a block cannot be
// decoded in isolation.
//
// The contexts must be synchronous so the frame parser can stay a plain, ordered, incremental function
// of its input. Node's public zlib API offers synchronous calls only one-shot (`inflateSync` closes its
// context afterwards) and streaming contexts only asynchronously, so this drives a long-lived zlib
// stream's native handle directly, the way Node's own `processChunkSync` does, minus the final close.
// `_handle.writeSync`, `_writeState` and `_chunkSize` are internal but unchanged for many Node releases;
// the constructor fails loudly if they ever go away, and the framer tests exercise every path.
import zlib from "node:zlib";
import { SPDY3_DICTIONARY } from "./dictionary.js";
import { SpdyProtocolError } from "./frames.js";

interface NativeZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}

interface ZlibInternals {
  _handle: NativeZlibHandle | null;
  _writeState: Uint32Array;
  _chunkSize: number;
}

class SyncZlibContext {
  private readonly internals: ZlibInternals;

  constructor(private readonly stream: zlib.Inflate | zlib.Deflate) {
    const internals = stream as unknown as Partial<ZlibInternals>;
    if (!internals._handle || typeof internals._handle.writeSync !== "function" || !internals._writeState) {
      throw new Error("this Node.js build exposes no synchronous zlib handle; SPDY header compression needs one");
    }
    this.internals = stream as unknown as ZlibInternals;
    // Native errors also surface as an asynchronous 'error' event; the synchronous check below is the
    // one that matters, this listener only keeps the event from being unhandled.
    stream.on("error", () => {});
  }

  /** Feeds `input` and returns everything zlib produces for it under `flush`. */
  process(input: Buffer, flush: number): Buffer {
    const handle = this.internals._handle;
    if (!handle || this.stream.destroyed) throw this.stream.errored ?? new Error("zlib context is closed");
    const chunkSize = this.internals._chunkSize;
    const state = this.internals._writeState;
    const output: Buffer[] = [];
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      const out = Buffer.allocUnsafe(chunkSize);
      handle.writeSync(flush, input, inOff, inLen, out, 0, chunkSize);
      if (this.stream.errored) throw this.stream.errored;
      const availOut = state[0] ?? 0;
      const availIn = state[1] ?? 0;
      if (chunkSize - availOut > 0) output.push(out.subarray(0, chunkSize - availOut));
      inOff += inLen - availIn;
      inLen = availIn;
      // A full output buffer means zlib may have more to give for the same input.
      if (availOut !== 0) break;
    }
    return output.length === 1 ? (output[0] as Buffer) : Buffer.concat(output);
  }

  close(): void {
    this.stream.close();
  }
}

/** Inflates the header blocks of one direction of a SPDY connection, in order. */
export class HeaderDecompressor {
  private readonly inflate: SyncZlibContext;
  private failed = false;

  constructor(dictionary: Buffer = SPDY3_DICTIONARY) {
    // Node answers zlib's Z_NEED_DICT with this dictionary when the stream header asks for it.
    this.inflate = new SyncZlibContext(zlib.createInflate({ dictionary }));
  }

  /** Decompresses one frame's header block. After a failure the context is unusable, as on the wire. */
  decompress(block: Buffer): Buffer {
    if (this.failed) throw new SpdyProtocolError("header decompression context already failed");
    if (block.length === 0) return Buffer.alloc(0);
    try {
      return this.inflate.process(block, zlib.constants.Z_SYNC_FLUSH);
    } catch (error) {
      this.failed = true;
      throw new SpdyProtocolError(`cannot decompress SPDY header block: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.inflate.close();
  }
}

/** Deflates the header blocks of one direction of a SPDY connection, in order. */
export class HeaderCompressor {
  private readonly deflate: SyncZlibContext;

  constructor(dictionary: Buffer = SPDY3_DICTIONARY, level: number = zlib.constants.Z_DEFAULT_COMPRESSION) {
    this.deflate = new SyncZlibContext(zlib.createDeflate({ dictionary, level }));
  }

  /** Compresses one frame's header block, ending it with a sync flush so the peer can decode it now. */
  compress(block: Buffer): Buffer {
    return this.deflate.process(block, zlib.constants.Z_SYNC_FLUSH);
  }

  close(): void {
    this.deflate.close();
  }
}
