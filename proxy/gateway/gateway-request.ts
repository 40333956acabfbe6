// One agent request on its way through the gateway, and the ordered passes that act on it.
// Each pass either lets the request continue (returns undefined) or answers it with a Status;
// later issues insert decide / approve / mask / record passes into the same list.
import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import type { AgentIdentity } from "../agents/agent-registry.js";
import type { RequestInfo } from "./request-info.js";
import type { KubernetesStatus } from "./status.js";
import type { DecodedBody } from "./request-body.js";
import type { Decision, PolicyRequest, RuleRef } from "../policy/index.js";
import type { ResponseMasking } from "../masking/response-masking.js";

export interface GatewayRequest {
  id: string;
  req: IncomingMessage;
  receivedAt: number;
  /** True for exec / attach / port-forward connection upgrades. */
  upgrade: boolean;
  identity: AgentIdentity | null;
  info: RequestInfo | null;
  /** A write's body, read before deciding and forwarded as is; null for streamed requests. */
  body: Buffer | null;
  decoded: DecodedBody;
  policyRequest: PolicyRequest | null;
  decision: Decision | null;
  /** Aborted when the agent disconnects (kubectl killed while waiting for an approver). */
  signal: AbortSignal;
  /**
   * Fields masked for this request, object-relative (`data.password`, `items[*].data.password`,
   * `exec stdout`…), de-duplicated: filled by the mask pass and, for streamed responses, while the
   * response flows. The audit event lists them.
   */
  masked: string[];
  /** Fields of the request body whose placeholders write-back replaced with the real values. */
  restored: string[];
  /** Set when the deciding rule has `reveal: true`: the response went out unmasked (audited). */
  revealedBy: RuleRef | null;
  /** How the response is masked (set by the mask pass); null: streamed untouched. */
  responseMasking: ResponseMasking | null;
}

/** The gateway request of an incoming message, for the forward pass (which is handed the message). */
// A symbol-keyed property rather than a WeakMap: a WeakMap entry per request costs the GC an
// ephemeron to trace; the property goes away with the message all the same.
const GATEWAY_REQUEST = Symbol("chaperone.gatewayRequest");
type Tagged = IncomingMessage & { [GATEWAY_REQUEST]?: GatewayRequest };

export function gatewayRequestOf(req: IncomingMessage): GatewayRequest | undefined {
  return (req as Tagged)[GATEWAY_REQUEST];
}

export function newGatewayRequest(req: IncomingMessage, upgrade: boolean, signal: AbortSignal): GatewayRequest {
  const request: GatewayRequest = {
    id: randomUUID(),
    req,
    receivedAt: Date.now(),
    upgrade,
    identity: null,
    info: null,
    body: null,
    decoded: { kind: "none" },
    policyRequest: null,
    decision: null,
    signal,
    masked: [],
    restored: [],
    revealedBy: null,
    responseMasking: null,
  };
  (req as Tagged)[GATEWAY_REQUEST] = request;
  return request;
}

export type PassOutcome = KubernetesStatus | undefined;

export interface Pass {
  readonly name: string;
  run(request: GatewayRequest): PassOutcome | Promise<PassOutcome>;
}

/**
 * Runs passes in order until one answers. Stays synchronous while every pass is, so the hot path
 * (authenticate + classify) costs no promise allocations.
 */
export function runPasses(passes: readonly Pass[], request: GatewayRequest, start = 0): PassOutcome | Promise<PassOutcome> {
  for (let i = start; i < passes.length; i++) {
    const outcome = (passes[i] as Pass).run(request);
    if (outcome instanceof Promise) {
      return outcome.then((resolved) => (resolved ? resolved : runPasses(passes, request, i + 1)));
    }
    if (outcome) return outcome;
  }
  return undefined;
}
