// Reading a data dir's audit log and recordings from tests, waiting for events that are written
// asynchronously (reads are batched; an exec's final event follows the socket's close).
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { listAuditFiles } from "../../proxy/audit/audit-files.js";
import type { AuditEvent } from "../../proxy/audit/audit-event.js";
import { RecordingStore } from "../../proxy/recordings/recording-store.js";
import type { RecordingMeta } from "../../proxy/recordings/recording-meta.js";

/** Every complete event in the log, oldest first. */
export function auditEvents(dataDir: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const file of listAuditFiles(join(dataDir, "audit"))) {
    const text = readFileSync(file.path, "utf8");
    const lines = text.split("\n");
    lines.pop(); // what follows the last newline is not an event
    for (const line of lines) if (line !== "") events.push(JSON.parse(line) as AuditEvent);
  }
  return events;
}

export async function waitFor<T>(what: string, find: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function waitForEvent(dataDir: string, what: string, match: (event: AuditEvent) => boolean, timeoutMs?: number): Promise<AuditEvent> {
  return waitFor(what, () => auditEvents(dataDir).find(match), timeoutMs);
}

export function recordings(dataDir: string): RecordingStore {
  return new RecordingStore(join(dataDir, "recordings"));
}

/** The one finished recording that `match` picks among those not in `seen` (IDs of earlier ones). */
export function waitForRecording(dataDir: string, match: (meta: RecordingMeta) => boolean, timeoutMs?: number): Promise<RecordingMeta> {
  return waitFor("a finished recording", () => recordings(dataDir).list().find((m) => m.state !== "recording" && match(m)), timeoutMs);
}
