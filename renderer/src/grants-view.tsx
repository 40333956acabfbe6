// Time-limited grants ("allow for N minutes"): while one lasts, the agent's requests that match its
// rule pass without asking. Revoking one makes them ask again at once; it takes away nothing else,
// so it needs no confirming click.
import { useState } from "react";
import type { GrantView } from "../../proxy/control/contract.js";
import type { ControlClient } from "./control-client";
import { formatDuration, formatMoment, formatTime, msUntil } from "./format";
import { useNow } from "./use-now";

interface GrantsViewProps {
  client: ControlClient;
  grants: GrantView[] | null;
  onChanged: () => void;
}

export function GrantsView({ client, grants, onChanged }: GrantsViewProps) {
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const now = useNow(grants !== null && grants.length > 0);

  async function revoke(grant: GrantView): Promise<void> {
    setRevoking(grant.id);
    setError(null);
    const result = await client.revokeGrant(grant.id);
    setRevoking(null);
    if (!result.ok) setError(`Could not revoke the grant: ${result.error.message}`);
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="grants-heading">
      <h2 id="grants-heading">Grants</h2>
      {error !== null && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {grants === null ? (
        <p className="muted">Loading grants…</p>
      ) : grants.length === 0 ? (
        <p className="muted">No active grants. “Allow for N minutes” on a request creates one.</p>
      ) : (
        <table className="list grants">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Rule</th>
              <th scope="col">Granted</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {grants.map((grant) => {
              const left = msUntil(grant.expiresAt, now);
              return (
                <tr key={grant.id}>
                  <th scope="row">{grant.agent}</th>
                  <td>
                    <code>
                      {grant.rule.profile}/{grant.rule.name}
                    </code>
                  </td>
                  <td>{formatMoment(grant.createdAt, now)}</td>
                  <td title={formatTime(grant.expiresAt)}>{left === null ? grant.expiresAt : left <= 0 ? "expiring…" : `in ${formatDuration(left)}`}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="secondary"
                      disabled={revoking === grant.id}
                      aria-label={`Revoke grant for ${grant.agent} (rule ${grant.rule.profile}/${grant.rule.name})`}
                      onClick={() => void revoke(grant)}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
