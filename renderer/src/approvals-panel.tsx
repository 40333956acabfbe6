// Requests held until a person answers, oldest first (the order the agents asked in). The panel
// stands out while anything waits; a request answered elsewhere (the CLI, another window),
// withdrawn by its agent, or timed out leaves because the engine's list no longer has it.
import type { ApprovalView } from "../../proxy/control/contract.js";
import { ApprovalCard } from "./approval-card";
import type { ControlClient } from "./control-client";
import { useNow } from "./use-now";

interface ApprovalsPanelProps {
  client: ControlClient;
  approvals: ApprovalView[] | null;
  onDecided: () => void;
}

function byArrival(a: ApprovalView, b: ApprovalView): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function ApprovalsPanel({ client, approvals, onDecided }: ApprovalsPanelProps) {
  const pending = approvals === null ? [] : [...approvals].sort(byArrival);
  const now = useNow(pending.length > 0);
  return (
    <section className={`card approvals${pending.length > 0 ? " attention" : ""}`} aria-labelledby="approvals-heading">
      <h2 id="approvals-heading">
        Approvals
        {pending.length > 0 && (
          <>
            {" "}
            <span className="count-badge">
              {pending.length}
              <span className="visually-hidden"> waiting</span>
            </span>
          </>
        )}
      </h2>
      {/* Present from the start, so screen readers announce a change of the count. */}
      <span className="visually-hidden" aria-live="polite">
        {pending.length === 0 ? "" : pending.length === 1 ? "1 request waiting for approval" : `${pending.length} requests waiting for approval`}
      </span>
      {approvals === null ? (
        <p className="muted">Loading approvals…</p>
      ) : pending.length === 0 ? (
        <p className="muted">Nothing is waiting for you. Requests that a rule holds for a person appear here.</p>
      ) : (
        <>
          <p className="approvals-lead">
            {pending.length === 1 ? "An agent is waiting" : `${pending.length} requests are waiting`} for your answer;
            nothing is sent to the cluster until you allow it.
          </p>
          {pending.map((view) => (
            <ApprovalCard key={view.id} client={client} view={view} now={now} onDecided={onDecided} />
          ))}
        </>
      )}
    </section>
  );
}
