// A small buffered writer for recordings: appends go to memory and are written synchronously in
// 256 KiB slices (or after 250 ms). Synchronous on purpose: a recording that cannot keep up then
// slows the stream it records instead of buffering without bound, and a write error (disk full)
// surfaces at once, where the session can be cut (fail closed).
//
// The memory is one preallocated buffer that callers append to, or write into directly
// (`reserve` / `commit`, for record headers and escaped text): a recorded byte is copied once on
// its way to the file. Buffers of 64 KiB or more skip it and are written from where they are.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

const FLUSH_BYTES = 256 * 1024;
const FLUSH_MS = 250;
/** The most `reserve` hands out at once (the buffer always has this much room past FLUSH_BYTES). */
export const MAX_RESERVE = 128 * 1024;
/** Appended buffers at least this large are written without being copied into the buffer. */
const DIRECT_BYTES = 64 * 1024;

export class SyncFileWriter {
  private fd: number | null;
  private readonly buffer = Buffer.allocUnsafe(FLUSH_BYTES + MAX_RESERVE);
  /** Bytes in `buffer` not yet written; kept below FLUSH_BYTES between calls. */
  private used = 0;
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
    if (typeof data === "string") {
      // A UTF-16 code unit is at most 3 UTF-8 bytes.
      if (data.length * 3 > MAX_RESERVE) {
        this.write(Buffer.from(data, "utf8"));
        return;
      }
      this.commit(this.buffer.write(data, this.used, "utf8"));
      return;
    }
    if (data.length >= DIRECT_BYTES) {
      this.flush();
      this.writeOut(data);
      return;
    }
    data.copy(this.buffer, this.used);
    this.commit(data.length);
  }

  /**
   * Room for up to `bytes` (≤ MAX_RESERVE) written straight into the buffer: returns the buffer, to
   * be written from `offset` on, then `commit(n)` with what was written. Null once the writer
   * failed or closed (nothing is written then).
   */
  reserve(bytes: number): Buffer | null {
    if (bytes > MAX_RESERVE) throw new RangeError(`reserve: ${bytes} bytes is more than ${MAX_RESERVE}`);
    if (this.failure || this.fd === null) return null;
    return this.buffer;
  }

  /** Where the bytes of the current `reserve` go. */
  get offset(): number {
    return this.used;
  }

  commit(bytes: number): void {
    if (bytes <= 0) return;
    this.used += bytes;
    if (this.used >= FLUSH_BYTES) this.flush();
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
    if (this.failure || this.fd === null || this.used === 0) return;
    const length = this.used;
    this.used = 0;
    this.writeOut(this.buffer.subarray(0, length));
  }

  private writeOut(buffer: Buffer): void {
    if (this.failure || this.fd === null) return;
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
