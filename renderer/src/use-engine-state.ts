// The engine's state as the page sees it: loaded once, then kept current by the event stream.
// A reconnect refetches everything, since events sent while disconnected are gone.
import { useCallback, useEffect, useState } from "react";
import type { AgentSummary, EngineStatus } from "../../proxy/control/contract.js";
import type { ControlClient } from "./control-client";

/** `refused`: the engine rejected the token, so this page belongs to an earlier launch. */
export type Connection = "connecting" | "live" | "reconnecting" | "refused";

export interface EngineState {
  status: EngineStatus | null;
  agents: AgentSummary[] | null;
  connection: Connection;
  /** The last failed load, shown until a load succeeds. */
  error: string | null;
  refresh(): Promise<void>;
}

export function useEngineState(client: ControlClient): EngineState {
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [agents, setAgents] = useState<AgentSummary[] | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async (): Promise<void> => {
    const [statusResult, agentsResult] = await Promise.all([client.status(), client.agents()]);
    if (statusResult.ok) setStatus(statusResult.result);
    if (agentsResult.ok) setAgents(agentsResult.result);
    const failed = !statusResult.ok ? statusResult.error : !agentsResult.ok ? agentsResult.error : null;
    if (failed?.code === "unauthorized") setConnection("refused");
    setError(failed === null ? null : failed.message);
  }, [client]);

  useEffect(() => {
    const abort = new AbortController();
    void refresh();
    void client.streamEvents(
      {
        onOpen: () => {
          setConnection("live");
          void refresh();
        },
        onEvent: (event) => {
          switch (event.type) {
            case "status":
              setStatus(event.status);
              break;
            case "agents":
              setAgents(event.agents);
              break;
          }
        },
        onError: (_message, code) => setConnection(code === "unauthorized" ? "refused" : "reconnecting"),
      },
      abort.signal,
    );
    return () => abort.abort();
  }, [client, refresh]);

  return { status, agents, connection, error, refresh };
}
