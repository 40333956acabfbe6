// Locations the tests need, independent of whether they run from dist/ or elsewhere.
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

/** The repository root (this file compiles to dist/test/support/paths.js). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CLI_PATH = resolve(REPO_ROOT, "dist", "proxy", "cli", "main.js");
export const FIXTURES = resolve(REPO_ROOT, "test", "fixtures");

export const KUBECTL = {
  "1.27": "/usr/lib/google-cloud-sdk/bin/kubectl.1.27",
  "1.33": "/usr/lib/google-cloud-sdk/bin/kubectl.1.33",
} as const;
export type KubectlVersion = keyof typeof KUBECTL;
