// Reads a JSON-lines file line by line without loading it whole, and says what follows the last
// newline (a truncated line) instead of passing it off as a line.
import { closeSync, openSync, readSync } from "node:fs";

export interface LinesResult {
  lines: number;
  /** Bytes after the last newline; 0 when the file ends with one. */
  partialBytes: number;
}

const CHUNK = 1024 * 1024;

/** Calls `onLine(text, lineNumber)` for each complete line; `onLine` returning false stops early. */
export function readLines(path: string, onLine: (line: string, lineNumber: number) => boolean | void, start = 0): LinesResult {
  const fd = openSync(path, "r");
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = start;
    let lineNumber = 0;
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, position);
      if (n === 0) break;
      position += n;
      let data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let from = 0;
      for (;;) {
        const newline = data.indexOf(0x0a, from);
        if (newline < 0) break;
        lineNumber += 1;
        if (onLine(data.toString("utf8", from, newline), lineNumber) === false) return { lines: lineNumber, partialBytes: 0 };
        from = newline + 1;
      }
      carry = Buffer.from(data.subarray(from));
      data = Buffer.alloc(0);
    }
    return { lines: lineNumber, partialBytes: carry.length };
  } finally {
    closeSync(fd);
  }
}
