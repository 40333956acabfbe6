// Incremental RFC 6455 frame parser for observing one direction of a WebSocket connection. It
// never buffers a whole frame: payload bytes are unmasked and handed on as they arrive, so a
// 100 MiB message costs no more memory than the chunk in hand. Control frames (close, ping,
// pong) may arrive between the fragments of a message; `onFrame` says which frame each payload
// piece belongs to.

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface FrameHandler {
  /** A frame begins. `rsv1` set means a compression extension is in use. */
  onFrame(opcode: number, fin: boolean, rsv1: boolean, length: number): void;
  /** Unmasked payload bytes of the current frame, in order. */
  onPayload(data: Buffer): void;
  /** The current frame's payload is complete. */
  onFrameEnd(): void;
}

export class WebSocketProtocolError extends Error {}

export class WebSocketFrameParser {
  private header = Buffer.alloc(14);
  private headerHave = 0;
  private headerNeed = 2;
  private remaining = 0;
  private mask: Buffer | null = null;
  private maskOffset = 0;
  private inPayload = false;

  constructor(private readonly handler: FrameHandler) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.inPayload) {
        const take = Math.min(this.headerNeed - this.headerHave, chunk.length - offset);
        chunk.copy(this.header, this.headerHave, offset, offset + take);
        this.headerHave += take;
        offset += take;
        if (this.headerHave < this.headerNeed) return;
        if (!this.parseHeader()) continue;
        if (this.remaining === 0) {
          this.handler.onFrameEnd();
          this.reset();
        }
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - offset);
      // Unmasked (server) payloads are handed on as views: nothing here or downstream mutates them.
      const piece = this.mask ? Buffer.from(chunk.subarray(offset, offset + take)) : chunk.subarray(offset, offset + take);
      if (this.mask) {
        for (let i = 0; i < piece.length; i++) piece[i] = (piece[i] as number) ^ (this.mask[(this.maskOffset + i) & 3] as number);
        this.maskOffset = (this.maskOffset + piece.length) & 3;
      }
      offset += take;
      this.remaining -= take;
      this.handler.onPayload(piece);
      if (this.remaining === 0) {
        this.handler.onFrameEnd();
        this.reset();
      }
    }
  }

  private reset(): void {
    this.headerHave = 0;
    this.headerNeed = 2;
    this.inPayload = false;
    this.mask = null;
    this.maskOffset = 0;
  }

  /** True once the whole header is in; false when more header bytes are needed. */
  private parseHeader(): boolean {
    const b0 = this.header[0] as number;
    const b1 = this.header[1] as number;
    const masked = (b1 & 0x80) !== 0;
    const short = b1 & 0x7f;
    const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
    const need = 2 + extended + (masked ? 4 : 0);
    if (this.headerNeed < need) {
      this.headerNeed = need;
      return false;
    }
    let length: number;
    if (short === 126) length = this.header.readUInt16BE(2);
    else if (short === 127) {
      const big = this.header.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new WebSocketProtocolError("frame length out of range");
      length = Number(big);
    } else length = short;
    this.mask = masked ? Buffer.from(this.header.subarray(2 + extended, 6 + extended)) : null;
    this.remaining = length;
    this.inPayload = true;
    this.handler.onFrame(b0 & 0x0f, (b0 & 0x80) !== 0, (b0 & 0x40) !== 0, length);
    return true;
  }
}
