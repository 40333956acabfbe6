// Zero-copy walk over received SPDY/3.1 frames for the exec client: counts DATA bytes per stream
// and notices FIN, without assembling frames. Control frames (SYN_REPLY and friends) are skipped
// whole: the client never needs their headers, and a frame that is never decoded cannot disturb the
// shared zlib context. The full parser in proxy/spdy copies every 32 KiB DATA frame into one
// buffer, which is client cost the benchmark must not pay.

const FRAME_HEADER = 8;
const FLAG_FIN = 0x01;

export interface SpdyScanHandlers {
  data(streamId: number, bytes: number): void;
  /** A DATA frame with FLAG_FIN ended: the peer finished writing on this stream. */
  fin(streamId: number): void;
}

export class SpdyFrameScanner {
  private readonly header = Buffer.alloc(FRAME_HEADER);
  private headerHave = 0;
  /** Payload bytes of the current frame still to come. */
  private remaining = 0;
  private isData = false;
  private streamId = 0;
  private flags = 0;

  constructor(private readonly handlers: SpdyScanHandlers) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        if (this.isData) this.handlers.data(this.streamId, take);
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const take = Math.min(FRAME_HEADER - this.headerHave, chunk.length - at);
      chunk.copy(this.header, this.headerHave, at, at + take);
      this.headerHave += take;
      at += take;
      if (this.headerHave < FRAME_HEADER) continue;
      this.headerHave = 0;
      // Control frames have the top bit set; DATA frames carry the stream id in the first word.
      this.isData = ((this.header[0] as number) & 0x80) === 0;
      this.streamId = this.isData ? this.header.readUInt32BE(0) & 0x7fffffff : 0;
      this.flags = this.header[4] as number;
      this.remaining = this.header.readUInt32BE(4) & 0xffffff;
      if (this.remaining === 0) this.endFrame();
    }
  }

  private endFrame(): void {
    if (this.isData && (this.flags & FLAG_FIN) !== 0) this.handlers.fin(this.streamId);
    this.isData = false;
  }
}
