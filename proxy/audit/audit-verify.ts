// `chaperone audit verify`: walks every file of the log in order and checks the chain (see
// hash-chain.ts). It stops at the first event that does not fit and names it (file, line, seq,
// auditID) with what is wrong. A truncated last line is reported as a warning and never counted
// as an event; events missing at the start are accepted only when a retention record (written
// before the files were removed) accounts for them; events missing at the end are caught by
// head.json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listAuditFiles, HEAD_FILE } from "./audit-files.js";
import { readLines } from "./line-reader.js";
import { readLink, GENESIS_HASH } from "./hash-chain.js";
import { ANNOTATION } from "./audit-event.js";
import type { HeadRecord } from "./audit-log.js";

export interface VerifyProblem {
  file: string;
  line: number;
  seq: number | null;
  auditID: string | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  files: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The hash of the last event: anchor it elsewhere to detect a rewritten history later. */
  headHash: string | null;
  problem: VerifyProblem | null;
  warnings: string[];
}

interface Retention {
  throughSeq: number;
  lastHash: string;
}

function readHead(dir: string): HeadRecord | null | "corrupt" {
  let text: string;
  try {
    text = readFileSync(join(dir, HEAD_FILE), "utf8");
  } catch {
    return null;
  }
  try {
    const head = JSON.parse(text) as HeadRecord;
    if (typeof head.seq !== "number" || typeof head.hash !== "string") return "corrupt";
    return head;
  } catch {
    return "corrupt";
  }
}

export function verifyAuditLog(dir: string): VerifyReport {
  const files = listAuditFiles(dir);
  const report: VerifyReport = { ok: true, events: 0, files: files.length, firstSeq: null, lastSeq: null, headHash: null, problem: null, warnings: [] };
  const head = readHead(dir);
  if (head === "corrupt") report.warnings.push(`${HEAD_FILE} is unreadable; events removed from the end of the log cannot be detected`);
  const retentions: Retention[] = [];
  let previous: { seq: number; hash: string; file: string; line: number } | null = null;
  let first: { seq: number; prev: string; file: string; line: number; auditID: string } | null = null;
  let headSeen = false;

  const fail = (file: string, line: number, seq: number | null, auditID: string | null, message: string): void => {
    report.ok = false;
    report.problem = { file, line, seq, auditID, message };
  };

  for (const file of files) {
    const result = readLines(file.path, (text, lineNumber) => {
      const link = readLink(text);
      if (!link) {
        fail(file.name, lineNumber, null, null, "is not an audit event with a hash chain (not JSON, or its chain annotations are missing or changed)");
        return false;
      }
      const id = link.auditID || null;
      if (!link.intact) {
        fail(file.name, lineNumber, link.seq, id, "was altered: its content does not match its own hash");
        return false;
      }
      if (previous) {
        if (link.seq <= previous.seq) {
          fail(file.name, lineNumber, link.seq, id, `is out of order: seq ${link.seq} comes after seq ${previous.seq} (${previous.file}:${previous.line}); lines were reordered or duplicated`);
          return false;
        }
        if (link.seq !== previous.seq + 1) {
          const missing = link.seq - previous.seq - 1;
          fail(
            file.name,
            lineNumber,
            link.seq,
            id,
            `does not follow seq ${previous.seq} (${previous.file}:${previous.line}): ${missing === 1 ? `event ${previous.seq + 1} is` : `events ${previous.seq + 1}–${link.seq - 1} are`} missing (lines or a file were removed)`,
          );
          return false;
        }
        if (link.prev !== previous.hash) {
          fail(file.name, lineNumber, link.seq, id, `does not follow the event before it (${previous.file}:${previous.line}): that event was replaced`);
          return false;
        }
      } else {
        first = { seq: link.seq, prev: link.prev, file: file.name, line: lineNumber, auditID: link.auditID };
        if (link.seq === 0 && link.prev !== GENESIS_HASH) {
          fail(file.name, lineNumber, 0, id, "is the first event but does not start the chain");
          return false;
        }
      }
      const parsed = text.includes('"audit.retention"') ? (JSON.parse(text) as { annotations: Record<string, string> }) : null;
      if (parsed && parsed.annotations[ANNOTATION.event] === "audit.retention") {
        const through = Number(parsed.annotations["chaperone.dev/retention-through-seq"]);
        const lastHash = parsed.annotations["chaperone.dev/retention-last-hash"];
        if (Number.isInteger(through) && typeof lastHash === "string") retentions.push({ throughSeq: through, lastHash });
      }
      if (head && head !== "corrupt" && link.seq === head.seq) {
        headSeen = true;
        if (link.hash !== head.hash) {
          fail(file.name, lineNumber, link.seq, id, `is not the event ${HEAD_FILE} recorded as seq ${head.seq} (hash ${head.hash})`);
          return false;
        }
      }
      previous = { seq: link.seq, hash: link.hash, file: file.name, line: lineNumber };
      report.events += 1;
      return true;
    });
    if (!report.ok) return report;
    if (result.partialBytes > 0) {
      report.warnings.push(
        `${file.name}:${result.lines + 1}: truncated last line (${result.partialBytes} bytes without a newline): an event the engine was writing when it stopped; it is not part of the verified chain`,
      );
    }
  }

  const start = first as { seq: number; prev: string; file: string; line: number; auditID: string } | null;
  if (start && start.seq > 0) {
    const covered = retentions.find((r) => r.throughSeq === start.seq - 1 && r.lastHash === start.prev);
    if (!covered) {
      fail(
        start.file,
        start.line,
        start.seq,
        start.auditID || null,
        `is the oldest event present, but events 0–${start.seq - 1} are missing and no retention record accounts for them (files were removed)`,
      );
      return report;
    }
    report.warnings.push(`events 0–${start.seq - 1} were removed by retention (recorded in the log)`);
  }
  const last = previous as { seq: number; hash: string; file: string; line: number } | null;
  if (head && head !== "corrupt" && !headSeen && (last === null || head.seq > last.seq)) {
    fail(
      last?.file ?? "(none)",
      last?.line ?? 0,
      last?.seq ?? null,
      null,
      `is the last event present, but ${HEAD_FILE} records events up to seq ${head.seq}: ${last ? `events ${last.seq + 1}–${head.seq}` : "every event"} were removed from the end of the log`,
    );
    return report;
  }
  report.firstSeq = start?.seq ?? null;
  report.lastSeq = last?.seq ?? null;
  report.headHash = last?.hash ?? null;
  return report;
}
