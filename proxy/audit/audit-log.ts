// The append-only, hash-chained audit log (JSON lines). What it promises:
//  - appendDurable() resolves only once the event is written and fdatasync'ed: the gateway awaits
//    it before forwarding a write, so a change can never reach the cluster unrecorded;
//  - append() (reads) is batched: written and synced within `batchMs`, sharing one fdatasync;
//  - concurrent durable appends share one fdatasync too (group commit);
//  - events are chained (hash-chain.ts) in the order they were appended;
//  - the active file rotates by size and at the UTC day boundary; retention removes the oldest
//    rotated files by age and total size, recording what it removed *before* removing it, so the
//    verifier can tell retention from deletion;
//  - a failed write (disk full) rolls the file and the chain back to the last synced event, fails
//    the durable appends that were waiting, and is itself recorded once writing works again;
//  - after a crash, a truncated last line is moved out of the active file (rotated with it) and
//    reported in the next engine.start event, never silently taken as an event.
import { closeSync, fdatasync, fsyncSync, ftruncate, mkdirSync, openSync, renameSync, rename, unlink, write, writeFile, writeFileSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { CliError } from "../cli/cli-error.js";
import { chainSerialized, serializeUnchained, readLink, CHAIN_START, type ChainPosition } from "./hash-chain.js";
import { ACTIVE_FILE, HEAD_FILE, LOCK_FILE, listAuditFiles, rotatedName, utcDay } from "./audit-files.js";
import { readFileTail, readFirstLine } from "./file-tail.js";
import { acquireWriterLock } from "./writer-lock.js";
import { ANNOTATION, type AuditEvent } from "./audit-event.js";
import { microTime } from "./micro-time.js";

export interface AuditLogOptions {
  dir: string;
  /** Rotate when the active file would grow past this. */
  maxFileBytes: number;
  /** Retention: rotated files whose last write is older than this are removed (0: keep forever). */
  maxAgeMs: number;
  /** Retention: the oldest rotated files are removed while all files together exceed this (0: no limit). */
  maxTotalBytes: number;
  /** How long a non-durable event may wait before it is written. */
  batchMs: number;
  now?: () => number;
  /** Test seam: an error to fail the next write with (simulates ENOSPC). */
  writeFault?: () => NodeJS.ErrnoException | undefined;
}

interface Pending {
  /** The event's JSON without its chain keys, made when it was appended (see hash-chain.ts). */
  text: string;
  /** The loss notice itself is not counted as lost. */
  lossNotice?: boolean;
  resolve?: () => void;
  reject?: (error: Error) => void;
}

export interface HeadRecord {
  seq: number;
  hash: string;
  file: string;
  at: string;
}

const writeAsync = (fd: number, buffer: Buffer, offset: number): Promise<number> =>
  new Promise((resolve, reject) => write(fd, buffer, offset, buffer.length - offset, null, (error, n) => (error ? reject(error) : resolve(n))));
const datasyncAsync = (fd: number): Promise<void> => new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
const truncateAsync = (fd: number, length: number): Promise<void> =>
  new Promise((resolve, reject) => ftruncate(fd, length, (error) => (error ? reject(error) : resolve())));

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported on every platform (Windows); rename durability is then the OS's.
  }
}

export class AuditLog {
  readonly dir: string;
  /** Set when the previous writer left a truncated line (described for the engine.start event). */
  readonly recovered: string | null;
  private readonly options: AuditLogOptions;
  private readonly now: () => number;
  private readonly releaseLock: () => void;
  private fd: number;
  private position: ChainPosition;
  private activeSize: number;
  private activeFirstSeq: number | null;
  private activeDay: string;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private lost = 0;
  private closed = false;
  private retentionRunning = false;

  static open(options: AuditLogOptions): AuditLog {
    return new AuditLog(options);
  }

