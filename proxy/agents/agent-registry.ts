// The registry of agents and their tokens (agents.json in the data dir). Both the CLI and the
// running engine use it; the engine re-reads the file whenever it changes on disk, checked on
// every authentication, so `chaperone agent revoke` takes effect on the very next request.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.js";
import { withFileLock } from "../config/file-lock.js";
import { DATA_FILES } from "../config/data-dir.js";
import { CliError } from "../cli/cli-error.js";
import { issueToken, parseToken, secretMatches } from "./agent-token.js";
import type { AgentSummary } from "../control/contract.js";

export interface TokenRecord {
  id: string;
  hash: string;
  createdAt: string;
  /** Set for tokens minted for one `chaperone run`; null for the agent's own token. */
  run: string | null;
  revokedAt: string | null;
}

export interface AgentRecord {
  name: string;
  profile: string;
  createdAt: string;
  revokedAt: string | null;
  tokens: TokenRecord[];
}

interface RegistryFile {
  version: 1;
  agents: AgentRecord[];
}

export interface AgentIdentity {
  agent: string;
  profile: string;
  run: string | null;
  tokenId: string;
}

const NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

export function validateAgentName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new CliError(
      `invalid agent name "${name}": use 1-63 lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit`,
    );
  }
}

export function summarize(record: AgentRecord): AgentSummary {
  return { name: record.name, profile: record.profile, createdAt: record.createdAt, revokedAt: record.revokedAt };
}

export class AgentRegistry {
  private readonly path: string;
  private readonly lockPath: string;
  private data: RegistryFile = { version: 1, agents: [] };
  /** Each token with its stored hash decoded once (compared in constant time per request). */
  private byTokenId = new Map<string, { agent: AgentRecord; token: TokenRecord; hash: Buffer }>();
  private fingerprint = "";

  constructor(dataDir: string) {
    this.path = join(dataDir, DATA_FILES.agents);
    this.lockPath = `${this.path}.lock`;
    this.reloadIfChanged();
  }

  /**
   * Cheap change detection, one stat per authentication: inode (every write is an atomic rename,
   * whose new file was created while the old one still existed, so the inode always changes),
   * size, mtime and ctime. Number stats, not bigint: half the cost (µs precision is plenty next
   * to the inode).
   */
  private currentFingerprint(): string {
    try {
      const st = statSync(this.path, { throwIfNoEntry: false });
      return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : "absent";
    } catch {
      return "absent";
    }
  }

  private reloadIfChanged(): void {
    const fingerprint = this.currentFingerprint();
    if (fingerprint === this.fingerprint) return;
    this.data = this.readFile();
    this.fingerprint = fingerprint;
    this.byTokenId = new Map();
    for (const agent of this.data.agents) {
      for (const token of agent.tokens) this.byTokenId.set(token.id, { agent, token, hash: Buffer.from(String(token.hash), "hex") });
    }
  }

  private readFile(): RegistryFile {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, agents: [] };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as RegistryFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.agents)) throw new Error("unexpected shape");
      return parsed;
    } catch (error) {
      // Fail closed: a corrupt registry authenticates no one.
      throw new CliError(`${this.path} is corrupt (${(error as Error).message}); no agent can be authenticated`);
    }
  }

  private mutate<T>(fn: (file: RegistryFile) => T): T {
    return withFileLock(this.lockPath, () => {
      const file = this.readFile();
      const result = fn(file);
      writeFileAtomic(this.path, JSON.stringify(file, null, 2) + "\n");
      this.fingerprint = "";
      this.reloadIfChanged();
      return result;
    });
  }

  /** Returns the identity behind a bearer token, or null for unknown, malformed or revoked tokens. */
  authenticate(token: string): AgentIdentity | null {
    const parsed = parseToken(token);
    if (!parsed) return null;
    try {
      this.reloadIfChanged();
    } catch {
      return null;
    }
    const entry = this.byTokenId.get(parsed.id);
    if (!entry) return null;
    // Compare even for revoked records so timing does not reveal which tokens exist.
    const matches = secretMatches(parsed.secret, entry.hash);
    if (!matches || entry.token.revokedAt || entry.agent.revokedAt) return null;
    return { agent: entry.agent.name, profile: entry.agent.profile, run: entry.token.run, tokenId: entry.token.id };
  }

  list(): AgentSummary[] {
    this.reloadIfChanged();
    return this.data.agents.map(summarize);
  }

  activeCount(): number {
    this.reloadIfChanged();
    return this.data.agents.filter((a) => !a.revokedAt).length;
  }

  /** Creates an agent with a fresh token; the token is returned once and never stored. */
  add(name: string, profile: string): { agent: AgentSummary; token: string } {
    validateAgentName(name);
    return this.mutate((file) => {
      const existing = file.agents.find((a) => a.name === name);
      if (existing && !existing.revokedAt) {
        throw new CliError(`agent "${name}" already exists; revoke it first or choose another name`);
      }
      const issued = issueToken();
      const now = new Date().toISOString();
      const record: AgentRecord = {
        name,
        profile,
        createdAt: now,
        revokedAt: null,
        tokens: [{ id: issued.id, hash: issued.hash, createdAt: now, run: null, revokedAt: null }],
      };
      file.agents = file.agents.filter((a) => a.name !== name);
      file.agents.push(record);
      return { agent: summarize(record), token: issued.token };
    });
  }

  // ---- `chaperone run` tokens (issue 6) ----

  /** Mints a token for one run on an existing, live agent; returned once, never stored. */
  addRunToken(agent: string, runId: string): { token: string; tokenId: string; profile: string } {
    return this.mutate((file) => {
      const record = file.agents.find((a) => a.name === agent);
      if (!record || record.revokedAt) throw new CliError(`no active agent named "${agent}" (see: chaperone agent list)`);
      const issued = issueToken();
      record.tokens.push({ id: issued.id, hash: issued.hash, createdAt: new Date().toISOString(), run: runId, revokedAt: null });
      return { token: issued.token, tokenId: issued.id, profile: record.profile };
    });
  }

  /** Creates an agent for one run alone (`chaperone run --profile P`): its only token is the run's. */
  addRunAgent(name: string, profile: string, runId: string): { token: string; tokenId: string } {
    validateAgentName(name);
    return this.mutate((file) => {
      if (file.agents.some((a) => a.name === name && !a.revokedAt)) throw new CliError(`agent "${name}" already exists`);
      const issued = issueToken();
      const now = new Date().toISOString();
      file.agents = file.agents.filter((a) => a.name !== name);
      file.agents.push({ name, profile, createdAt: now, revokedAt: null, tokens: [{ id: issued.id, hash: issued.hash, createdAt: now, run: runId, revokedAt: null }] });
      return { token: issued.token, tokenId: issued.id };
    });
  }

  /** Revokes one token (a run's); with `agentToo`, the agent as well (a run's own agent). Idempotent. */
  revokeRunToken(tokenId: string, agentToo = false): void {
    this.mutate((file) => {
      const now = new Date().toISOString();
      for (const agent of file.agents) {
        const token = agent.tokens.find((t) => t.id === tokenId);
        if (!token) continue;
        token.revokedAt ??= now;
        if (agentToo) agent.revokedAt ??= now;
      }
    });
  }

  revoke(name: string): AgentSummary {
    return this.mutate((file) => {
      const record = file.agents.find((a) => a.name === name);
      if (!record) throw new CliError(`no agent named "${name}" (see: chaperone agent list)`);
      const now = new Date().toISOString();
      record.revokedAt ??= now;
      for (const token of record.tokens) token.revokedAt ??= now;
      return summarize(record);
    });
  }
}
