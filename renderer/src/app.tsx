// The page: a header with the connection state; then what waits for a person (held requests) and
// what a person allowed for a while (grants); then the engine's status and its agents.
import { useEffect, useMemo } from "react";
import { AgentsView } from "./agents-view";
import { ApprovalsPanel } from "./approvals-panel";
import { ControlClient } from "./control-client";
import { GrantsView } from "./grants-view";
import { StatusView } from "./status-view";
import { useEngineState, type Connection } from "./use-engine-state";

const CONNECTION_LABELS: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  refused: "Not authorized",
};

export function App({ token }: { token: string }) {
  const client = useMemo(() => new ControlClient(token), [token]);
  const { status, agents, approvals, grants, connection, error, refresh } = useEngineState(client);
  const waiting = approvals?.length ?? 0;

  // The count in the title shows on the taskbar and the browser tab, where a person who is looking
  // at something else can see that an agent is waiting.
  useEffect(() => {
    document.title = waiting > 0 ? `(${waiting}) Chaperone` : "Chaperone";
  }, [waiting]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Chaperone</h1>
        <span className={`connection ${connection}`} role="status" aria-label={`Connection: ${CONNECTION_LABELS[connection]}`}>
          {CONNECTION_LABELS[connection]}
        </span>
      </header>
      <main>
        {connection === "refused" ? (
          <p className="notice error" role="alert">
            The engine did not accept this page's token; it belongs to an earlier launch. Open Chaperone again from the
            app or with the link the engine printed.
          </p>
        ) : (
          error !== null && (
            <p className="notice error" role="alert">
              {error}
            </p>
          )
        )}
        <ApprovalsPanel client={client} approvals={approvals} onDecided={() => void refresh()} />
        <GrantsView client={client} grants={grants} onChanged={() => void refresh()} />
        <StatusView status={status} />
        <AgentsView client={client} agents={agents} onChanged={() => void refresh()} />
      </main>
    </div>
  );
}

/** Shown when the page was opened without a token (e.g. reloaded after the fragment was removed). */
export function MissingToken() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>Chaperone</h1>
      </header>
      <main>
        <section className="card">
          <h2>Not connected</h2>
          <p>
            This page needs the engine's control token. Open it from the Chaperone app, or with the full link the
            engine printed (it ends in <code>#token=…</code>). For safety the token is not kept across reloads.
          </p>
        </section>
      </main>
    </div>
  );
}
