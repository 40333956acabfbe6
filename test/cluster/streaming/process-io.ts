// The simulated processes read and write through these two small interfaces, so the same command code
// runs behind a WebSocket channel, a SPDY stream, a terminal line discipline or a pipe buffer.
import type { Readable, Writable } from "node:stream";

/** A process's standard input. `read` resolves to null at end of input. */
export interface InputReader {
  read(): Promise<Buffer | null>;
  /** Next line including its "\n" (the last line of the input may lack it), or null at end of input. */
  readLine(): Promise<string | null>;
}

/** A process's standard output or error. `write` resolves once the sink accepts more (back-pressure). */
export interface OutputSink {
  write(data: string | Buffer): Promise<void>;
}

/** Shared line splitting for readers that produce chunks. */
export abstract class ChunkedInput implements InputReader {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  protected abstract nextChunk(): Promise<Buffer | null>;

  async read(): Promise<Buffer | null> {
    if (this.pending.length > 0) {
      const out = this.pending;
      this.pending = Buffer.alloc(0);
      return out;
    }
    if (this.ended) return null;
    const chunk = await this.nextChunk();
    if (chunk === null) this.ended = true;
    return chunk;
  }

  async readLine(): Promise<string | null> {
    for (;;) {
      const newline = this.pending.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.pending.subarray(0, newline + 1);
        this.pending = this.pending.subarray(newline + 1);
        return line.toString("utf8");
      }
      if (this.ended) {
        if (this.pending.length === 0) return null;
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        return rest.toString("utf8");
      }
      const chunk = await this.nextChunk();
      if (chunk === null) this.ended = true;
      else this.pending = Buffer.concat([this.pending, chunk]);
    }
  }
}

/** Input from a Node Readable; pulling (not flowing) keeps the transport's back-pressure intact. */
export class StreamInput extends ChunkedInput {
  private readonly iterator: AsyncIterator<Buffer | string>;

  constructor(stream: Readable) {
    super();
    this.iterator = stream[Symbol.asyncIterator]();
  }

  protected async nextChunk(): Promise<Buffer | null> {
    try {
      const { value, done } = await this.iterator.next();
      if (done) return null;
      return typeof value === "string" ? Buffer.from(value) : value;
    } catch {
      return null; // a reset stream reads as end of input, as it does for a real process
    }
  }
}

/** Input from a fixed buffer (pipes, `< file` redirections). */
export class BufferInput extends ChunkedInput {
  private data: Buffer | null;

  constructor(data: Buffer | string) {
    super();
    this.data = Buffer.from(data);
  }

  protected async nextChunk(): Promise<Buffer | null> {
    const out = this.data;
    this.data = null;
    return out && out.length > 0 ? out : null;
  }
}

/** No input at all (stdin not requested): reads see end of input at once. */
export const EMPTY_INPUT: InputReader = {
  read: async () => null,
  readLine: async () => null,
};

/** Output to a Node Writable: resolves when the stream has taken the chunk, and never hangs on a dead one. */
export class StreamOutput implements OutputSink {
  constructor(private readonly stream: Writable) {}

  write(data: string | Buffer): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (bytes.length === 0 || this.stream.destroyed || this.stream.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.write(bytes, () => resolve());
    });
  }
}

/** Output collected in memory (pipes, command substitution). */
export class BufferOutput implements OutputSink {
  private readonly chunks: Buffer[] = [];

  async write(data: string | Buffer): Promise<void> {
    this.chunks.push(typeof data === "string" ? Buffer.from(data) : data);
  }

  contents(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Output that goes nowhere (stdout/stderr not requested, /dev/null). */
export const NULL_OUTPUT: OutputSink = { write: async () => {} };

/** Output passed to a callback (the pod's main process broadcasting to attached clients). */
export class CallbackOutput implements OutputSink {
  constructor(private readonly sink: (data: Buffer) => Promise<void> | void) {}

  async write(data: string | Buffer): Promise<void> {
    await this.sink(typeof data === "string" ? Buffer.from(data) : data);
  }
}
