// The audit record: a Kubernetes `audit.k8s.io/v1` Event, so tools that read API-server audit logs
// read Chaperone's. Chaperone's own facts (agent, run, decision, approval, recording, the hash
// chain) live in `annotations`, the map such tools carry through without interpreting.
//
// Field order matters here: `annotations` is the last key of an Event, and the chain annotations
// are the last keys of `annotations` (see hash-chain.ts, which appends the event's own hash to the
// serialized text instead of serializing twice).

/** Kubernetes' audit levels. None writes nothing; Metadata omits bodies; Request adds request bodies; RequestResponse both. */
export type AuditLevel = "None" | "Metadata" | "Request" | "RequestResponse";
export const AUDIT_LEVELS: readonly AuditLevel[] = ["None", "Metadata", "Request", "RequestResponse"];

/** RequestReceived: a write's record, on disk before it is forwarded. ResponseComplete: the outcome. */
export type AuditStage = "RequestReceived" | "ResponseStarted" | "ResponseComplete" | "Panic";

export interface AuditUser {
  username: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface AuditResponseStatus {
  metadata: Record<string, never>;
  code: number;
  status?: "Success" | "Failure";
  message?: string;
  reason?: string;
}

export interface AuditEvent {
  kind: "Event";
  apiVersion: "audit.k8s.io/v1";
  level: Exclude<AuditLevel, "None">;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus?: AuditResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  /** MicroTime, e.g. 2025-01-02T03:04:05.123000Z. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  /** Always last (see the file comment). String values only, as in Kubernetes. */
  annotations: Record<string, string>;
}

/** Annotation keys. `chaperone.dev/…` for Chaperone's facts; Kubernetes' own keys where one exists. */
export const ANNOTATION = {
  /** What kind of event: "request" for agent requests, else e.g. "approval.decision" (see ChaperoneEventKind). */
  event: "chaperone.dev/event",
  agent: "chaperone.dev/agent",
  profile: "chaperone.dev/profile",
  run: "chaperone.dev/run",
  token: "chaperone.dev/token",
  decision: "chaperone.dev/decision",
  rule: "chaperone.dev/rule",
  ruleSource: "chaperone.dev/rule-source",
  decisionMessage: "chaperone.dev/decision-message",
  approvalId: "chaperone.dev/approval-id",
  approval: "chaperone.dev/approval",
  approver: "chaperone.dev/approver",
  approvalReason: "chaperone.dev/approval-reason",
  grant: "chaperone.dev/grant",
  maskedFields: "chaperone.dev/masked-fields",
  upstreamContext: "chaperone.dev/upstream-context",
  upstreamServer: "chaperone.dev/upstream-server",
  recording: "chaperone.dev/recording",
  recordingError: "chaperone.dev/recording-error",
  exitCode: "chaperone.dev/exit-code",
  /** Why a body is not in the event (too large, not JSON, level). */
  requestObjectOmitted: "chaperone.dev/request-object-omitted",
  responseObjectOmitted: "chaperone.dev/response-object-omitted",
  /** The agent went away before the response finished. */
  incomplete: "chaperone.dev/incomplete",
  /** Kubernetes' authorizer annotations, which audit tooling already understands. */
  k8sDecision: "authorization.k8s.io/decision",
  k8sReason: "authorization.k8s.io/reason",
  // The hash chain: always the last three keys, in this order.
  seq: "chaperone.dev/seq",
  prev: "chaperone.dev/prev",
  hash: "chaperone.dev/hash",
} as const;

/** Events that are not agent requests: approvals, grants, policy and agent changes, runs, the log itself. */
export type ChaperoneEventKind =
  | "engine.start"
  | "engine.stop"
  | "audit.recovered"
  | "audit.write-failed"
  | "audit.retention"
  | "approval.decision"
  | "grant.revoked"
  | "policy.changed"
  | "agent.added"
  | "agent.revoked"
  | "token.added"
  | "token.revoked"
  | "run.started"
  | "run.ended"
  | "recordings.retention";

/** Verbs that change the cluster (or open a session into it): their record is durable before forwarding. */
export const DURABLE_VERBS: ReadonlySet<string> = new Set([
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
  "exec",
  "attach",
  "portforward",
  "proxy",
]);
