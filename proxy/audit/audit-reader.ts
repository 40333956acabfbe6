// Reading the audit log back: every event in order across rotated files, and following the
// active file as it grows and rotates (`chaperone audit tail -f`). Truncated last lines are
// skipped (they are not events); lines that do not parse are reported through `onBadLine`.
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { ACTIVE_FILE, listAuditFiles } from "./audit-files.js";
import { readLines } from "./line-reader.js";
import type { AuditEvent } from "./audit-event.js";

export type EventHandler = (event: AuditEvent) => void;

function parse(line: string, onBadLine?: (line: string) => void): AuditEvent | null {
  try {
    const event = JSON.parse(line) as AuditEvent;
    if (event && typeof event === "object" && event.kind === "Event") return event;
  } catch {
    // fall through
  }
  onBadLine?.(line);
  return null;
}

/** Calls `onEvent` for every event of the rotated files, then returns a reader of the active file. */
export function readAuditLog(dir: string, onEvent: EventHandler, onBadLine?: (line: string) => void): ActiveFileReader {
  for (const file of listAuditFiles(dir)) {
    if (file.active) continue;
    readLines(file.path, (line) => {
      const event = parse(line, onBadLine);
      if (event) onEvent(event);
    });
  }
  const reader = new ActiveFileReader(dir, onEvent, onBadLine);
  reader.poll();
  return reader;
}

/** Reads the active file from where it left off; notices rotation by the inode changing. */
export class ActiveFileReader {
  private fd: number | null = null;
  private ino = -1;
  private position = 0;
  private carry = Buffer.alloc(0);

  constructor(
    private readonly dir: string,
    private readonly onEvent: EventHandler,
    private readonly onBadLine?: (line: string) => void,
  ) {}

  private open(): boolean {
    try {
      this.fd = openSync(join(this.dir, ACTIVE_FILE), "r");
      this.ino = fstatSync(this.fd).ino;
      this.position = 0;
      this.carry = Buffer.alloc(0);
      return true;
    } catch {
      this.fd = null;
      return false;
    }
  }

  private drain(): void {
    if (this.fd === null) return;
    const chunk = Buffer.alloc(256 * 1024);
    for (;;) {
      const n = readSync(this.fd, chunk, 0, chunk.length, this.position);
      if (n === 0) return;
      this.position += n;
      const data = Buffer.concat([this.carry, chunk.subarray(0, n)]);
      let from = 0;
      for (;;) {
        const newline = data.indexOf(0x0a, from);
        if (newline < 0) break;
        const event = parse(data.toString("utf8", from, newline), this.onBadLine);
        if (event) this.onEvent(event);
        from = newline + 1;
      }
      this.carry = Buffer.from(data.subarray(from));
    }
  }

  /** Reads what was appended since the last call (following a rotation if there was one). */
  poll(): void {
    if (this.fd === null && !this.open()) return;
    this.drain();
    let current = -1;
    try {
      current = statSync(join(this.dir, ACTIVE_FILE)).ino;
    } catch {
      return; // between rename and re-create
    }
    if (current !== this.ino) {
      // Rotated: the old file is complete (it was renamed after its last write); finish it, move on.
      this.drain();
      this.close();
      if (this.open()) this.drain();
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
