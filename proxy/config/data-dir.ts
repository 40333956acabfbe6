// Where the engine keeps its state: the CA, the agent registry, the control token, its config.
import { mkdirSync, chmodSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { CliError } from "../cli/cli-error.js";

/** `--data-dir`, else `$CHAPERONE_HOME`, else the platform's per-user config folder. */
export function resolveDataDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.CHAPERONE_HOME) return resolve(env.CHAPERONE_HOME);
  switch (process.platform) {
    case "darwin":
      return join(homedir(), "Library", "Application Support", "Chaperone");
    case "win32":
      return join(env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "Chaperone");
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "chaperone");
  }
}

/** Creates the data dir 0700 (and tightens an existing one): it holds keys and token hashes. */
export function ensureDataDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== "win32") chmodSync(dir, 0o700);
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
  } catch (error) {
    throw new CliError(`cannot use data dir ${dir}: ${(error as Error).message}`);
  }
  return dir;
}

export const DATA_FILES = {
  config: "config.json",
  agents: "agents.json",
  caCert: "ca.crt",
  caKey: "ca.key",
  servingCert: "serving.crt",
  servingKey: "serving.key",
  control: "control.json",
  policy: "policy.yaml",
  /** The key placeholders of masked values are derived with (HMAC-SHA256), 0600. */
  maskingKey: "masking.key",
  agentKubeconfigs: "kubeconfigs",
  /** The audit log (issue 6): JSON lines, rotated, hash-chained. */
  audit: "audit",
  /** Exec / attach recordings (issue 6): ID.cast or ID.bin beside ID.json. */
  recordings: "recordings",
  /** `chaperone run` records (issue 6). */
  runs: "runs.json",
  /** Per-run kubeconfigs, removed when the run ends (issue 6). */
  runKubeconfigs: "runs",
} as const;
