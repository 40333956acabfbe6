// Per-test temporary directories, removed when the test ends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(t: { after(fn: () => unknown): void }, prefix = "chaperone-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // node:test runs `after` hooks in the order they were added, so a test's temp dir may be removed
  // while an engine it started later still writes into it (audit log, state). A throwing hook
  // would skip the hooks after it — the very ones that stop that engine, leaving the test file
  // hanging until its timeout. So removal never throws here: what is left goes at process exit,
  // when every engine has been stopped.
  t.after(() => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch {
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    }
  });
  return dir;
}
