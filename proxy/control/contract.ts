// The control API's one typed contract: the engine's handlers, the CLI and the renderer all import
// these types, so a change to a route's shape breaks the build everywhere it matters.
// Every response body is a result-or-error envelope; HTTP status codes mirror it.

export const CONTROL_API_PREFIX = "/api/v1";

/** Header carrying the per-launch token. Never a cookie: a cookie would ride along on cross-site requests. */
export const CONTROL_TOKEN_HEADER = "authorization";

export type ControlErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "bad_request"
  | "conflict"
  | "internal";

export interface ControlError {
  code: ControlErrorCode;
  message: string;
}

export type ControlEnvelope<T> = { ok: true; result: T } | { ok: false; error: ControlError };

export interface UpstreamStatus {
  context: string;
  server: string;
  /** null until the engine has talked to the upstream at least once. */
  reachable: boolean | null;
  lastError: string | null;
}

export interface EngineStatus {
  version: string;
  proxyUrl: string;
  controlUrl: string;
  startedAt: string;
  upstream: UpstreamStatus;
  agents: number;
  inFlightRequests: number;
}

/** Profiles every installation has; the policy file may define more. */
export const BUILT_IN_PROFILES = ["read-only", "guarded", "strict"] as const;
export const DEFAULT_PROFILE = "guarded";

export interface AgentSummary {
  name: string;
  profile: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface AddAgentRequest {
  name: string;
  profile?: string;
}

export interface AddAgentResult {
  agent: AgentSummary;
  kubeconfigPath: string;
}

/** Events on the server-sent event stream (`GET /api/v1/events`). */
export type ControlEvent =
  | { type: "status"; status: EngineStatus }
  | { type: "agents"; agents: AgentSummary[] };

/** Route table: method, path, request body and result types. */
export interface ControlRoutes {
  "GET /api/v1/status": { body: undefined; result: EngineStatus };
  "GET /api/v1/agents": { body: undefined; result: AgentSummary[] };
  "POST /api/v1/agents": { body: AddAgentRequest; result: AddAgentResult };
  "POST /api/v1/agents/:name/revoke": { body: undefined; result: AgentSummary };
}
