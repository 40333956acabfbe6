// A `chaperone run` killed outright (SIGKILL, a crash) cannot revoke its token. Whoever looks next
// — the engine's state watcher, `chaperone run`, `chaperone runs list` — finds runs on this host
// whose supervisor is gone, revokes their tokens and marks them abandoned.
import { hostname } from "node:os";
import type { AgentRegistry } from "../agents/agent-registry.js";
import { processAlive } from "../audit/writer-lock.js";
import type { RunRecord, RunStore } from "./run-store.js";

export function sweepAbandonedRuns(store: RunStore, registry: AgentRegistry, now = Date.now()): RunRecord[] {
  const host = hostname();
  const swept: RunRecord[] = [];
  for (const run of store.list()) {
    if (run.status !== "running" || run.host !== host || processAlive(run.pid)) continue;
    registry.revokeRunToken(run.tokenId, run.ephemeralAgent);
    const updated = store.update(run.id, { status: "abandoned", endedAt: new Date(now).toISOString() });
    if (updated) swept.push(updated);
  }
  return swept;
}
