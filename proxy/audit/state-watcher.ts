// Changes to agents, tokens, runs and the policy become audit events, however they were made
// (CLI, control API, UI, an editor on policy.yaml): the engine looks at agents.json, runs.json
// and policy.yaml once a second and records what changed. The last state seen is kept in
// audit/observed-state.json, so changes made while the engine was stopped are recorded when it
// starts again. The same look finds runs whose `chaperone run` died and revokes their tokens.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.js";
import { DATA_FILES } from "../config/data-dir.js";
import type { AgentRegistry } from "../agents/agent-registry.js";
import { RunStore, type RunRecord } from "../runs/run-store.js";
import { sweepAbandonedRuns } from "../runs/abandoned-runs.js";
import type { Recorder } from "./recorder.js";

const POLL_MS = 1000;
const MAX_POLICY_TEXT = 256 * 1024;

interface ObservedAgent {
  profile: string;
  revoked: boolean;
  tokens: Record<string, { run: string | null; revoked: boolean }>;
}

interface ObservedState {
  agents: Record<string, ObservedAgent>;
  runs: Record<string, { status: string }>;
  policy: string | null;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

function policyText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function sha256(text: string | null): string | null {
  return text === null ? null : createHash("sha256").update(text).digest("hex");
}

export class StateWatcher {
  private readonly statePath: string;
  private readonly agentsPath: string;
  private readonly policyPath: string;
  private readonly runs: RunStore;
  private timer: NodeJS.Timeout | null = null;
  private observed: ObservedState;

  constructor(
    dataDir: string,
    private readonly registry: AgentRegistry,
    private readonly recorder: Recorder,
  ) {
    this.statePath = join(dataDir, DATA_FILES.audit, "observed-state.json");
    this.agentsPath = join(dataDir, DATA_FILES.agents);
    this.policyPath = join(dataDir, DATA_FILES.policy);
    this.runs = new RunStore(dataDir);
    this.observed = readJson<ObservedState>(this.statePath) ?? { agents: {}, runs: {}, policy: null };
  }

  /** Records what changed since the engine last looked (also across restarts), then keeps looking. */
  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.check();
  }

  /** One look: sweep dead runs, diff, record, remember. Never throws. */
  check(): void {
    try {
      sweepAbandonedRuns(this.runs, this.registry);
    } catch {
      // A locked or unreadable registry: try again next time.
    }
    try {
      const current = this.snapshot();
      this.diffAgents(this.observed.agents, current.agents);
      this.diffRuns(this.observed.runs, current.runs.observed, current.runs.records);
      this.diffPolicy(this.observed.policy, current.policy);
      const next: ObservedState = { agents: current.agents, runs: current.runs.observed, policy: current.policy.hash };
      if (JSON.stringify(next) !== JSON.stringify(this.observed)) {
        this.observed = next;
        writeFileAtomic(this.statePath, JSON.stringify(next) + "\n");
      }
    } catch {
      // Files mid-write or unreadable: the next look sees them.
    }
  }

  private snapshot(): { agents: Record<string, ObservedAgent>; runs: { observed: Record<string, { status: string }>; records: RunRecord[] }; policy: { hash: string | null; text: string | null } } {
    const file = readJson<{ agents?: { name: string; profile: string; revokedAt: string | null; tokens: { id: string; run: string | null; revokedAt: string | null }[] }[] }>(this.agentsPath);
    const agents: Record<string, ObservedAgent> = {};
    for (const agent of file?.agents ?? []) {
      const tokens: ObservedAgent["tokens"] = {};
      for (const token of agent.tokens) tokens[token.id] = { run: token.run, revoked: token.revokedAt !== null };
      agents[agent.name] = { profile: agent.profile, revoked: agent.revokedAt !== null, tokens };
    }
    let records: RunRecord[] = [];
    try {
      records = this.runs.list();
    } catch {
      records = [];
    }
    const runs: Record<string, { status: string }> = {};
    for (const run of records) runs[run.id] = { status: run.status };
    const text = policyText(this.policyPath);
    return { agents, runs: { observed: runs, records }, policy: { hash: sha256(text), text } };
  }

  private diffAgents(before: Record<string, ObservedAgent>, after: Record<string, ObservedAgent>): void {
    for (const [name, agent] of Object.entries(after)) {
      const old = before[name];
      const ref = { resource: "agents", name };
      if (!old || (old.revoked && !agent.revoked)) {
        const runs = Object.values(agent.tokens).map((t) => t.run).filter((r): r is string => r !== null);
        void this.recorder.event("agent.added", "create", ref, {
          "chaperone.dev/agent": name,
          "chaperone.dev/profile": agent.profile,
          ...(runs.length > 0 ? { "chaperone.dev/run": runs.join(",") } : {}),
        });
      } else if (!old.revoked && agent.revoked) {
        void this.recorder.event("agent.revoked", "delete", ref, { "chaperone.dev/agent": name, "chaperone.dev/profile": agent.profile });
        continue;
      }
      if (!old) continue;
      for (const [id, token] of Object.entries(agent.tokens)) {
        const was = old.tokens[id];
        const annotations = { "chaperone.dev/agent": name, "chaperone.dev/token": id, ...(token.run ? { "chaperone.dev/run": token.run } : {}) };
        if (!was) void this.recorder.event("token.added", "create", { resource: "tokens", name: id }, annotations);
        else if (!was.revoked && token.revoked && !agent.revoked) void this.recorder.event("token.revoked", "delete", { resource: "tokens", name: id }, annotations);
      }
    }
  }

  private diffRuns(before: Record<string, { status: string }>, after: Record<string, { status: string }>, records: RunRecord[]): void {
    for (const run of records) {
      const old = before[run.id];
      const ref = { resource: "runs", name: run.id };
      const facts = {
        "chaperone.dev/run": run.id,
        "chaperone.dev/agent": run.agent,
        "chaperone.dev/profile": run.profile,
        ...(run.name ? { "chaperone.dev/run-name": run.name } : {}),
      };
      if (!old) {
        void this.recorder.event("run.started", "create", ref, {
          ...facts,
          "chaperone.dev/run-command": JSON.stringify(run.command),
          "chaperone.dev/run-cwd": run.cwd,
          "chaperone.dev/run-pid": String(run.pid),
          "chaperone.dev/run-started": run.startedAt,
        });
      }
      if ((old?.status ?? "running") === "running" && run.status !== "running" && after[run.id]) {
        void this.recorder.event("run.ended", "update", ref, {
          ...facts,
          "chaperone.dev/run-status": run.status,
          ...(run.exitCode !== null ? { "chaperone.dev/exit-code": String(run.exitCode) } : {}),
          ...(run.signal ? { "chaperone.dev/run-signal": run.signal } : {}),
          ...(run.endedAt ? { "chaperone.dev/run-ended": run.endedAt } : {}),
        });
      }
    }
  }

  private diffPolicy(before: string | null, after: { hash: string | null; text: string | null }): void {
    if (before === after.hash) return;
    const text = after.text;
    void this.recorder.event(
      "policy.changed",
      after.hash === null ? "delete" : "update",
      { resource: "policies", name: "policy.yaml" },
      { "chaperone.dev/policy-sha256-before": before ?? "none", "chaperone.dev/policy-sha256": after.hash ?? "none" },
      text !== null && text.length <= MAX_POLICY_TEXT ? { requestObject: { path: this.policyPath, text } } : {},
    );
  }
}
