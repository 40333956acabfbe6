// The record of every `chaperone run` (DATA_DIR/runs.json): what was run, where, by which agent
// and token, when it started and ended and how it exited. Every request made with a run's token
// carries the run's ID in its audit event (`chaperone.dev/run`), so together they say which
// model run issued which command.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../config/atomic-write.js";
import { withFileLock } from "../config/file-lock.js";
import { DATA_FILES } from "../config/data-dir.js";
import { CliError } from "../cli/cli-error.js";

/** running; exited (the command ended); abandoned (`chaperone run` itself was killed; its token was revoked on discovery). */
export type RunStatus = "running" | "exited" | "abandoned";

export interface RunRecord {
  id: string;
  /** --name LABEL, or null. */
  name: string | null;
  agent: string;
  profile: string;
  /** True when the agent was created for this run alone (--profile), and revoked with it. */
  ephemeralAgent: boolean;
  tokenId: string;
  command: string[];
  cwd: string;
  startedAt: string;
  endedAt: string | null;
  status: RunStatus;
  exitCode: number | null;
  /** The signal that ended the command, if one did. */
  signal: string | null;
  /** The `chaperone run` process, to find runs whose supervisor died. */
  pid: number;
  host: string;
}

interface RunsFile {
  version: 1;
  runs: RunRecord[];
}

export class RunStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, DATA_FILES.runs);
  }

  private read(): RunsFile {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, runs: [] };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as RunsFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.runs)) throw new Error("unexpected shape");
      return parsed;
    } catch (error) {
      throw new CliError(`${this.path} is corrupt (${(error as Error).message})`);
    }
  }

  list(): RunRecord[] {
    return this.read().runs;
  }

  /** The run with this ID, or the one ID it is a prefix of. */
  find(id: string): RunRecord {
    const runs = this.list();
    const exact = runs.find((r) => r.id === id);
    if (exact) return exact;
    const matches = runs.filter((r) => r.id.startsWith(id) || r.name === id);
    if (matches.length === 1) return matches[0] as RunRecord;
    if (matches.length === 0) throw new CliError(`no run "${id}" (see: chaperone runs list)`);
    throw new CliError(`"${id}" matches ${matches.length} runs; give more of the ID`);
  }

  private mutate<T>(fn: (file: RunsFile) => T): T {
    return withFileLock(`${this.path}.lock`, () => {
      const file = this.read();
      const result = fn(file);
      writeFileAtomic(this.path, JSON.stringify(file, null, 2) + "\n");
      return result;
    });
  }

  add(record: RunRecord): void {
    this.mutate((file) => {
      file.runs.push(record);
    });
  }

  update(id: string, changes: Partial<RunRecord>): RunRecord | null {
    return this.mutate((file) => {
      const run = file.runs.find((r) => r.id === id);
      if (!run) return null;
      Object.assign(run, changes);
      return { ...run };
    });
  }
}
