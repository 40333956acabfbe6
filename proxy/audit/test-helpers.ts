// Reading an audit folder back in unit tests.
import { readFileSync } from "node:fs";
import { listAuditFiles } from "./audit-files.js";
import type { AuditEvent } from "./audit-event.js";

export function auditEventsIn(dir: string): AuditEvent[] {
  return listAuditFiles(dir).flatMap((f) =>
    readFileSync(f.path, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as AuditEvent),
  );
}
