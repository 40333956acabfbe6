// Reading the ends of an append-only JSON-lines file without reading all of it: the last complete
// line (where a writer resumes the chain) and whatever follows it without a newline (a line a
// crashed writer never finished).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface FileTail {
  size: number;
  /** The last newline-terminated line, without its newline; null when there is none. */
  lastLine: string | null;
  /** Bytes after the last newline: a truncated line when > 0. */
  partialBytes: number;
}

const CHUNK = 64 * 1024;

export function readFileTail(path: string): FileTail {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let buffer = Buffer.alloc(0);
    let position = size;
    // Walk backwards a chunk at a time until the last full line is in hand; lines are small
    // (bodies are capped), so this reads little.
    for (;;) {
      const last = buffer.lastIndexOf(0x0a);
      if (last >= 0) {
        const before = last === 0 ? -1 : buffer.lastIndexOf(0x0a, last - 1);
        if (before >= 0 || position === 0) {
          return { size, lastLine: buffer.subarray(before + 1, last).toString("utf8"), partialBytes: buffer.length - last - 1 };
        }
      } else if (position === 0) {
        return { size, lastLine: null, partialBytes: size };
      }
      const start = Math.max(0, position - CHUNK);
      const chunk = Buffer.alloc(position - start);
      readSync(fd, chunk, 0, chunk.length, start);
      buffer = Buffer.concat([chunk, buffer]);
      position = start;
    }
  } finally {
    closeSync(fd);
  }
}

/** The first newline-terminated line of a file, or null. */
export function readFirstLine(path: string): string | null {
  const fd = openSync(path, "r");
  try {
    let collected = Buffer.alloc(0);
    let position = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, position);
      if (n === 0) return null;
      const piece = chunk.subarray(0, n);
      const newline = piece.indexOf(0x0a);
      if (newline >= 0) return Buffer.concat([collected, piece.subarray(0, newline)]).toString("utf8");
      collected = Buffer.concat([collected, piece]);
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}
