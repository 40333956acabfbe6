// Requests held for a person. One queue serves the control API, the CLI and the desktop UI. A held
// request ends exactly once: decided, timed out, withdrawn (the agent hung up) or shut down.
import { EventEmitter } from "node:events";
import type { ApprovalPreview, ApprovalView } from "../control/contract.js";

export type ApprovalOutcome =
  | { kind: "allowed" }
  | { kind: "denied"; reason: string | null }
  | { kind: "timeout" }
  | { kind: "withdrawn" }
  | { kind: "shutdown" };

interface Pending {
  view: ApprovalView;
  settle: (outcome: ApprovalOutcome) => void;
}

export class ApprovalQueue extends EventEmitter<{ change: [] }> {
  private readonly pending = new Map<string, Pending>();

  constructor(readonly timeoutMs: number) {
    super();
  }

  /** Holds until settled; the returned promise never rejects. */
  hold(view: ApprovalView, signal: AbortSignal): Promise<ApprovalOutcome> {
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => settle({ kind: "timeout" }), this.timeoutMs);
      const onAbort = (): void => settle({ kind: "withdrawn" });
      const settle = (outcome: ApprovalOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.pending.delete(view.id);
        this.emit("change");
        resolve(outcome);
      };
      if (signal.aborted) {
        settle({ kind: "withdrawn" });
        return;
      }
      signal.addEventListener("abort", onAbort);
      this.pending.set(view.id, { view, settle });
      this.emit("change");
    });
  }

  list(): ApprovalView[] {
    return [...this.pending.values()].map((p) => p.view);
  }

  get(id: string): ApprovalView | null {
    return this.pending.get(id)?.view ?? null;
  }

  settle(id: string, outcome: ApprovalOutcome): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    entry.settle(outcome);
    return true;
  }

  setPreview(id: string, preview: ApprovalPreview): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    entry.view.preview = preview;
    this.emit("change");
  }

  /** Engine shutdown: every held request fails closed. */
  closeAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { kind: "shutdown" });
  }
}
