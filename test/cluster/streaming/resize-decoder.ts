// Terminal resize messages: a sequence of JSON objects `{"Width":W,"Height":H}`, as Go's json.Encoder
// writes them (on SPDY, back to back in one stream; on WebSocket, one per channel-4 message). This
// splits them incrementally at top-level object boundaries, like json.Decoder reading a stream.
import { EventEmitter } from "node:events";
import type { TerminalSize } from "./command-context.js";

export class ResizeDecoder extends EventEmitter<{ resize: [TerminalSize] }> {
  private text = "";

  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
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
        if (typeof size.Width === "number" && typeof size.Height === "number") {
          this.emit("resize", { width: size.Width, height: size.Height });
        }
      } catch {
        // ignore a malformed message, as the kubelet's decoder loop would stop on it; keep going
      }
    }
  }
}
