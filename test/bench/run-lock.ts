// One benchmark at a time per machine: two suites running together each take the other's CPU,
// and both would publish figures that describe neither. A second run waits for the first (the lock
// file in the temp dir names the holder; a holder that no longer exists does not count).
import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LOCK = join(tmpdir(), "chaperone-bench.lock");

function holder(): number | null {
  try {
    const pid = Number(readFileSync(LOCK, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function tryAcquire(): boolean {
  try {
    const fd = openSync(LOCK, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch {
    if (holder() === null) {
      // Left behind by a run that died: take it over.
      try {
        unlinkSync(LOCK);
      } catch {
        // Someone else removed it first; the next attempt decides.
      }
    }
    return false;
  }
}

/** Waits up to `maxWaitMs` for the machine's benchmark lock; returns a release function, or null on timeout. */
export async function acquireRunLock(maxWaitMs: number, log: (line: string) => void): Promise<(() => void) | null> {
  const deadline = Date.now() + maxWaitMs;
  let told = false;
  while (!tryAcquire()) {
    if (Date.now() > deadline) return null;
    if (!told) {
      log(`bench: another benchmark run (pid ${holder() ?? "?"}) is in progress; waiting for it to finish (${LOCK})`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(LOCK, "utf8").trim() === String(process.pid)) unlinkSync(LOCK);
    } catch {
      // Already gone.
    }
  };
  process.once("exit", release);
  return release;
}
