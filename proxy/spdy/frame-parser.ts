// Incremental SPDY/3.1 frame parser: feed it the bytes of one direction of a connection in whatever
// chunks they arrive, get back the complete frames. It owns that direction's header decompression
// context, so it must see every frame, in order (see header-compression.ts).
//
// Wire layout (all big-endian):
//   control: |1|version(15)|type(16)|  flags(8)|length(24)|  payload
//   data:    |0|stream-id(31)|          flags(8)|length(24)|  payload
import { decodeHeaderBlock } from "./header-block.js";
import { HeaderDecompressor } from "./header-compression.js";
import {
  ControlType,
  SPDY_VERSION,
  SpdyProtocolError,
  type SettingsEntry,
  type SpdyFrame,
  type SpdyHeaders,
} from "./frames.js";

const FRAME_HEADER_LENGTH = 8;
const STREAM_ID_MASK = 0x7fffffff;

export interface FrameParserOptions {
  /** Supply one to share or inspect the context; by default the parser creates its own. */
  headerDecompressor?: HeaderDecompressor;
  /**
   * False: DATA payloads are views into the pushed chunks instead of copies (for a reader that uses
   * them at once, or whose chunks are never reused). Default true.
   */
  copyData?: boolean;
}

export class FrameParser {
  private readonly decompressor: HeaderDecompressor;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly copyData: boolean;

  constructor(options: FrameParserOptions = {}) {
    this.decompressor = options.headerDecompressor ?? new HeaderDecompressor();
    this.copyData = options.copyData ?? true;
  }

  /** Bytes received but not yet part of a complete frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Adds bytes and returns every frame they complete. Throws SpdyProtocolError on a malformed frame;
   * the parser is then unusable, as the connection would be.
   */
  push(chunk: Buffer): SpdyFrame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: SpdyFrame[] = [];
    while (this.buffered >= FRAME_HEADER_LENGTH) {
      const header = this.peek(FRAME_HEADER_LENGTH);
      const length = header.readUInt32BE(4) & 0xffffff;
      if (this.buffered < FRAME_HEADER_LENGTH + length) break;
      const frame = this.take(FRAME_HEADER_LENGTH + length);
      frames.push(this.decode(frame));
    }
    return frames;
  }

  close(): void {
    this.decompressor.close();
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const joined = Buffer.concat(this.chunks);
      out = joined.subarray(0, n);
      this.chunks = joined.length > n ? [joined.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }

  private decode(frame: Buffer): SpdyFrame {
    const word = frame.readUInt32BE(0);
    const flags = frame[4] ?? 0;
    const payload = frame.subarray(FRAME_HEADER_LENGTH);
    if ((word & 0x80000000) === 0) {
      const streamId = word & STREAM_ID_MASK;
      if (streamId === 0) throw new SpdyProtocolError("DATA frame on stream 0");
      // Copy: the caller may keep the data while the parser's buffers are reused.
      return { type: "DATA", streamId, flags, data: this.copyData ? Buffer.from(payload) : payload };
    }
    const version = (word >>> 16) & 0x7fff;
    const type = word & 0xffff;
    const known = Object.values(ControlType) as number[];
    if (!known.includes(type)) {
      return { type: "UNKNOWN", version, frameType: type, flags, payload: Buffer.from(payload) };
    }
    if (version !== SPDY_VERSION) {
      throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    }
    return this.decodeControl(type, flags, payload);
  }

  private decodeControl(type: number, flags: number, payload: Buffer): SpdyFrame {
    const expectLength = (name: string, ok: boolean): void => {
      if (!ok) throw new SpdyProtocolError(`${name} frame has invalid length ${payload.length}`);
    };
    switch (type) {
      case ControlType.SynStream: {
        expectLength("SYN_STREAM", payload.length >= 10);
        const streamId = payload.readUInt32BE(0) & STREAM_ID_MASK;
        const associatedToStreamId = payload.readUInt32BE(4) & STREAM_ID_MASK;
        const priority = (payload[8] ?? 0) >> 5;
        const slot = payload[9] ?? 0;
        const headers = this.headers(payload.subarray(10), streamId);
        if (streamId === 0) throw new SpdyProtocolError("SYN_STREAM for stream 0");
        return { type: "SYN_STREAM", streamId, associatedToStreamId, priority, slot, flags, headers };
      }
      case ControlType.SynReply: {
        expectLength("SYN_REPLY", payload.length >= 4);
        const streamId = payload.readUInt32BE(0) & STREAM_ID_MASK;
        const headers = this.headers(payload.subarray(4), streamId);
        return { type: "SYN_REPLY", streamId, flags, headers };
      }
      case ControlType.Headers: {
        expectLength("HEADERS", payload.length >= 4);
        const streamId = payload.readUInt32BE(0) & STREAM_ID_MASK;
        const headers = this.headers(payload.subarray(4), streamId);
        return { type: "HEADERS", streamId, flags, headers };
      }
      case ControlType.RstStream:
        expectLength("RST_STREAM", payload.length === 8);
        return { type: "RST_STREAM", streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.readUInt32BE(4) };
      case ControlType.Settings: {
        expectLength("SETTINGS", payload.length >= 4);
        const count = payload.readUInt32BE(0);
        expectLength("SETTINGS", payload.length === 4 + count * 8);
        const entries: SettingsEntry[] = [];
        for (let i = 0; i < count; i++) {
          const idWord = payload.readUInt32BE(4 + i * 8);
          entries.push({ flags: idWord >>> 24, id: idWord & 0xffffff, value: payload.readUInt32BE(8 + i * 8) });
        }
        return { type: "SETTINGS", flags, entries };
      }
      case ControlType.Ping:
        expectLength("PING", payload.length === 4);
        return { type: "PING", id: payload.readUInt32BE(0) };
      case ControlType.GoAway:
        // SPDY/2 GOAWAY had no status; SPDY/3 has 8 bytes.
        expectLength("GOAWAY", payload.length === 8);
        return { type: "GOAWAY", lastGoodStreamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.readUInt32BE(4) };
      case ControlType.WindowUpdate:
        expectLength("WINDOW_UPDATE", payload.length === 8);
        return {
          type: "WINDOW_UPDATE",
          streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
          deltaWindowSize: payload.readUInt32BE(4) & 0x7fffffff,
        };
      default:
        throw new SpdyProtocolError(`unhandled control frame type ${type}`);
    }
  }

  private headers(compressed: Buffer, streamId: number): SpdyHeaders {
    return decodeHeaderBlock(this.decompressor.decompress(compressed), streamId);
  }
}
