// The pseudo-terminal of a `tty=true` session, in cooked mode as a shell leaves it: kubectl puts the
// user's terminal in raw mode and forwards keystrokes as typed, so the *container's* line discipline is
// what echoes them, turns Enter (CR) into a newline (ICRNL), edits lines (backspace, ^U), turns ^C into
// an interrupt and ^D on an empty line into end of input, and renders "\n" as "\r\n" on output (ONLCR).
import { EventEmitter } from "node:events";
import type { TerminalInfo, TerminalSize } from "./command-context.js";
import { ChunkedInput, type InputReader, type OutputSink } from "./process-io.js";

/** Lines completed by the user, handed to the foreground process. */
class CookedInput extends ChunkedInput {
  private readonly queue: (Buffer | null)[] = [];
  private waiter: ((chunk: Buffer | null) => void) | null = null;

  deliver(chunk: Buffer | null): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter(chunk);
    } else {
      this.queue.push(chunk);
    }
  }

  protected nextChunk(): Promise<Buffer | null> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift() as Buffer | null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

/** Output through the terminal: "\n" becomes "\r\n" as ONLCR does. */
class TerminalOutput implements OutputSink {
  constructor(private readonly device: OutputSink) {}

  write(data: string | Buffer): Promise<void> {
    const text = typeof data === "string" ? Buffer.from(data) : data;
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === 0x0a) {
        parts.push(text.subarray(start, i), CRLF);
        start = i + 1;
      }
    }
    parts.push(text.subarray(start));
    return this.device.write(Buffer.concat(parts));
  }
}

const CRLF = Buffer.from("\r\n");

export interface TerminalEvents {
  resize: [TerminalSize];
}

export class Terminal extends EventEmitter<TerminalEvents> implements TerminalInfo {
  size: TerminalSize;
  readonly input: InputReader;
  readonly output: OutputSink;
  private readonly cooked = new CookedInput();
  private line: string[] = [];
  private escape: "none" | "esc" | "csi" = "none";
  private stopped = false;
  /** ^C goes to the innermost handler only: the foreground process group, in terminal terms. */
  private readonly interruptHandlers: (() => void)[] = [];

  constructor(
    private readonly device: OutputSink,
    initialSize: TerminalSize = { width: 80, height: 24 },
  ) {
    super();
    this.size = { ...initialSize };
    this.input = this.cooked;
    this.output = new TerminalOutput(device);
  }

  /** Registers an interrupt handler; returns the function that removes it. */
  onInterrupt(handler: () => void): () => void {
    this.interruptHandlers.push(handler);
    return () => {
      const index = this.interruptHandlers.lastIndexOf(handler);
      if (index >= 0) this.interruptHandlers.splice(index, 1);
    };
  }

  resize(size: TerminalSize): void {
    this.size = { width: size.width, height: size.height };
    this.emit("resize", this.size);
  }

  /** Pumps raw keystrokes from the client until they end; end of keystrokes is end of input. */
  async attachKeyboard(raw: InputReader): Promise<void> {
    for (let chunk = await raw.read(); chunk !== null && !this.stopped; chunk = await raw.read()) {
      await this.receive(chunk);
    }
    if (!this.stopped) this.cooked.deliver(null);
  }

  /** Stops reading keystrokes (the session's process has exited). */
  stop(): void {
    this.stopped = true;
  }

  /** Processes raw input bytes. */
  async receive(chunk: Buffer): Promise<void> {
    const echo: string[] = [];
    for (const char of chunk.toString("utf8")) {
      const code = char.codePointAt(0) ?? 0;
      // Swallow cursor keys and other escape sequences instead of echoing them as garbage.
      if (this.escape === "esc") {
        this.escape = char === "[" || char === "O" ? "csi" : "none";
        continue;
      }
      if (this.escape === "csi") {
        if (code >= 0x40 && code <= 0x7e) this.escape = "none";
        continue;
      }
      switch (code) {
        case 0x1b:
          this.escape = "esc";
          break;
        case 0x0d: // CR: ICRNL
        case 0x0a:
          echo.push("\r\n");
          await this.flushEcho(echo);
          this.cooked.deliver(Buffer.from(this.line.join("") + "\n"));
          this.line = [];
          break;
        case 0x7f: // DEL / ^?: ERASE
        case 0x08:
          if (this.line.length > 0) {
            this.line.pop();
            echo.push("\b \b");
          }
          break;
        case 0x15: // ^U: KILL
          echo.push("\b \b".repeat(this.line.length));
          this.line = [];
          break;
        case 0x03: // ^C: INTR
          echo.push("^C");
          this.line = [];
          await this.flushEcho(echo);
          this.interruptHandlers[this.interruptHandlers.length - 1]?.();
          break;
        case 0x04: // ^D: EOF; on a non-empty line it just hands the line over without a newline
          await this.flushEcho(echo);
          if (this.line.length === 0) {
            this.cooked.deliver(null);
          } else {
            this.cooked.deliver(Buffer.from(this.line.join("")));
            this.line = [];
          }
          break;
        default:
          this.line.push(char);
          echo.push(code < 0x20 && code !== 0x09 ? `^${String.fromCharCode(code + 0x40)}` : char);
      }
    }
    await this.flushEcho(echo);
  }

  private async flushEcho(echo: string[]): Promise<void> {
    if (echo.length === 0) return;
    const text = echo.join("");
    echo.length = 0;
    await this.device.write(text);
  }
}
