// The engine's state as the page sees it: loaded once, then kept current by the event stream.
// A reconnect refetches everything, since events sent while disconnected are gone.
import { useCallback, useEffect, useRef, useState } from "react";
import type { AgentSummary, ApprovalView, ControlEnvelope, EngineStatus, GrantView } from "../../proxy/control/contract.js";
import type { ControlClient } from "./control-client";

/** `refused`: the engine rejected the token, so this page belongs to an earlier launch. */
export type Connection = "connecting" | "live" | "reconnecting" | "refused";

export interface EngineState {
  status: EngineStatus | null;
  agents: AgentSummary[] | null;
  /** Requests held for a person, in the engine's order (the views sort them). */
  approvals: ApprovalView[] | null;
  grants: GrantView[] | null;
  connection: Connection;
  /** The last failed load, shown until a load succeeds. */
  error: string | null;
  refresh(): Promise<void>;
}

type Kind = "status" | "agents" | "approvals" | "grants";

export function useEngineState(client: ControlClient): EngineState {
  const [status, setStatus] = useState<EngineStatus | null>(null);
  const [agents, setAgents] = useState<AgentSummary[] | null>(null);
  const [approvals, setApprovals] = useState<ApprovalView[] | null>(null);
  const [grants, setGrants] = useState<GrantView[] | null>(null);
  const [connection, setConnection] = useState<Connection>("connecting");
  const [error, setError] = useState<string | null>(null);
  // Events seen per kind. A fetch that started before an event must not overwrite it when it
  // answers later: the stream sends a list only when it changes, so a stale answer (a request
  // that was just decided, say) would otherwise stay on screen until something else changed.
  const seen = useRef<Record<Kind, number>>({ status: 0, agents: 0, approvals: 0, grants: 0 });

  const refresh = useCallback(async (): Promise<void> => {
    const before = { ...seen.current };
    const [statusResult, agentsResult, approvalsResult, grantsResult] = await Promise.all([
      client.status(),
      client.agents(),
      client.approvals(),
      client.grants(),
    ]);
    const fresh = <T>(kind: Kind, result: ControlEnvelope<T>, set: (value: T) => void): void => {
      if (result.ok && seen.current[kind] === before[kind]) set(result.result);
    };
    fresh("status", statusResult, setStatus);
    fresh("agents", agentsResult, setAgents);
    fresh("approvals", approvalsResult, setApprovals);
    fresh("grants", grantsResult, setGrants);
    const failed = [statusResult, agentsResult, approvalsResult, grantsResult].find((r) => !r.ok);
    const failure = failed !== undefined && !failed.ok ? failed.error : null;
    if (failure?.code === "unauthorized") setConnection("refused");
    setError(failure === null ? null : failure.message);
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
          seen.current[event.type]++;
          switch (event.type) {
            case "status":
              setStatus(event.status);
              break;
            case "agents":
              setAgents(event.agents);
              break;
            case "approvals":
              setApprovals(event.approvals);
              break;
            case "grants":
              setGrants(event.grants);
              break;
          }
        },
        onError: (_message, code) => setConnection(code === "unauthorized" ? "refused" : "reconnecting"),
      },
      abort.signal,
    );
    return () => abort.abort();
  }, [client, refresh]);

  return { status, agents, approvals, grants, connection, error, refresh };
}
