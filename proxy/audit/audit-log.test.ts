import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, chaperoneEventSkeleton } from "./audit-log.js";
import { verifyAuditLog } from "./audit-verify.js";
import { ACTIVE_FILE, listAuditFiles } from "./audit-files.js";
import { ANNOTATION } from "./audit-event.js";

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), "chaperone-audit-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function event(n: number, now = Date.now()) {
  return chaperoneEventSkeleton(now, "engine.start", "create", { resource: "tests", name: `e${n}` }, { "chaperone.dev/n": String(n) });
}

function open(d: string, overrides: Partial<Parameters<typeof AuditLog.open>[0]> = {}): AuditLog {
  return AuditLog.open({ dir: d, maxFileBytes: 1024 * 1024, maxAgeMs: 0, maxTotalBytes: 0, batchMs: 20, ...overrides });
}

async function writeEvents(d: string, count: number, overrides: Partial<Parameters<typeof AuditLog.open>[0]> = {}): Promise<void> {
  const log = open(d, overrides);
  for (let i = 0; i < count; i++) log.append(event(i));
  await log.close();
}

function activeLines(d: string): string[] {
  return readFileSync(join(d, ACTIVE_FILE), "utf8").split("\n").filter((l) => l !== "");
}

describe("audit log", () => {
  it("a durable append is in the file, newline-terminated, when it resolves", async (t) => {
    const d = dir(t);
    const log = open(d);
    await log.appendDurable(event(0));
    const text = readFileSync(join(d, ACTIVE_FILE), "utf8");
    assert.ok(text.endsWith("\n"));
    assert.equal(JSON.parse(text).annotations["chaperone.dev/n"], "0");
    await log.close();
  });

  it("concurrent durable appends are chained in the order they were made", async (t) => {
    const d = dir(t);
    const log = open(d);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.appendDurable(event(i))));
    await log.close();
    const seqs = activeLines(d).map((l) => JSON.parse(l).annotations[ANNOTATION.seq]);
    assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => String(i)));
    assert.equal(verifyAuditLog(d).ok, true);
  });

  it("an intact log verifies and reports its last hash", async (t) => {
    const d = dir(t);
    await writeEvents(d, 10);
    const report = verifyAuditLog(d);
    assert.equal(report.ok, true, JSON.stringify(report.problem));
    assert.equal(report.events, 10);
    assert.equal(report.lastSeq, 9);
    assert.match(report.headHash ?? "", /^sha256:[0-9a-f]{64}$/);
  });

  it("an edited line is named as altered", async (t) => {
    const d = dir(t);
    await writeEvents(d, 10);
    const lines = activeLines(d);
    lines[4] = lines[4]!.replace('"e4"', '"e4-edited"');
    writeFileSync(join(d, ACTIVE_FILE), lines.join("\n") + "\n");
    const report = verifyAuditLog(d);
    assert.equal(report.ok, false);
    assert.equal(report.problem?.line, 5);
    assert.equal(report.problem?.seq, 4);
    assert.match(report.problem?.message ?? "", /altered/);
  });

  it("a deleted line is named at the event after the gap", async (t) => {
    const d = dir(t);
    await writeEvents(d, 10);
    const lines = activeLines(d);
    lines.splice(3, 1);
    writeFileSync(join(d, ACTIVE_FILE), lines.join("\n") + "\n");
    const report = verifyAuditLog(d);
    assert.equal(report.ok, false);
    assert.equal(report.problem?.line, 4);
    assert.equal(report.problem?.seq, 4);
    assert.match(report.problem?.message ?? "", /event 3 is missing/);
  });

  it("reordered lines are named", async (t) => {
    const d = dir(t);
    await writeEvents(d, 10);
    const lines = activeLines(d);
    [lines[5], lines[6]] = [lines[6]!, lines[5]!];
    writeFileSync(join(d, ACTIVE_FILE), lines.join("\n") + "\n");
    const report = verifyAuditLog(d);
    assert.equal(report.ok, false);
    assert.equal(report.problem?.line, 6);
    assert.match(report.problem?.message ?? "", /missing|out of order/);
  });

  it("a line replaced by a forged event with a valid hash of its own is caught by the next link", async (t) => {
    const d = dir(t);
    await writeEvents(d, 6);
    const lines = activeLines(d);
    // Forge: rebuild event 2 with other content and a correct self-hash, keeping seq and prev.
    const forged = JSON.parse(lines[2]!);
    forged.annotations["chaperone.dev/n"] = "forged";
    delete forged.annotations[ANNOTATION.hash];
    const { createHash } = await import("node:crypto");
    forged.annotations[ANNOTATION.hash] = `sha256:${createHash("sha256").update(JSON.stringify(forged)).digest("hex")}`;
    lines[2] = JSON.stringify(forged);
    writeFileSync(join(d, ACTIVE_FILE), lines.join("\n") + "\n");
    const report = verifyAuditLog(d);
    assert.equal(report.ok, false);
    assert.equal(report.problem?.seq, 3);
    assert.match(report.problem?.message ?? "", /replaced/);
  });

  it("removing the last events is detected through head.json", async (t) => {
    const d = dir(t);
    await writeEvents(d, 10);
    const lines = activeLines(d);
    writeFileSync(join(d, ACTIVE_FILE), lines.slice(0, 8).join("\n") + "\n");
    const report = verifyAuditLog(d);
    assert.equal(report.ok, false);
    assert.match(report.problem?.message ?? "", /records events up to seq 9: events 8–9 were removed/);
  });

  it("a truncated last line is reported, not counted, and the writer moves it aside on reopen", async (t) => {
    const d = dir(t);
    await writeEvents(d, 5);
    appendFileSync(join(d, ACTIVE_FILE), '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"cut-off');
    const before = verifyAuditLog(d);
    assert.equal(before.ok, true, JSON.stringify(before.problem));
    assert.equal(before.events, 5);
    assert.match(before.warnings.join("\n"), /audit\.jsonl:6: truncated last line/);

    const log = open(d);
    assert.match(log.recovered ?? "", /truncated event/);
    await log.appendDurable(event(5));
    await log.close();
    const after = verifyAuditLog(d);
    assert.equal(after.ok, true, JSON.stringify(after.problem));
    assert.equal(after.events, 6);
    assert.match(after.warnings.join("\n"), /truncated last line/);
  });

  it("rotates by size and the chain verifies across files; a removed middle file is named", async (t) => {
    const d = dir(t);
    await writeEvents(d, 60, { maxFileBytes: 4096 });
    const files = listAuditFiles(d);
    assert.ok(files.length >= 4, `only ${files.length} files`);
    assert.equal(verifyAuditLog(d).ok, true);
    assert.equal(verifyAuditLog(d).events, 60);
    rmSync(files[1]!.path);
    const report = verifyAuditLog(d);
    assert.equal(report.ok, false);
    assert.equal(report.problem?.file, files[2]!.name);
    assert.match(report.problem?.message ?? "", /missing/);
  });

  it("retention removes the oldest files, records it first, and the log still verifies", async (t) => {
    const d = dir(t);
    await writeEvents(d, 60, { maxFileBytes: 4096 });
    const old = listAuditFiles(d).filter((f) => !f.active);
    const past = (Date.now() - 40 * 86_400_000) / 1000;
    for (const f of old.slice(0, 2)) utimesSync(f.path, past, past);
    const log = open(d, { maxFileBytes: 4096, maxAgeMs: 30 * 86_400_000 });
    const removed = await log.applyRetention();
    await log.close();
    assert.deepEqual(removed, old.slice(0, 2).map((f) => f.name));
    const report = verifyAuditLog(d);
    assert.equal(report.ok, true, JSON.stringify(report.problem));
    assert.match(report.warnings.join("\n"), /removed by retention/);

    // Without the retention record, the same gap is an error.
    const d2 = dir(t);
    await writeEvents(d2, 60, { maxFileBytes: 4096 });
    rmSync(listAuditFiles(d2)[0]!.path);
    assert.match(verifyAuditLog(d2).problem?.message ?? "", /no retention record/);
  });

  it("retention by total size keeps the log under the limit", async (t) => {
    const d = dir(t);
    await writeEvents(d, 100, { maxFileBytes: 4096 });
    const log = open(d, { maxFileBytes: 4096, maxTotalBytes: 16 * 1024 });
    await log.applyRetention();
    await log.close();
    const total = listAuditFiles(d).reduce((sum, f) => sum + f.size, 0);
    assert.ok(total <= 16 * 1024 + 4096, `total ${total}`);
    assert.equal(verifyAuditLog(d).ok, true);
  });

  it("rotates at the UTC day boundary", async (t) => {
    const d = dir(t);
    let now = Date.parse("2025-03-01T23:59:59Z");
    const log = open(d, { now: () => now });
    await log.appendDurable(event(0, now));
    now = Date.parse("2025-03-02T00:00:01Z");
    await log.appendDurable(event(1, now));
    await log.close();
    const names = listAuditFiles(d).map((f) => f.name);
    assert.deepEqual(names, ["audit-2025-03-01-000000000000.jsonl", ACTIVE_FILE]);
    assert.equal(verifyAuditLog(d).ok, true);
  });

  it("a failed write rejects the durable append, leaves no partial line, and is recorded once writing works again", async (t) => {
    const d = dir(t);
    let fail = false;
    const log = open(d, { writeFault: () => (fail ? Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }) : undefined) });
    await log.appendDurable(event(0));
    fail = true;
    log.append(event(1)); // a read's event, lost with the failed batch
    await assert.rejects(log.appendDurable(event(2)), /ENOSPC/);
    assert.match(log.failed?.message ?? "", /ENOSPC/);
    fail = false;
    await log.appendDurable(event(3));
    assert.equal(log.failed, null);
    await log.close();
    const lines = activeLines(d).map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((e) => e.annotations[ANNOTATION.event]),
      ["engine.start", "audit.write-failed", "engine.start"],
    );
    assert.equal(lines[1].annotations["chaperone.dev/events-lost"], "1");
    assert.equal(verifyAuditLog(d).ok, true);
  });

  it("a second writer on the same log is refused", async (t) => {
    const d = dir(t);
    const log = open(d);
    // The lock is per process; simulate another live process holding it.
    writeFileSync(join(d, "writer.lock"), String(process.ppid));
    await log.close();
    writeFileSync(join(d, "writer.lock"), String(process.ppid));
    assert.throws(() => open(d), /being written by another chaperone process/);
    rmSync(join(d, "writer.lock"));
    assert.ok(readdirSync(d).includes(ACTIVE_FILE));
  });
});
