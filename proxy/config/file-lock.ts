// A small exclusive lock for read-modify-write of data-dir files shared by the engine and the CLI
// (e.g. `agent add` while `serve` runs). O_EXCL creation is atomic; a lock older than the stale
// limit is taken over so a crashed writer cannot wedge the registry forever.
import { openSync, closeSync, unlinkSync, statSync, writeSync } from "node:fs";

const STALE_MS = 10_000;
const WAIT_MS = 5_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function withFileLock<T>(lockPath: string, fn: () => T): T {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > STALE_MS) unlinkSync(lockPath);
      } catch {
        // The holder released it between our attempts: loop and try again.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lockPath}`);
      sleepSync(10);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // Already taken over as stale; nothing to release.
    }
  }
}
