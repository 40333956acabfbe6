// Just enough RFC 6455 for the exec benchmark, on both ends: server frames (unmasked binary
// frames carrying the Kubernetes channel byte) and a zero-copy scanner that counts a channel's
// payload bytes. Hand-written rather than `ws` so neither end spends its time in a general library:
// the benchmark must measure the gateway, not the client.
import { createHash } from "node:crypto";

export const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
/** Kubernetes channel.k8s.io channels. */
export const CHANNEL_STDOUT = 1;
export const CHANNEL_ERROR = 3;

export function websocketAccept(key: string): string {
  return createHash("sha1").update(key + WS_GUID).digest("base64");
}

/** One unmasked, final binary frame whose payload is the channel byte followed by `data`. */
export function serverChannelFrame(channel: number, data: Buffer): Buffer {
  const payload = data.length + 1;
  let header: Buffer;
  if (payload <= 125) {
    header = Buffer.from([0x80 | OPCODE_BINARY, payload]);
  } else if (payload <= 0xffff) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | OPCODE_BINARY;
    header[1] = 126;
    header.writeUInt16BE(payload, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | OPCODE_BINARY;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload), 2);
  }
  return Buffer.concat([header, Buffer.from([channel]), data]);
}

export function serverCloseFrame(code = 1000): Buffer {
  const frame = Buffer.alloc(4);
  frame[0] = 0x80 | OPCODE_CLOSE;
  frame[1] = 2;
  frame.writeUInt16BE(code, 2);
  return frame;
}

/**
 * Walks server-to-client frames as bytes arrive, without copying payloads. Reports the payload
 * bytes of each channel (minus the channel byte) and the close frame.
 */
export class WebSocketFrameScanner {
  private header = Buffer.alloc(14);
  private headerHave = 0;
  private headerNeed = 2;
  private remaining = 0;
  private opcode = 0;
  /** -1: the next payload byte is the channel byte. */
  private channel = -1;
  closed = false;

  constructor(private readonly onChannelData: (channel: number, bytes: number) => void) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.closed) {
      if (this.remaining > 0) {
        if (this.opcode === OPCODE_BINARY && this.channel < 0) {
          this.channel = chunk[at] as number;
          at++;
          this.remaining--;
          continue;
        }
        const take = Math.min(this.remaining, chunk.length - at);
        if (this.opcode === OPCODE_BINARY) this.onChannelData(this.channel, take);
        at += take;
        this.remaining -= take;
        continue;
      }
      // Collect the frame header: 2 bytes, then the extended length (0, 2 or 8 bytes).
      const take = Math.min(this.headerNeed - this.headerHave, chunk.length - at);
      chunk.copy(this.header, this.headerHave, at, at + take);
      this.headerHave += take;
      at += take;
      if (this.headerHave < this.headerNeed) continue;
      if (this.headerNeed === 2) {
        const short = (this.header[1] as number) & 0x7f;
        const masked = ((this.header[1] as number) & 0x80) !== 0;
        this.headerNeed = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (masked ? 4 : 0);
        if (this.headerNeed > 2) continue;
      }
      this.startFrame();
    }
  }

  private startFrame(): void {
    this.opcode = (this.header[0] as number) & 0x0f;
    const short = (this.header[1] as number) & 0x7f;
    const length = short === 126 ? this.header.readUInt16BE(2) : short === 127 ? Number(this.header.readBigUInt64BE(2)) : short;
    this.headerHave = 0;
    this.headerNeed = 2;
    this.remaining = length;
    this.channel = -1;
    if (this.opcode === OPCODE_CLOSE) this.closed = true;
  }
}
