// Where the audit log lives and how its files are named and ordered:
//   DATA_DIR/audit/audit.jsonl                          the file being written
//   DATA_DIR/audit/audit-2025-01-02-000000000042.jsonl  rotated files: the UTC day and the seq of
//                                                        their first event (which orders them)
//   DATA_DIR/audit/head.json                            the seq and hash of the last event written
//   DATA_DIR/audit/writer.lock                          the pid of the engine writing the log
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const ACTIVE_FILE = "audit.jsonl";
export const HEAD_FILE = "head.json";
export const LOCK_FILE = "writer.lock";
const ROTATED = /^audit-(\d{4}-\d{2}-\d{2})-(\d{12})\.jsonl$/;

export interface AuditFile {
  name: string;
  path: string;
  /** The seq of its first event (from the name); null for the active file. */
  firstSeq: number | null;
  active: boolean;
  size: number;
  mtimeMs: number;
}

export function rotatedName(day: string, firstSeq: number): string {
  return `audit-${day}-${String(firstSeq).padStart(12, "0")}.jsonl`;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every log file, oldest first: rotated files by the seq in their name, then the active file. */
export function listAuditFiles(dir: string): AuditFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: AuditFile[] = [];
  for (const name of names) {
    const match = ROTATED.exec(name);
    if (!match && name !== ACTIVE_FILE) continue;
    const path = join(dir, name);
    let size = 0;
    let mtimeMs = 0;
    try {
      const st = statSync(path);
      size = st.size;
      mtimeMs = st.mtimeMs;
    } catch {
      continue; // removed by retention between readdir and stat
    }
    files.push({ name, path, firstSeq: match ? Number(match[2]) : null, active: !match, size, mtimeMs });
  }
  files.sort((a, b) => (a.active ? 1 : 0) - (b.active ? 1 : 0) || (a.firstSeq ?? 0) - (b.firstSeq ?? 0));
  return files;
}
