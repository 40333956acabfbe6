// One held request, with everything the approver needs to answer it: who asks, what exactly, which
// rule asked and why, how long it will wait, and (for writes) the body and the dry run's verdict.
import { memo } from "react";
import type { ApprovalView, ExecView } from "../../proxy/control/contract.js";
import { agentLine, agentLines, shellQuote } from "./agent-text";
import { ApprovalActions } from "./approval-actions";
import { ApprovalPreview } from "./approval-preview";
import type { ControlClient } from "./control-client";
import { formatDuration, formatMoment, formatTime, msUntil } from "./format";

/** Under this, the countdown turns to the warning colour. */
const SOON_MS = 60_000;

interface ApprovalCardProps {
  client: ControlClient;
  view: ApprovalView;
  now: number;
  onDecided: () => void;
}

export function ApprovalCard({ client, view, now, onDecided }: ApprovalCardProps) {
  const summary = agentLine(view.summary);
  return (
    <article className="approval" aria-label={`Request from ${view.agent}: ${summary}`}>
      <header className="approval-header">
        <span className="who">
          <strong>{view.agent}</strong>
          {view.run !== null && <span className="muted"> · run {agentLine(view.run)}</span>}
          <span className="muted"> · asked at {formatMoment(view.createdAt, now)}</span>
        </span>
        <Countdown expiresAt={view.expiresAt} now={now} />
      </header>
      <h3 className="approval-summary">{summary}</h3>
      <dl className="facts">
        {view.namespace !== "" && (
          <>
            <dt>Namespace</dt>
            <dd>
              <code>{agentLine(view.namespace)}</code>
            </dd>
          </>
        )}
        {view.name !== "" && (
          <>
            <dt>Name</dt>
            <dd>
              <code>{agentLine(view.name)}</code>
            </dd>
          </>
        )}
        {view.resource === "" && (
          <>
            <dt>Path</dt>
            <dd>
              <code>{agentLine(view.path)}</code>
            </dd>
          </>
        )}
        <dt>Rule</dt>
        <dd>
          <code>
            {view.rule.profile}/{view.rule.name}
          </code>{" "}
          <span className="muted">({view.rule.source})</span>
        </dd>
        {view.reason !== null && (
          <>
            <dt>Why it asks</dt>
            <dd>{agentLine(view.reason)}</dd>
          </>
        )}
      </dl>
      {view.exec !== null && <ExecCommand exec={view.exec} />}
      {view.object !== null && view.object !== undefined && <RequestBody object={view.object} />}
      <ApprovalPreview preview={view.preview} />
      <ApprovalActions client={client} view={view} onDecided={onDecided} />
    </article>
  );
}

function Countdown({ expiresAt, now }: { expiresAt: string; now: number }) {
  const left = msUntil(expiresAt, now);
  if (left === null) return null;
  const text = left <= 0 ? "expiring…" : `expires in ${formatDuration(left)}`;
  return (
    <span className={`countdown${left < SOON_MS ? " soon" : ""}`} title={`Denied automatically at ${formatTime(expiresAt)}`}>
      {text}
    </span>
  );
}

/** The command as one shell-quoted line: what the approver would have to type to run the same. */
function ExecCommand({ exec }: { exec: ExecView }) {
  const line = exec.command.length === 0 ? null : exec.command.map((arg) => agentLine(shellQuote(arg))).join(" ");
  const flags = [exec.container !== "" ? `container ${agentLine(exec.container)}` : null, exec.tty ? "tty" : null, exec.stdin ? "stdin" : null].filter(
    (flag): flag is string => flag !== null,
  );
  return (
    <div className="exec">
      <h4>Command</h4>
      {line === null ? <p className="muted">No command: attaches to the container’s running process.</p> : <pre className="command-line" tabIndex={0}>{line}</pre>}
      {flags.length > 0 && <p className="muted exec-flags">{flags.join(" · ")}</p>}
    </div>
  );
}

/**
 * The decoded body of the write, folded away: the dry run's diff is usually the better read.
 * Memoized, like the diff: the countdown re-renders the card every second.
 */
const RequestBody = memo(function RequestBody({ object }: { object: unknown }) {
  const text = agentLines(JSON.stringify(object, null, 2) ?? String(object)).join("\n");
  return (
    <details className="request-body">
      <summary>Request body</summary>
      <pre tabIndex={0}>{text}</pre>
    </details>
  );
});
