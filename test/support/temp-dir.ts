// Per-test temporary directories, removed when the test ends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export function tempDir(t: { after(fn: () => unknown): void }, prefix = "chaperone-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Retries: node:test runs `after` hooks in the order they were added, so a fixture's temp dir
  // may be removed while its engine still writes into it (audit log, state); a failed removal
  // would skip the hooks after it, which stop that engine.
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}
