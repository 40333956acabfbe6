// A small buffered writer for recordings: appends go to memory and are written synchronously in
// 256 KiB slices (or after 250 ms). Synchronous on purpose: a recording that cannot keep up then
// slows the stream it records instead of buffering without bound, and a write error (disk full)
// surfaces at once, where the session can be cut (fail closed).
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

const FLUSH_BYTES = 256 * 1024;
const FLUSH_MS = 250;

export class SyncFileWriter {
  private fd: number | null;
  private parts: Buffer[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  bytesWritten = 0;

  constructor(
    readonly path: string,
    private readonly onError: (error: Error) => void,
  ) {
    this.fd = openSync(path, "wx", 0o600);
  }

  get failed(): Error | null {
    return this.failure;
  }

  write(data: string | Buffer): void {
    if (this.failure || this.fd === null) return;
    const buffer = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.parts.push(buffer);
    this.buffered += buffer.length;
    if (this.buffered >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, FLUSH_MS);
      this.timer.unref?.();
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.failure || this.fd === null || this.buffered === 0) return;
    const buffer = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.buffered = 0;
    try {
      let offset = 0;
      while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
      this.bytesWritten += buffer.length;
    } catch (error) {
      this.failure = error as Error;
      this.onError(this.failure);
    }
  }

  /** Flushes, syncs and closes; returns the first error, if any. */
  close(): Error | null {
    this.flush();
    if (this.fd !== null) {
      try {
        if (!this.failure) fsyncSync(this.fd);
      } catch (error) {
        this.failure = error as Error;
      }
      closeSync(this.fd);
      this.fd = null;
    }
    return this.failure;
  }
}
