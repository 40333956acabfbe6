import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";

test("writes are 0600 by default, replace the old content, and leave no temp file", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "atomic-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "kubeconfig");
  writeFileSync(path, "old");
  chmodSync(path, 0o644);
  writeFileAtomic(path, "new");
  assert.equal(readFileSync(path, "utf8"), "new");
  assert.equal(statSync(path).mode & 0o777, 0o600, "a permissive old file does not keep its mode");
  assert.deepEqual(readdirSync(dir), ["kubeconfig"]);
});
