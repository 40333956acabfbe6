// The Kubernetes remote-command protocol over SPDY/3.1, read from both directions: the client
// opens one stream per channel with a SYN_STREAM whose `streamtype` header says which (stdin,
// stdout, stderr, error, resize); DATA frames on those streams are the channel's bytes; FIN on
// stdin is EOF. Header blocks are zlib-compressed with state shared by the whole direction, so
// each direction has one FrameParser that sees every frame, in order.
import { FrameParser, FLAG_FIN, headerValue, type SpdyFrame } from "../spdy/index.js";
import type { SessionEvents } from "./session-events.js";
import { ResizeMessages } from "./resize-messages.js";

type StreamType = "stdin" | "stdout" | "stderr" | "error" | "resize";
const STREAM_TYPES = new Set<string>(["stdin", "stdout", "stderr", "error", "resize"]);

export class SpdyChannels {
  // DATA payloads as views, as the WebSocket parser hands them on: the recording uses them at once
  // (what it holds while the format is undecided, it copies), and the chunks a stream emitted are
  // never written to again.
  private readonly fromClientParser = new FrameParser({ copyData: false });
  private readonly fromServerParser = new FrameParser({ copyData: false });
  private readonly streams = new Map<number, StreamType>();
  private readonly resize: ResizeMessages;
  closed = false;

  constructor(private readonly events: SessionEvents) {
    this.resize = new ResizeMessages((w, h) => events.resize(w, h));
  }

  fromClient(chunk: Buffer): void {
    for (const frame of this.fromClientParser.push(chunk)) this.onFrame(frame);
  }

  fromServer(chunk: Buffer): void {
    for (const frame of this.fromServerParser.push(chunk)) this.onFrame(frame);
  }

  private onFrame(frame: SpdyFrame): void {
    switch (frame.type) {
      case "SYN_STREAM": {
        const type = headerValue(frame.headers, "streamtype");
        if (type && STREAM_TYPES.has(type)) this.streams.set(frame.streamId, type as StreamType);
        return;
      }
      case "DATA": {
        const type = this.streams.get(frame.streamId);
        if (type) this.dispatch(type, frame.data);
        if (type === "stdin" && (frame.flags & FLAG_FIN) !== 0) this.events.stdinClosed();
        return;
      }
      case "GOAWAY":
        this.closed = true;
        return;
      default:
        return;
    }
  }

  private dispatch(type: StreamType, data: Buffer): void {
    if (data.length === 0) return;
    switch (type) {
      case "stdin":
        this.events.stdin(data);
        break;
      case "stdout":
        this.events.stdout(data);
        break;
      case "stderr":
        this.events.stderr(data);
        break;
      case "error":
        this.events.errorChannel(data);
        break;
      case "resize":
        this.resize.push(data);
        break;
    }
  }

  close(): void {
    this.fromClientParser.close();
    this.fromServerParser.close();
  }
}
