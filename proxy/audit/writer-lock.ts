// One writer per audit log: two engines appending to the same file would interleave two chains.
// The lock file holds the writer's pid; a lock whose process is gone (SIGKILL, power loss) is
// taken over.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from "node:fs";
import { CliError } from "../cli/cli-error.js";

export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireWriterLock(path: string, what: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let holder = NaN;
      try {
        holder = Number(readFileSync(path, "utf8").trim());
      } catch {
        // Removed meanwhile: try again.
      }
      if (holder !== process.pid && processAlive(holder)) {
        throw new CliError(`${what} is being written by another chaperone process (pid ${holder}); stop it first`);
      }
      try {
        unlinkSync(path);
      } catch {
        // Someone else took it over first; the next attempt finds out who.
      }
    }
  }
  throw new CliError(`could not lock ${path}`);
}
