// An agent request as an audit Event: who (agent, run), what (RequestInfo as objectRef), what the
// policy and an approver said, what came back, and the bodies the level asks for, masked.
import type { GatewayRequest } from "../gateway/gateway-request.js";
import { ANNOTATION, type AuditEvent, type AuditLevel, type AuditResponseStatus, type AuditStage } from "./audit-event.js";
import { microTime } from "./micro-time.js";
import type { BodyMasker } from "./body-masker.js";

/** A request body as the log keeps it: masked, or the reason it is not kept. */
export interface LoggedBody {
  object?: unknown;
  omitted?: string;
  masked: string[];
}

/** Masks (and size-checks) a request's body once; both of a write's events use the result. */
export function maskedRequestBody(request: GatewayRequest, mask: BodyMasker, maxBodyBytes: number): LoggedBody {
  if (request.decoded.kind === "none") return { masked: [] };
  if (request.decoded.kind === "opaque") return { omitted: request.decoded.reason, masked: [] };
  const masked = mask(request.decoded.object, { request, direction: "request" });
  const size = bodySize(masked.object);
  if (size > maxBodyBytes) return { omitted: `${size} bytes, above the ${maxBodyBytes}-byte limit`, masked: masked.masked };
  return { object: masked.object, masked: masked.masked };
}

export interface RequestEventInput {
  request: GatewayRequest;
  stage: AuditStage;
  level: Exclude<AuditLevel, "None">;
  now: number;
  mask: BodyMasker;
  maxBodyBytes: number;
  upstream: { context: string; server: string };
  status?: AuditResponseStatus | undefined;
  /** The request body, already masked (maskedRequestBody); computed here when absent. */
  requestBody?: LoggedBody | undefined;
  /** A decoded response body (RequestResponse), or why there is none. */
  responseBody?: { object: unknown } | { omitted: string } | undefined;
  /** Extra annotations (approval, recording, exit code…), set before the chain keys. */
  annotations?: Record<string, string> | undefined;
}

/** Field lists the masking pass leaves on the request (issue 5), if it does. */
function maskedByGateway(request: GatewayRequest): string[] {
  const masked = (request as unknown as { masked?: unknown }).masked;
  if (Array.isArray(masked)) return masked.filter((m): m is string => typeof m === "string");
  if (masked && typeof masked === "object") {
    // Tolerate { request: [...], response: [...] } as well.
    return Object.values(masked as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v.filter((m): m is string => typeof m === "string") : []));
  }
  return [];
}

function bodySize(object: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(object) ?? "", "utf8");
  } catch {
    return Infinity;
  }
}

/** As the API server's audit does for creates: the name (and namespace) from the object written. */
function nameFromBody(request: GatewayRequest): { name?: string; namespace?: string } {
  if (request.decoded.kind !== "object") return {};
  const metadata = (request.decoded.object as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  const out: { name?: string; namespace?: string } = {};
  if (typeof metadata?.name === "string" && metadata.name !== "") out.name = metadata.name;
  if (typeof metadata?.namespace === "string" && metadata.namespace !== "") out.namespace = metadata.namespace;
  return out;
}

export function requestEvent(input: RequestEventInput): AuditEvent {
  const { request, level } = input;
  const { req, identity, info, decision } = request;
  const annotations: Record<string, string> = { [ANNOTATION.event]: "request" };
  if (identity) {
    annotations[ANNOTATION.agent] = identity.agent;
    annotations[ANNOTATION.profile] = identity.profile;
    if (identity.run) annotations[ANNOTATION.run] = identity.run;
    annotations[ANNOTATION.token] = identity.tokenId;
  }
  if (decision) {
    annotations[ANNOTATION.decision] = decision.action;
    annotations[ANNOTATION.rule] = `${decision.rule.profile}/${decision.rule.name}`;
    annotations[ANNOTATION.ruleSource] = decision.rule.source;
    if (decision.message) annotations[ANNOTATION.decisionMessage] = decision.message;
  }
  annotations[ANNOTATION.upstreamContext] = input.upstream.context;
  annotations[ANNOTATION.upstreamServer] = input.upstream.server;
  const maskedFields = new Set(maskedByGateway(request));

  let requestObject: unknown;
  if (level !== "Metadata") {
    const body = input.requestBody ?? maskedRequestBody(request, input.mask, input.maxBodyBytes);
    for (const m of body.masked) maskedFields.add(m);
    if (body.omitted) annotations[ANNOTATION.requestObjectOmitted] = body.omitted;
    else requestObject = body.object;
  }
  let responseObject: unknown;
  if (level === "RequestResponse" && input.responseBody) {
    if ("omitted" in input.responseBody) {
      annotations[ANNOTATION.responseObjectOmitted] = input.responseBody.omitted;
    } else {
      const masked = input.mask(input.responseBody.object, { request, direction: "response" });
      for (const m of masked.masked) maskedFields.add(m);
      const size = bodySize(masked.object);
      if (size <= input.maxBodyBytes) responseObject = masked.object;
      else annotations[ANNOTATION.responseObjectOmitted] = `${size} bytes, above the ${input.maxBodyBytes}-byte limit`;
    }
  }
  if (maskedFields.size > 0) annotations[ANNOTATION.maskedFields] = JSON.stringify([...maskedFields]);
  Object.assign(annotations, input.annotations);
  if (decision) {
    // Kubernetes' own authorizer annotations, which audit tooling already reads.
    const approved = decision.action === "allow" || /^(allow-once|allow-for|always|grant)$/.test(annotations[ANNOTATION.approval] ?? "");
    annotations[ANNOTATION.k8sDecision] = approved ? "allow" : "forbid";
    annotations[ANNOTATION.k8sReason] = `chaperone rule ${decision.rule.profile}/${decision.rule.name} (${decision.action})`;
  }

  // Built key by key, in the order the log has always had, leaving out undefined fields rather
  // than deleting them afterwards (a deleted key turns the object into a slow dictionary, which
  // JSON.stringify then pays for). `annotations` stays the last key.
  const event = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level,
    auditID: request.id,
    stage: input.stage,
    requestURI: req.url ?? "/",
    verb: info ? info.verb : (req.method ?? "GET").toLowerCase(),
    user: identity
      ? {
          username: identity.agent,
          groups: ["chaperone:agents", `chaperone:profile:${identity.profile}`],
          ...(identity.run ? { extra: { "chaperone.dev/run": [identity.run] } } : {}),
        }
      : { username: "system:anonymous", groups: ["system:unauthenticated"] },
    sourceIPs: req.socket?.remoteAddress ? [req.socket.remoteAddress.replace(/^::ffff:/, "")] : [],
  } as AuditEvent;
  const userAgent = req.headers["user-agent"];
  if (typeof userAgent === "string") event.userAgent = userAgent;
  if (info && info.kind === "resource") {
    const fromBody = info.namespace && info.name ? {} : nameFromBody(request);
    const namespace = info.namespace || fromBody.namespace;
    const name = info.name || fromBody.name;
    event.objectRef = {
      resource: info.resource,
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      ...(info.subresource ? { subresource: info.subresource } : {}),
    };
  }
  if (input.status !== undefined) event.responseStatus = input.status;
  if (requestObject !== undefined) event.requestObject = requestObject;
  if (responseObject !== undefined) event.responseObject = responseObject;
  event.requestReceivedTimestamp = microTime(request.receivedAt);
  event.stageTimestamp = microTime(input.now);
  event.annotations = annotations;
  return event;
}
