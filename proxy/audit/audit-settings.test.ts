import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_AUDIT_SETTINGS, parseAge, parseSize, resolveAuditSettings } from "./audit-settings.js";

test("sizes and ages read as people write them, with 0 for no limit", () => {
  assert.equal(parseSize("100M", "x"), 100 * 1024 * 1024);
  assert.equal(parseSize("1.5G", "x"), 1.5 * 1024 ** 3);
  assert.equal(parseSize("512KiB", "x"), 512 * 1024);
  assert.equal(parseSize("unlimited", "x"), 0);
  assert.throws(() => parseSize("lots", "--audit-max-total-size"), /--audit-max-total-size: "lots" is not a size/);
  assert.equal(parseAge("30d", "x"), 30 * 86_400_000);
  assert.equal(parseAge("12h", "x"), 12 * 3_600_000);
  assert.equal(parseAge("0", "x"), 0);
  assert.throws(() => parseAge("30", "--audit-max-age"), /not an age/);
});

test("flags override config.json's audit section, which overrides the defaults", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-settings-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(resolveAuditSettings(dir), DEFAULT_AUDIT_SETTINGS);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ listen: "127.0.0.1:1", audit: { level: "metadata", maxAge: "7d", execRecording: false } }));
  const fromConfig = resolveAuditSettings(dir);
  assert.equal(fromConfig.level, "Metadata");
  assert.equal(fromConfig.maxAgeMs, 7 * 86_400_000);
  assert.equal(fromConfig.execRecording, false);
  const withFlags = resolveAuditSettings(dir, { level: "RequestResponse", execRecording: "on" });
  assert.equal(withFlags.level, "RequestResponse");
  assert.equal(withFlags.execRecording, true);
  assert.equal(withFlags.maxAgeMs, 7 * 86_400_000);
  assert.throws(() => resolveAuditSettings(dir, { level: "Everything" }), /serve: --audit-level: "Everything" is not an audit level/);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ audit: { maxFileSize: "0" } }));
  assert.throws(() => resolveAuditSettings(dir), /audit\.maxFileSize: a file size limit is required/);
});
