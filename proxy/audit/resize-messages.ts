// Terminal sizes as kubectl sends them: JSON objects `{"Width":W,"Height":H}`, one per WebSocket
// message, or back to back in the SPDY resize stream (Go's json.Encoder). Split at top-level
// object boundaries, like json.Decoder reading a stream.
const MAX_PENDING = 64 * 1024;

export class ResizeMessages {
  private text = "";

  constructor(private readonly onResize: (width: number, height: number) => void) {}

  push(chunk: Buffer): void {
    this.text += chunk.toString("utf8");
    if (this.text.length > MAX_PENDING) this.text = ""; // not resize messages; stop holding them
    for (;;) {
      const start = this.text.indexOf("{");
      if (start < 0) {
        this.text = "";
        return;
      }
      let depth = 0;
      let inString = false;
      let end = -1;
      for (let i = start; i < this.text.length; i++) {
        const c = this.text[i];
        if (inString) {
          if (c === "\\") i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{") depth++;
        else if (c === "}" && --depth === 0) {
          end = i;
          break;
        }
      }
      if (end < 0) {
        this.text = this.text.slice(start);
        return;
      }
      const json = this.text.slice(start, end + 1);
      this.text = this.text.slice(end + 1);
      try {
        const size = JSON.parse(json) as { Width?: unknown; Height?: unknown };
        if (typeof size.Width === "number" && typeof size.Height === "number") this.onResize(size.Width, size.Height);
      } catch {
        // Not a size: ignore it, as the kubelet would fail to decode it.
      }
    }
  }
}
