// The Kubernetes channel protocols over WebSocket, read from the frames of one direction:
//   channel.k8s.io, v4.channel.k8s.io, v5.channel.k8s.io: binary messages whose first byte is the
//     channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); v5 adds `[255, channel]`, the
//     client half-closing a channel (stdin EOF);
//   base64.channel.k8s.io, v4.base64.channel.k8s.io: text messages whose first character is the
//     channel digit and whose rest is base64.
// The channel byte is only in a message's first fragment; control frames may come in between.
import { Opcode, WebSocketProtocolError, type FrameHandler } from "./websocket-frame-parser.js";
import type { SessionEvents } from "./session-events.js";
import { ResizeMessages } from "./resize-messages.js";

const CLOSE_SIGNAL = 255;
const MAX_BASE64_MESSAGE = 64 * 1024 * 1024;

export function isBase64Protocol(protocol: string): boolean {
  return protocol.includes("base64");
}

export class WebSocketChannels implements FrameHandler {
  private readonly base64: boolean;
  private readonly resize: ResizeMessages;
  private control = false;
  private frameFin = false;
  private inMessage = false;
  private channel: number | null = null;
  private closeSignal = false;
  private base64Parts: Buffer[] = [];
  private base64Bytes = 0;
  /** True once a close frame was seen in this direction. */
  closed = false;

  constructor(
    protocol: string,
    private readonly events: SessionEvents,
  ) {
    this.base64 = isBase64Protocol(protocol);
    this.resize = new ResizeMessages((w, h) => events.resize(w, h));
  }

  onFrame(opcode: number, fin: boolean, rsv1: boolean): void {
    if (rsv1) throw new WebSocketProtocolError("a compressed WebSocket frame (permessage-deflate), which the recorder cannot read");
    this.frameFin = fin;
    if (opcode >= 8) {
      this.control = true;
      if (opcode === Opcode.close) this.closed = true;
      return;
    }
    this.control = false;
    if (opcode === Opcode.continuation) {
      if (!this.inMessage) throw new WebSocketProtocolError("a continuation frame outside a message");
      return;
    }
    this.inMessage = true;
    this.channel = null;
    this.closeSignal = false;
    this.base64Parts = [];
    this.base64Bytes = 0;
  }

  onPayload(data: Buffer): void {
    if (this.control) return;
    if (this.base64) {
      this.base64Bytes += data.length;
      if (this.base64Bytes > MAX_BASE64_MESSAGE) throw new WebSocketProtocolError("a base64 message larger than the recorder holds");
      this.base64Parts.push(data);
      return;
    }
    let payload = data;
    if (this.channel === null) {
      if (payload.length === 0) return;
      this.channel = payload[0] as number;
      payload = payload.subarray(1);
      if (this.channel === CLOSE_SIGNAL) this.closeSignal = true;
    }
    if (this.closeSignal) {
      if (payload.length > 0 && payload[0] === 0) this.events.stdinClosed();
      return;
    }
    this.dispatch(this.channel, payload);
  }

  onFrameEnd(): void {
    if (this.control) {
      this.control = false;
      return;
    }
    if (!this.frameFin) return;
    this.inMessage = false;
    if (this.base64) {
      const text = Buffer.concat(this.base64Parts).toString("latin1");
      this.base64Parts = [];
      if (text.length === 0) return;
      const channel = text.charCodeAt(0) - 0x30;
      this.dispatch(channel, Buffer.from(text.slice(1), "base64"));
    }
  }

  private dispatch(channel: number, data: Buffer): void {
    if (data.length === 0) return; // the server's empty "channel open" messages
    switch (channel) {
      case 0:
        this.events.stdin(data);
        break;
      case 1:
        this.events.stdout(data);
        break;
      case 2:
        this.events.stderr(data);
        break;
      case 3:
        this.events.errorChannel(data);
        break;
      case 4:
        this.resize.push(data);
        break;
      default:
        // Unknown channels carry nothing a recording shows.
        break;
    }
  }
}
