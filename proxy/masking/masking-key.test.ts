import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMaskingKey } from "./masking-key.js";

test("the masking key is created once (0600), read back the same, and a damaged one is an error", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "masking-key-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = loadMaskingKey(dir);
  assert.equal(key.length, 32);
  const path = join(dir, "masking.key");
  if (process.platform !== "win32") assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.ok(loadMaskingKey(dir).equals(key));
  writeFileSync(path, "not-a-key\n");
  assert.throws(() => loadMaskingKey(dir), /does not hold a 32-byte base64 key/);
  assert.equal(readFileSync(path, "utf8"), "not-a-key\n");
});
