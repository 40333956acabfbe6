// The orchestrator's handle on the load-generator process (load-worker.ts): send a job, await its
// result. One job at a time, so measurements never overlap.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Job, JobMessage, ResultFor, ResultMessage } from "./jobs.js";

export class LoadGenerator {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (message: ResultMessage) => {
      const entry = this.waiting.get(message.id);
      if (!entry) return;
      this.waiting.delete(message.id);
      if (message.error !== undefined) entry.reject(new Error(message.error));
      else entry.resolve(message.result);
    });
    child.on("exit", (code, signal) => {
      for (const entry of this.waiting.values()) entry.reject(new Error(`load generator exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  static start(): LoadGenerator {
    const script = fileURLToPath(new URL("./load-worker.js", import.meta.url));
    const child = fork(script, [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new LoadGenerator(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  run<J extends Job>(job: J): Promise<ResultFor<J>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.child.send({ id, job } satisfies JobMessage);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        resolve();
        return;
      }
      this.child.once("exit", () => resolve());
      this.child.disconnect();
      setTimeout(() => this.child.kill("SIGKILL"), 5_000).unref();
    });
  }
}