  private constructor(options: AuditLogOptions) {
    this.options = options;
    this.dir = options.dir;
    this.now = options.now ?? Date.now;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.releaseLock = acquireWriterLock(join(this.dir, LOCK_FILE), `the audit log in ${this.dir}`);
    try {
      const state = this.recover();
      this.recovered = state.recovered;
      this.position = state.position;
      this.activeSize = state.activeSize;
      this.activeFirstSeq = state.activeFirstSeq;
      this.activeDay = state.activeDay;
      this.fd = openSync(join(this.dir, ACTIVE_FILE), "a", 0o600);
    } catch (error) {
      this.releaseLock();
      throw error;
    }
  }

  /** The error of the last failed write, until a write succeeds again. */
  get failed(): Error | null {
    return this.failure;
  }

  /** The seq and hash of the last event on disk. */
  get head(): ChainPosition {
    return { ...this.position };
  }

  /** Appends an event that may wait for the next batch (reads, completions). */
  append(event: AuditEvent): void {
    if (this.closed) return;
    this.queue.push({ text: serializeUnchained(event) });
    if (!this.flushing && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.kick();
      }, this.options.batchMs);
      this.timer.unref?.();
    }
  }

  /** Appends an event and resolves once it is synced to disk; rejects if it cannot be written. */
  appendDurable(event: AuditEvent): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the audit log is closed"));
    const text = serializeUnchained(event);
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      void this.kick();
    });
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      await this.kick();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    while (this.headWriting) await this.headSettled;
    if (this.timer) clearTimeout(this.timer);
    closeSync(this.fd);
    try {
      const path = join(this.dir, HEAD_FILE);
      writeFileSync(`${path}.${process.pid}.final.tmp`, this.headText(), { mode: 0o600 });
      renameSync(`${path}.${process.pid}.final.tmp`, path);
    } catch {
      // The verifier then checks against an older head.
    }
    this.releaseLock();
  }

  private kick(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queue.length === 0) return Promise.resolve();
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
      // Appended while this flush ran: durable ones go at once (group commit), others after batchMs.
      if (this.queue.some((p) => p.resolve)) void this.kick();
      else if (this.queue.length > 0 && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = null;
          void this.kick();
        }, this.options.batchMs);
        this.timer.unref?.();
      }
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    let batch = this.queue;
    this.queue = [];
    if (this.failure && this.lost > 0) {
      // Writing works again (or is about to be tried): say first what was lost.
      batch = [{ text: serializeUnchained(this.lossEvent(this.failure, this.lost)), lossNotice: true }, ...batch];
    }
    let position = this.position;
    let parts: string[] = [];
    let pendingWaiters: Pending[] = [];
    let sizeBefore = this.activeSize;
    let size = this.activeSize;
    const today = utcDay(this.now());
    try {
      for (const item of batch) {
        const { line, position: next } = chainSerialized(item.text, position);
        const bytes = Buffer.byteLength(line, "utf8") + 1;
        if (size > 0 && (size + bytes > this.options.maxFileBytes || this.activeDay !== today)) {
          await this.writeOut(parts, sizeBefore);
          this.commit(position, size, pendingWaiters);
          parts = [];
          pendingWaiters = [];
          this.rotate();
          sizeBefore = 0;
          size = 0;
          this.activeDay = today;
        }
        if (size === 0) {
          this.activeFirstSeq = next.seq;
          this.activeDay = today;
        }
        parts.push(line, "\n");
        size += bytes;
        position = next;
        pendingWaiters.push(item);
      }
      await this.writeOut(parts, sizeBefore);
      this.commit(position, size, pendingWaiters);
      this.failure = null;
      this.lost = 0;
    } catch (error) {
      const failure = error as Error;
      this.failure = failure;
      for (const item of pendingWaiters) {
        if (item.reject) item.reject(failure);
        else if (!item.lossNotice) this.lost += 1;
      }
      return;
    }
    this.writeHead();
    if (this.rotatedSinceRetention) {
      this.rotatedSinceRetention = false;
      void this.applyRetention();
    }
  }

  private rotatedSinceRetention = false;

  private commit(position: ChainPosition, size: number, waiters: Pending[]): void {
    this.position = position;
    this.activeSize = size;
    for (const item of waiters) item.resolve?.();
  }

  /** Writes and syncs `parts`; on failure truncates back to `sizeBefore` so no partial line stays. */
  private async writeOut(parts: string[], sizeBefore: number): Promise<void> {
    if (parts.length === 0) return;
    const buffer = Buffer.from(parts.join(""), "utf8");
    try {
      const fault = this.options.writeFault?.();
      if (fault) throw fault;
      let offset = 0;
      while (offset < buffer.length) offset += await writeAsync(this.fd, buffer, offset);
      await datasyncAsync(this.fd);
    } catch (error) {
      try {
        await truncateAsync(this.fd, sizeBefore);
      } catch {
        // The verifier will report the partial line; nothing better can be done here.
      }
      throw error;
    }
  }

  /** Closes the active file under its rotated name and opens a fresh one. */
  private rotate(): void {
    const target = join(this.dir, rotatedName(this.activeDay, this.activeFirstSeq ?? this.position.seq));
    closeSync(this.fd);
    try {
      renameSync(join(this.dir, ACTIVE_FILE), target);
      this.activeFirstSeq = null;
      this.rotatedSinceRetention = true;
    } catch {
      // Keep writing the same file (it grows past the limit) rather than lose the log.
    }
    this.fd = openSync(join(this.dir, ACTIVE_FILE), "a", 0o600);
    fsyncDir(this.dir);
  }

  private headWriting = false;
  private headDirty = false;

  private headText(): string {
    const head: HeadRecord = { seq: this.position.seq, hash: this.position.hash, file: ACTIVE_FILE, at: new Date(this.now()).toISOString() };
    return JSON.stringify(head) + "\n";
  }

  /**
   * Records the last event's seq and hash beside the log, so removing events from the end is
   * detected. Not fsync'ed: the log itself is; a head that lags after a power cut only weakens
   * that check, it never makes a good log fail. One write at a time, the latest state wins.
   */
  private writeHead(): void {
    if (this.headWriting) {
      this.headDirty = true;
      return;
    }
    this.headWriting = true;
    const path = join(this.dir, HEAD_FILE);
    const temp = `${path}.${process.pid}.tmp`;
    this.headSettled = new Promise((settled) => {
      writeFile(temp, this.headText(), { mode: 0o600 }, (error) => {
        const done = (): void => {
          this.headWriting = false;
          settled();
          if (this.headDirty && !this.closed) {
            this.headDirty = false;
            this.writeHead();
          }
        };
        if (error) done();
        else rename(temp, path, done);
      });
    });
  }

  private headSettled: Promise<void> = Promise.resolve();

  /** Removes the oldest rotated files beyond the limits, after recording that it does so. */
  async applyRetention(): Promise<string[]> {
    if (this.retentionRunning || (this.options.maxAgeMs <= 0 && this.options.maxTotalBytes <= 0)) return [];
    this.retentionRunning = true;
    try {
      const files = listAuditFiles(this.dir);
      let total = files.reduce((sum, f) => sum + f.size, 0);
      const now = this.now();
      const remove: typeof files = [];
      for (const file of files) {
        if (file.active) break;
        const tooOld = this.options.maxAgeMs > 0 && now - file.mtimeMs > this.options.maxAgeMs;
        const tooBig = this.options.maxTotalBytes > 0 && total > this.options.maxTotalBytes;
        if (!tooOld && !tooBig) break; // only ever from the start, so what remains is contiguous
        remove.push(file);
        total -= file.size;
      }
      const last = remove[remove.length - 1];
      if (!last) return [];
      const tail = readFileTail(last.path);
      const link = tail.lastLine ? readLink(tail.lastLine) : null;
      if (!link) return [];
      await this.appendDurable(
        chaperoneEventSkeleton(this.now(), "audit.retention", "delete", { apiGroup: "chaperone.dev", apiVersion: "v1", resource: "auditfiles" }, {
          "chaperone.dev/retention-removed": remove.map((f) => f.name).join(","),
          "chaperone.dev/retention-through-seq": String(link.seq),
          "chaperone.dev/retention-last-hash": link.hash,
          "chaperone.dev/retention-reason": `older than the retention age or beyond the total size limit`,
        }),
      );
      for (const file of remove) await new Promise<void>((resolve) => unlink(file.path, () => resolve()));
      return remove.map((f) => f.name);
    } catch {
      return [];
    } finally {
      this.retentionRunning = false;
    }
  }

  private lossEvent(failure: Error, lost: number): AuditEvent {
    return chaperoneEventSkeleton(this.now(), "audit.write-failed", "update", { apiGroup: "chaperone.dev", apiVersion: "v1", resource: "auditlog" }, {
      "chaperone.dev/write-error": failure.message,
      "chaperone.dev/events-lost": String(lost),
    });
  }

  /** Where the chain resumes, and what a crash left behind. */
  private recover(): { position: ChainPosition; activeSize: number; activeFirstSeq: number | null; activeDay: string; recovered: string | null } {
    const activePath = join(this.dir, ACTIVE_FILE);
    const today = utcDay(this.now());
    let position = this.positionFromRotated();
    if (!existsSync(activePath)) return { position, activeSize: 0, activeFirstSeq: null, activeDay: today, recovered: null };
    const tail = readFileTail(activePath);
    if (tail.lastLine !== null) {
      const link = readLink(tail.lastLine);
      if (!link || !link.intact) {
        throw new CliError(
          `the last event of ${activePath} is not a valid audit event, so the hash chain cannot be continued; run "chaperone audit verify", then move ${this.dir} aside to start a new log`,
        );
      }
      position = { seq: link.seq, hash: link.hash };
    }
    const first = tail.lastLine !== null ? readFirstLine(activePath) : null;
    const firstLink = first ? readLink(first) : null;
    const firstSeq = firstLink ? firstLink.seq : null;
    const day = first ? utcDay(Date.parse((JSON.parse(first) as { stageTimestamp?: string }).stageTimestamp ?? "") || statSync(activePath).mtimeMs) : today;
    if (tail.partialBytes === 0) return { position, activeSize: tail.size, activeFirstSeq: firstSeq, activeDay: day, recovered: null };
    // A line the previous writer never finished: keep it for the record, out of the active file.
    const name = rotatedName(day, firstSeq ?? position.seq + 1);
    renameSync(activePath, join(this.dir, name));
    fsyncDir(this.dir);
    const recovered = `${name} ends with a truncated event (${tail.partialBytes} bytes at byte ${tail.size - tail.partialBytes}): the previous engine stopped while writing it; it is not part of the chain`;
    return { position, activeSize: 0, activeFirstSeq: null, activeDay: today, recovered };
  }

  private positionFromRotated(): ChainPosition {
    const rotated = listAuditFiles(this.dir).filter((f) => !f.active);
    for (let i = rotated.length - 1; i >= 0; i--) {
      const file = rotated[i]!;
      const tail = readFileTail(file.path);
      if (tail.lastLine === null) continue;
      const link = readLink(tail.lastLine);
      if (!link || !link.intact) {
        throw new CliError(`the last event of ${file.path} is not a valid audit event; run "chaperone audit verify", then move ${this.dir} aside to start a new log`);
      }
      return { seq: link.seq, hash: link.hash };
    }
    return CHAIN_START;
  }
}

/** A Chaperone-level event (not an agent request), in the same Event shape. */
export function chaperoneEventSkeleton(
  now: number,
  kind: string,
  verb: string,
  objectRef: AuditEvent["objectRef"],
  annotations: Record<string, string>,
  user = "chaperone",
): AuditEvent {
  const time = microTime(now);
  const resource = objectRef?.resource ?? "events";
  const name = objectRef?.name ? `/${objectRef.name}` : "";
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: randomUUID(),
    stage: "ResponseComplete",
    requestURI: `/apis/chaperone.dev/v1/${resource}${name}`,
    verb,
    user: { username: user },
    sourceIPs: [],
    objectRef,
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    annotations: { [ANNOTATION.event]: kind, ...annotations },
  };
}
