// The agents the gateway knows: add one, see them all, revoke one (with a second click to confirm).
import { useState } from "react";
import type { AgentSummary } from "../../proxy/control/contract.js";
import { AddAgentForm } from "./add-agent-form";
import type { ControlClient } from "./control-client";
import { formatTime } from "./format";

interface AgentsViewProps {
  client: ControlClient;
  agents: AgentSummary[] | null;
  onChanged: () => void;
}

export function AgentsView({ client, agents, onChanged }: AgentsViewProps) {
  const [error, setError] = useState<string | null>(null);

  async function revoke(name: string): Promise<void> {
    setError(null);
    const result = await client.revokeAgent(name);
    if (!result.ok) setError(`Could not revoke ${name}: ${result.error.message}`);
    onChanged();
  }

  return (
    <section className="card" aria-labelledby="agents-heading">
      <h2 id="agents-heading">Agents</h2>
      <AddAgentForm client={client} onAdded={onChanged} />
      {error !== null && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {agents === null ? (
        <p className="muted">Loading agents…</p>
      ) : agents.length === 0 ? (
        <p className="muted">No agents yet. Add one to give a coding agent its own kubeconfig.</p>
      ) : (
        <table className="list agents">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Profile</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => (
              <AgentRow key={agent.name} agent={agent} onRevoke={() => void revoke(agent.name)} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AgentRow({ agent, onRevoke }: { agent: AgentSummary; onRevoke: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const revoked = agent.revokedAt !== null;
  return (
    <tr className={revoked ? "revoked" : undefined}>
      <th scope="row">{agent.name}</th>
      <td>{agent.profile}</td>
      <td>{formatTime(agent.createdAt)}</td>
      <td>
        {agent.revokedAt !== null ? (
          <span className="badge bad" title={`Revoked ${formatTime(agent.revokedAt)}`}>
            Revoked
          </span>
        ) : (
          <span className="badge good">Active</span>
        )}
      </td>
      <td className="actions">
        {!revoked &&
          (confirming ? (
            <>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setConfirming(false);
                  onRevoke();
                }}
              >
                Confirm revoke
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="secondary" aria-label={`Revoke ${agent.name}`} onClick={() => setConfirming(true)}>
              Revoke
            </button>
          ))}
      </td>
    </tr>
  );
}
