// Adds an agent and shows where its kubeconfig was written: that file is what the agent uses.
import { useState, type FormEvent } from "react";
import type { AddAgentResult } from "../../proxy/control/contract.js";
import type { ControlClient } from "./control-client";

export function AddAgentForm({ client, onAdded }: { client: ControlClient; onAdded: () => void }) {
  const [name, setName] = useState("");
  const [profile, setProfile] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<AddAgentResult | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    const trimmedProfile = profile.trim();
    // Name rules live in the engine; its error message says what a valid name is.
    const result = await client.addAgent({ name: name.trim(), ...(trimmedProfile === "" ? {} : { profile: trimmedProfile }) });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setAdded(result.result);
    setName("");
    setProfile("");
    onAdded();
  }

  return (
    <>
      <form className="add-agent" onSubmit={(event) => void submit(event)}>
        <label>
          <span>Agent name</span>
          <input
            name="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. claude-code"
          />
        </label>
        <label>
          <span>
            Profile <span className="optional">(optional)</span>
          </span>
          <input
            name="profile"
            value={profile}
            onChange={(event) => setProfile(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="engine default"
          />
        </label>
        <button type="submit" disabled={busy || name.trim() === ""}>
          {busy ? "Adding…" : "Add agent"}
        </button>
      </form>
      {error !== null && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {added !== null && (
        <div className="notice success" role="status">
          <p>
            Agent <strong>{added.agent.name}</strong> added with profile <strong>{added.agent.profile}</strong>. Its
            kubeconfig:
          </p>
          <pre className="kubeconfig-path">{added.kubeconfigPath}</pre>
          <p className="muted">
            Start the agent with <code>KUBECONFIG</code> set to this file; every request it makes then goes through
            Chaperone.
          </p>
        </div>
      )}
    </>
  );
}
