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

// ---- Policy decisions and approvals -------------------------------------------------------

export type PolicyAction = "allow" | "deny" | "ask";

export interface RuleView {
  profile: string;
  name: string;
  source: "builtin" | "policy-file" | "guardrail" | "default" | "grant";
}

export interface ExecView {
  command: string[];
  container: string;
  tty: boolean;
  stdin: boolean;
}

/** The server-side dry run (`dryRun=All`) of a held write: what the API server would do. */
export interface ApprovalPreview {
  state: "pending" | "ready" | "unavailable";
  /** HTTP status of the dry run; null until it answered. */
  status: number | null;
  /** True when the API server would reject the request (the dry run failed). */
  rejected: boolean;
  /** The API server's message when it would reject, or why no preview could be made. */
  message: string | null;
  /** Unified diff of the current object against the dry-run result (YAML); null if not applicable. */
  diff: string | null;
}

export interface ApprovalView {
  id: string;
  createdAt: string;
  expiresAt: string;
  agent: string;
  run: string | null;
  profile: string;
  /** One line, e.g. `delete namespaces "prod"`. */
  summary: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
  /** The rule (or guardrail, or default) that asked, and why. */
  rule: RuleView;
  reason: string | null;
  exec: ExecView | null;
  /** The decoded request body of a write; null otherwise or when it could not be decoded. */
  object: unknown;
  preview: ApprovalPreview | null;
  /** The rule that "always allow" would append to the policy file, as YAML, shown before it is chosen. */
  alwaysRule: string;
}

export type ApprovalDecisionKind = "allow-once" | "allow-for" | "always" | "deny";

/** The longest grant an approver can give ("allow for N minutes"): one day. */
export const MAX_GRANT_MINUTES = 24 * 60;

export interface DecideRequest {
  decision: ApprovalDecisionKind;
  /** For allow-for: how long the grant lasts. */
  minutes?: number;
  /** For deny: what the agent reads after "Denied by the approver: ". */
  reason?: string;
}

export interface GrantView {
  id: string;
  agent: string;
  /** The rule the grant repeats the approval for. */
  rule: RuleView;
  createdAt: string;
  expiresAt: string;
}

export interface DecideResult {
  id: string;
  outcome: "allowed" | "denied";
  grant: GrantView | null;
  ruleAdded: { profile: string; name: string; text: string } | null;
}

export interface PolicyErrorView {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export interface PolicyView {
  path: string;
  /** The file's text; null when there is none (built-in profiles only). */
  text: string | null;
  ok: boolean;
  errors: PolicyErrorView[];
  profiles: string[];
  loadedAt: string | null;
}

export interface PolicyTextRequest {
  text: string;
}

export interface PolicyValidation {
  ok: boolean;
  errors: PolicyErrorView[];
}

/** "What would this request get?" — a request described the way kubectl would send it. */
export interface ExplainRequest {
  agent: string;
  verb: string;
  /** `pods`, `deployments.apps`, `pods/exec`, `deployments.apps/scale`. */
  resource?: string;
  name?: string;
  namespace?: string;
  /** Non-resource requests: the path, e.g. /version. */
  path?: string;
}

export interface ExplainResult {
  action: PolicyAction;
  rule: RuleView;
  message: string | null;
  profile: string;
  summary: string;
  matches: { rule: RuleView; action: PolicyAction; location: string | null }[];
  guardrails: { name: string; reason: string; action: "ask" | "deny" }[];
}

/** Events on the server-sent event stream (`GET /api/v1/events`). */
export type ControlEvent =
  | { type: "status"; status: EngineStatus }
  | { type: "agents"; agents: AgentSummary[] }
  | { type: "approvals"; approvals: ApprovalView[] }
  | { type: "grants"; grants: GrantView[] };

/** Route table: method, path, request body and result types. */
export interface ControlRoutes {
  "GET /api/v1/status": { body: undefined; result: EngineStatus };
  "GET /api/v1/agents": { body: undefined; result: AgentSummary[] };
  "POST /api/v1/agents": { body: AddAgentRequest; result: AddAgentResult };
  "POST /api/v1/agents/:name/revoke": { body: undefined; result: AgentSummary };
  "GET /api/v1/approvals": { body: undefined; result: ApprovalView[] };
  "GET /api/v1/approvals/:id": { body: undefined; result: ApprovalView };
  "POST /api/v1/approvals/:id/decide": { body: DecideRequest; result: DecideResult };
  "GET /api/v1/grants": { body: undefined; result: GrantView[] };
  "POST /api/v1/grants/:id/revoke": { body: undefined; result: GrantView };
  "GET /api/v1/policy": { body: undefined; result: PolicyView };
  "PUT /api/v1/policy": { body: PolicyTextRequest; result: PolicyView };
  "POST /api/v1/policy/validate": { body: PolicyTextRequest; result: PolicyValidation };
  "POST /api/v1/policy/explain": { body: ExplainRequest; result: ExplainResult };
}

// ---- Typed calls over the route table (used by the CLI's and the renderer's clients) ----------

export type ControlRoute = keyof ControlRoutes;
type RoutePath<R extends ControlRoute> = R extends `${string} ${infer Path}` ? Path : never;
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;
type ParamsInput<R extends ControlRoute> = [ParamNames<RoutePath<R>>] extends [never]
  ? { params?: undefined }
  : { params: Record<ParamNames<RoutePath<R>>, string> };
type BodyInput<R extends ControlRoute> = ControlRoutes[R]["body"] extends undefined ? { body?: undefined } : { body: ControlRoutes[R]["body"] };
export type RouteInput<R extends ControlRoute> = ParamsInput<R> & BodyInput<R>;
/** Routes without path parameters or a body may be called without an input. */
export type RouteArgs<R extends ControlRoute> = object extends RouteInput<R> ? [input?: RouteInput<R>] : [input: RouteInput<R>];
export type RouteResult<R extends ControlRoute> = ControlRoutes[R]["result"];
