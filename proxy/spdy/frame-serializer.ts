// Serializes SPDY/3.1 frames for one direction of a connection. Owns that direction's header
// compression context: every SYN_STREAM / SYN_REPLY / HEADERS it emits continues the same zlib stream,
// so the frames must be written to the wire in the order they were serialized.
import { encodeHeaderBlock } from "./header-block.js";
import { HeaderCompressor } from "./header-compression.js";
import { ControlType, MAX_FRAME_PAYLOAD, SPDY_VERSION, type SpdyFrame } from "./frames.js";

export interface FrameSerializerOptions {
  headerCompressor?: HeaderCompressor;
}

export class FrameSerializer {
  private readonly compressor: HeaderCompressor;

  constructor(options: FrameSerializerOptions = {}) {
    this.compressor = options.headerCompressor ?? new HeaderCompressor();
  }

  serialize(frame: SpdyFrame): Buffer {
    switch (frame.type) {
      case "DATA": {
        checkStreamId(frame.streamId);
        const header = Buffer.alloc(8);
        header.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
        header.writeUInt32BE(flagsAndLength(frame.flags, frame.data.length), 4);
        return Buffer.concat([header, frame.data]);
      }
      case "SYN_STREAM": {
        checkStreamId(frame.streamId);
        const fixed = Buffer.alloc(10);
        fixed.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
        fixed.writeUInt32BE(frame.associatedToStreamId & 0x7fffffff, 4);
        fixed[8] = (frame.priority & 0x07) << 5;
        fixed[9] = frame.slot & 0xff;
        return control(ControlType.SynStream, frame.flags, Buffer.concat([fixed, this.block(frame.headers)]));
      }
      case "SYN_REPLY":
        checkStreamId(frame.streamId);
        return control(ControlType.SynReply, frame.flags, Buffer.concat([u32(frame.streamId), this.block(frame.headers)]));
      case "HEADERS":
        checkStreamId(frame.streamId);
        return control(ControlType.Headers, frame.flags, Buffer.concat([u32(frame.streamId), this.block(frame.headers)]));
      case "RST_STREAM":
        checkStreamId(frame.streamId);
        return control(ControlType.RstStream, 0, Buffer.concat([u32(frame.streamId), u32(frame.status)]));
      case "SETTINGS": {
        const body = Buffer.alloc(4 + frame.entries.length * 8);
        body.writeUInt32BE(frame.entries.length, 0);
        frame.entries.forEach((entry, i) => {
          body.writeUInt32BE((((entry.flags & 0xff) << 24) | (entry.id & 0xffffff)) >>> 0, 4 + i * 8);
          body.writeUInt32BE(entry.value >>> 0, 8 + i * 8);
        });
        return control(ControlType.Settings, frame.flags, body);
      }
      case "PING":
        return control(ControlType.Ping, 0, u32(frame.id));
      case "GOAWAY":
        return control(ControlType.GoAway, 0, Buffer.concat([u32(frame.lastGoodStreamId), u32(frame.status)]));
      case "WINDOW_UPDATE":
        return control(ControlType.WindowUpdate, 0, Buffer.concat([u32(frame.streamId), u32(frame.deltaWindowSize & 0x7fffffff)]));
      case "UNKNOWN":
        return control(frame.frameType, frame.flags, frame.payload, frame.version);
    }
  }

  close(): void {
    this.compressor.close();
  }

  private block(headers: Record<string, string[]>): Buffer {
    return this.compressor.compress(encodeHeaderBlock(headers));
  }
}

function checkStreamId(id: number): void {
  if (!Number.isInteger(id) || id <= 0 || id > 0x7fffffff) throw new RangeError(`invalid SPDY stream id ${id}`);
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

function flagsAndLength(flags: number, length: number): number {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`SPDY frame payload of ${length} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
  return (((flags & 0xff) << 24) | length) >>> 0;
}

function control(type: number, flags: number, payload: Buffer, version = SPDY_VERSION): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE((0x80000000 | ((version & 0x7fff) << 16) | (type & 0xffff)) >>> 0, 0);
  header.writeUInt32BE(flagsAndLength(flags, payload.length), 4);
  return Buffer.concat([header, payload]);
}
