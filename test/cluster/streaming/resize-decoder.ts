// Terminal resize messages for the simulated container, split by the same decoder the engine's
// recorder uses (proxy/audit/resize-messages.ts), surfaced as events.
import { EventEmitter } from "node:events";
import type { TerminalSize } from "./command-context.js";
import { ResizeMessages } from "../../../proxy/audit/resize-messages.js";

export class ResizeDecoder extends EventEmitter<{ resize: [TerminalSize] }> {
  private readonly messages = new ResizeMessages((width, height) => this.emit("resize", { width, height }));

  push(chunk: Buffer | string): void {
    this.messages.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
  }
}
