// The four answers to a held request. "Always" shows the exact rule it would add to the policy
// file and asks again before adding it; "deny" takes an optional reason, which the agent reads.
// While an answer is on its way every button is disabled, so a double click cannot send two. The
// request leaves the page when the engine's list says so, not when this form thinks it is done.
import { useId, useState, type FormEvent } from "react";
import { MAX_GRANT_MINUTES, type ApprovalView, type DecideRequest } from "../../proxy/control/contract.js";
import { agentLine, agentLines } from "./agent-text";
import type { ControlClient } from "./control-client";

const DEFAULT_MINUTES = 10;

/** Whole or fractional minutes within the engine's limit; null when the field says otherwise. */
function parseMinutes(text: string): number | null {
  const minutes = Number(text);
  return text.trim() !== "" && Number.isFinite(minutes) && minutes > 0 && minutes <= MAX_GRANT_MINUTES ? minutes : null;
}

function minutesLabel(minutes: number): string {
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

interface ApprovalActionsProps {
  client: ControlClient;
  view: ApprovalView;
  /** After an answer the engine accepted: the page refetches, in case the event stream is down. */
  onDecided: () => void;
}

export function ApprovalActions({ client, view, onDecided }: ApprovalActionsProps) {
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [minutesText, setMinutesText] = useState(String(DEFAULT_MINUTES));
  const [reason, setReason] = useState("");
  const [confirmingAlways, setConfirmingAlways] = useState(false);
  const ids = useId();
  const minutes = parseMinutes(minutesText);
  const disabled = busy || sent !== null;
  // The engine says so in the rule text when a request cannot become an exact policy rule.
  const alwaysPossible = !view.alwaysRule.trimStart().startsWith("# cannot be written as a rule");

  async function decide(request: DecideRequest, done: string): Promise<void> {
    setBusy(true);
    setError(null);
    const result = await client.decide(view.id, request);
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setSent(done);
    setConfirmingAlways(false);
    onDecided();
  }

  function deny(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    const trimmed = reason.trim();
    void decide({ decision: "deny", ...(trimmed === "" ? {} : { reason: trimmed }) }, "Denied");
  }

  return (
    <div className="approval-actions">
      <div className="action-row">
        <button type="button" disabled={disabled} onClick={() => void decide({ decision: "allow-once" }, "Allowed once")}>
          Allow once
        </button>
        <span className="allow-for">
          <button
            type="button"
            className="secondary"
            disabled={disabled || minutes === null}
            aria-label={minutes === null ? "Allow for a number of minutes" : `Allow for ${minutesLabel(minutes)}`}
            onClick={() => minutes !== null && void decide({ decision: "allow-for", minutes }, `Allowed for ${minutesLabel(minutes)}`)}
          >
            Allow for
          </button>
          <input
            type="number"
            className="minutes"
            min={1}
            max={MAX_GRANT_MINUTES}
            step={1}
            value={minutesText}
            disabled={disabled}
            aria-label="Minutes to allow for"
            aria-invalid={minutes === null}
            aria-describedby={`${ids}-minutes-hint`}
            onChange={(event) => setMinutesText(event.target.value)}
          />
          <span id={`${ids}-minutes-hint`} className="unit">
            {minutes === null ? `minutes (1 to ${MAX_GRANT_MINUTES})` : "minutes"}
          </span>
        </span>
        <button
          type="button"
          className="secondary"
          disabled={disabled || confirmingAlways || !alwaysPossible}
          aria-expanded={confirmingAlways}
          aria-controls={`${ids}-always`}
          title={alwaysPossible ? undefined : "This request cannot be written as a policy rule"}
          onClick={() => setConfirmingAlways(true)}
        >
          Always allow…
        </button>
      </div>
      <p className="action-hint muted">
        <GrantScope view={view} />
      </p>

      {confirmingAlways && (
        <div className="always-confirm" id={`${ids}-always`} role="group" aria-label="Confirm always allow">
          <p>
            This rule will be added to profile <strong>{view.profile}</strong> in the policy file. From then on, matching
            requests are allowed without asking:
          </p>
          <pre className="rule-yaml" tabIndex={0} aria-label="Rule to be added">
            {agentLines(view.alwaysRule.replace(/\n$/, "")).join("\n")}
          </pre>
          <div className="action-row">
            <button type="button" disabled={disabled} onClick={() => void decide({ decision: "always" }, "Allowed; the rule was added")}>
              Add rule and allow
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmingAlways(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}

      <form className="deny-form" onSubmit={deny}>
        <label htmlFor={`${ids}-reason`}>Reason for the agent (optional)</label>
        <div className="action-row">
          <input
            id={`${ids}-reason`}
            className="reason"
            value={reason}
            maxLength={1000}
            disabled={disabled}
            autoComplete="off"
            placeholder="e.g. use namespace staging, not prod"
            aria-describedby={`${ids}-reason-hint`}
            onChange={(event) => setReason(event.target.value)}
          />
          <button type="submit" className="danger" disabled={disabled}>
            Deny
          </button>
        </div>
        <p id={`${ids}-reason-hint`} className="action-hint muted">
          The agent reads: <q>Denied by the approver{reason.trim() === "" ? "." : `: ${reason.trim()}`}</q>
        </p>
      </form>

      {busy && (
        <p className="muted" role="status">
          Sending…
        </p>
      )}
      {sent !== null && (
        <p className="notice success" role="status">
          {sent}.
        </p>
      )}
      {error !== null && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * What "allow for" lets through besides this request: the engine's grants cover the same agent,
 * verb, resource and namespace under the same rule, whatever the object's name.
 */
function GrantScope({ view }: { view: ApprovalView }) {
  const resource = `${view.resource}${view.apiGroup !== "" ? `.${view.apiGroup}` : ""}${view.subresource !== "" ? `/${view.subresource}` : ""}`;
  return (
    <>
      “Allow for” also lets {view.agent}’s other <code>{agentLine(view.verb)}</code> requests
      {view.resource !== "" ? (
        <>
          {" "}
          on <code>{agentLine(resource)}</code>
          {view.namespace !== "" && (
            <>
              {" "}
              in namespace <code>{agentLine(view.namespace)}</code>
            </>
          )}{" "}
          (any name)
        </>
      ) : (
        <>
          {" "}
          to <code>{agentLine(view.path)}</code>
        </>
      )}{" "}
      through without asking until it expires.
    </>
  );
}
