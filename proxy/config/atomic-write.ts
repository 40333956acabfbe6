// Files the engine writes (kubeconfigs holding tokens, keys, the agent registry) must never be
// observed half-written or with a permissive mode: write a 0600 temp file beside the target,
// fsync it, then rename over the target — rename is atomic within a directory.
import { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, chmodSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { randomBytes } from "node:crypto";

export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", mode);
  try {
    const buffer = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  // The umask may have narrowed the mode at open; an explicit chmod makes it exact.
  chmodSync(temp, mode);
  renameSync(temp, path);
}
