// An incremental parser for the text/event-stream format (WHATWG HTML, "server-sent events"),
// shared by the renderer (fed by fetch) and the CLI (fed by node:http); it uses no DOM or Node API.
// The control stream needs the Authorization header, which EventSource cannot send, so both clients
// read the stream themselves and feed the decoded text through this parser chunk by chunk.

export interface SseMessage {
  /** The `event:` field, or "message" when the server sent none. */
  event: string;
  data: string;
  /** The last `id:` seen on the stream so far (it persists across messages, per the spec). */
  lastEventId: string;
}

export class SseParser {
  private buffer = "";
  private started = false;
  private afterCr = false;
  private eventType = "";
  private data: string[] = [];
  private lastEventId = "";
  /** The server's `retry:` advice in milliseconds, if it gave any. */
  retryMs: number | null = null;

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  /** Feeds decoded text; dispatches every message completed by it. Chunks may split lines anywhere. */
  push(chunk: string): void {
    let text = this.buffer + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    let start = 0;
    // A CR that ended the previous chunk has ended its line already; a LF right after it is
    // the second half of that CRLF, not an empty line.
    if (this.afterCr && text.startsWith("\n")) start = 1;
    if (text.length > 0) this.afterCr = false;
    for (;;) {
      const cr = text.indexOf("\r", start);
      const lf = text.indexOf("\n", start);
      if (cr === -1 && lf === -1) break;
      const end = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      this.line(text.slice(start, end));
      if (text[end] === "\r" && end === text.length - 1) this.afterCr = true;
      start = text[end] === "\r" && text[end + 1] === "\n" ? end + 2 : end + 1;
    }
    this.buffer = text.slice(start);
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return; // a comment, e.g. a keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored, per the spec
    }
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.eventType;
    this.data = [];
    this.eventType = "";
    if (data.length === 0) return;
    this.onMessage({ event: event === "" ? "message" : event, data: data.join("\n"), lastEventId: this.lastEventId });
  }
}
