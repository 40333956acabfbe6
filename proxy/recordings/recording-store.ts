// The recordings folder (DATA_DIR/recordings): ID.json (metadata) beside ID.cast or ID.bin.
// Opening a recording writes and syncs its metadata first, so a recording that cannot be written
// (disk full, folder not writable) is known before the session starts: the gateway then refuses
// the session (fail closed). IDs are the auditID of the request that opened the session; the CLI
// accepts any unique prefix.
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.js";
import { CliError } from "../cli/cli-error.js";
import { RecordingSession, type StreamMaskerFactory } from "./recording-session.js";
import type { RecordingKind, RecordingMeta } from "./recording-meta.js";

export interface RecordingStoreOptions {
  maxAgeMs: number;
  maxTotalBytes: number;
}

export type NewRecording = Omit<
  RecordingMeta,
  "file" | "state" | "endedAt" | "exitCode" | "exitStatus" | "bytes" | "sha256" | "lossy" | "error" | "width" | "height" | "transport" | "protocol"
>;

export class RecordingStore {
  constructor(
    readonly dir: string,
    private readonly options: RecordingStoreOptions = { maxAgeMs: 0, maxTotalBytes: 0 },
  ) {}

  /** Starts a recording; throws (with the OS's reason) when it cannot be written. */
  open(fields: NewRecording, onWriteError: (error: Error) => void, streamMasker?: StreamMaskerFactory): RecordingSession {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const meta: RecordingMeta = {
      ...fields,
      file: `${fields.id}.${fields.kind === "binary" ? "bin" : "cast"}`,
      state: "recording",
      endedAt: null,
      transport: null,
      protocol: null,
      width: null,
      height: null,
      exitCode: null,
      exitStatus: null,
      bytes: { stdin: 0, stdout: 0, stderr: 0 },
      sha256: { stdin: null, stdout: null, stderr: null },
      lossy: false,
      error: null,
    };
    writeFileAtomic(join(this.dir, `${meta.id}.json`), JSON.stringify(meta, null, 2) + "\n");
    try {
      return new RecordingSession(this.dir, meta, onWriteError, streamMasker);
    } catch (error) {
      try {
        unlinkSync(join(this.dir, `${meta.id}.json`));
      } catch {
        // Leave it; `recordings list` shows it as still recording.
      }
      throw error;
    }
  }

  /** Every recording's metadata, oldest first. */
  list(): RecordingMeta[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: RecordingMeta[] = [];
    for (const name of names) {
      if (!name.endsWith(".json") || name.startsWith(".")) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.dir, name), "utf8")) as RecordingMeta);
      } catch {
        // Half-written metadata of a recording being opened right now, or not ours.
      }
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The recording whose ID is `id` or starts with it. */
  find(id: string): RecordingMeta {
    const all = this.list();
    const exact = all.find((m) => m.id === id);
    if (exact) return exact;
    const matches = all.filter((m) => m.id.startsWith(id));
    if (matches.length === 1) return matches[0] as RecordingMeta;
    if (matches.length === 0) throw new CliError(`no recording "${id}" (see: chaperone recordings list)`);
    throw new CliError(`"${id}" matches ${matches.length} recordings; give more of the ID`);
  }

  /** Removes a recording that never started (the upgrade was declined). */
  discard(meta: RecordingMeta): void {
    for (const file of [meta.file, `${meta.id}.json`]) {
      try {
        unlinkSync(join(this.dir, file));
      } catch {
        // Already gone.
      }
    }
  }

  pathOf(meta: RecordingMeta): string {
    return join(this.dir, meta.file);
  }

  /** Removes the oldest finished recordings beyond the age and total-size limits; returns their IDs. */
  applyRetention(now = Date.now()): string[] {
    const { maxAgeMs, maxTotalBytes } = this.options;
    if (maxAgeMs <= 0 && maxTotalBytes <= 0) return [];
    const entries = this.list()
      .filter((m) => m.state !== "recording")
      .map((m) => {
        let size = 0;
        try {
          size = statSync(join(this.dir, m.file)).size;
        } catch {
          // Already gone.
        }
        return { meta: m, size };
      });
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    const removed: string[] = [];
    for (const entry of entries) {
      const ended = Date.parse(entry.meta.endedAt ?? entry.meta.startedAt);
      const tooOld = maxAgeMs > 0 && now - ended > maxAgeMs;
      const tooBig = maxTotalBytes > 0 && total > maxTotalBytes;
      if (!tooOld && !tooBig) continue;
      for (const file of [entry.meta.file, `${entry.meta.id}.json`]) {
        try {
          unlinkSync(join(this.dir, file));
        } catch {
          // Already gone.
        }
      }
      total -= entry.size;
      removed.push(entry.meta.id);
    }
    return removed;
  }
}

/** `kubectl cp` runs tar over exec; its bytes are an archive, not a terminal. */
export function recordingKindFor(command: readonly string[], tty: boolean): RecordingKind {
  const program = (command[0] ?? "").split("/").pop() ?? "";
  return !tty && program === "tar" ? "binary" : "terminal";
}
