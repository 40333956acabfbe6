import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, chaperoneEventSkeleton } from "./audit-log.js";
import { readAuditLog } from "./audit-reader.js";
import { formatEvent } from "./audit-format.js";

test("following the log sees every event once, in order, across rotations", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-follow-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = AuditLog.open({ dir, maxFileBytes: 3000, maxAgeMs: 0, maxTotalBytes: 0, batchMs: 5 });
  const event = (n: number) => chaperoneEventSkeleton(Date.now(), "engine.start", "create", { resource: "tests", name: `e${n}` }, { "chaperone.dev/n": String(n) });
  for (let i = 0; i < 5; i++) await log.appendDurable(event(i));
  const seen: string[] = [];
  const reader = readAuditLog(dir, (e) => seen.push(e.annotations["chaperone.dev/n"] ?? "?"));
  for (let i = 5; i < 40; i++) {
    await log.appendDurable(event(i));
    if (i % 3 === 0) reader.poll();
  }
  reader.poll();
  await log.close();
  reader.poll();
  reader.close();
  assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => String(i)));
});

test("a readable line shows who did what and how it ended, with control characters made visible", () => {
  const event = chaperoneEventSkeleton(Date.parse("2025-01-02T03:04:05.678Z"), "approval.decision", "approve", { resource: "approvals", name: "ab12" }, {
    "chaperone.dev/approval": "allow-once",
    "chaperone.dev/request": "delete pods \"x\u001b[2J\"",
  }, "developer (control API)");
  const line = formatEvent(event);
  assert.match(line, /^2025-01-02T03:04:05\.678Z {2}developer \(control API\) {2}approval\.decision {2}approvals\/ab12 {2}approval=allow-once/);
  assert.ok(!line.includes("\u001b"));
});
