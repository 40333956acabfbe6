// The per-installation masking key: 32 random bytes in the data dir (mode 0600), created on first
// use. Placeholders are HMACs under this key, so they are stable across restarts of one
// installation (diffs and change detection keep working) and mean nothing anywhere else.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.js";
import { DATA_FILES } from "../config/data-dir.js";

export const MASKING_KEY_BYTES = 32;

/** Reads the data dir's masking key, creating it when absent. A key of the wrong size is an error, never silently replaced. */
export function loadMaskingKey(dataDir: string): Buffer {
  const path = join(dataDir, DATA_FILES.maskingKey);
  try {
    const text = readFileSync(path, "utf8").trim();
    const key = Buffer.from(text, "base64");
    if (key.length !== MASKING_KEY_BYTES || key.toString("base64") !== text) {
      throw new Error(`${path} does not hold a ${MASKING_KEY_BYTES}-byte base64 key; remove it to have a new one created (placeholders then change)`);
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = randomBytes(MASKING_KEY_BYTES);
  writeFileAtomic(path, key.toString("base64") + "\n", 0o600);
  return key;
}
