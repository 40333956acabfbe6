// The data dir's configuration. The proxy's port belongs here (not to one `serve` invocation) so that
// kubeconfigs already handed to agents stay valid across restarts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { DATA_FILES } from "./data-dir.js";
import { CliError } from "../cli/cli-error.js";

/** The fixed default: loopback only, a port unlikely to collide with a local cluster's 6443. */
export const DEFAULT_LISTEN = "127.0.0.1:16443";

export interface EngineConfig {
  listen: string;
  /** The upstream `serve` last used, so `agent add` can mirror its namespace without one running. */
  upstream?: { kubeconfig?: string; context?: string };
}

export function readEngineConfig(dataDir: string): EngineConfig {
  const path = join(dataDir, DATA_FILES.config);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { listen: DEFAULT_LISTEN };
  }
  try {
    const parsed = JSON.parse(text) as Partial<EngineConfig>;
    return { ...parsed, listen: typeof parsed.listen === "string" ? parsed.listen : DEFAULT_LISTEN };
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
}

export function writeEngineConfig(dataDir: string, config: EngineConfig): void {
  writeFileAtomic(join(dataDir, DATA_FILES.config), JSON.stringify(config, null, 2) + "\n");
}
