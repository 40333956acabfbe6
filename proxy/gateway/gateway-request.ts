// One agent request on its way through the gateway, and the ordered passes that act on it.
// Each pass either lets the request continue (returns undefined) or answers it with a Status;
// later issues insert decide / approve / mask / record passes into the same list.
import type { IncomingMessage } from "node:http";
import type { AgentIdentity } from "../agents/agent-registry.js";
import type { RequestInfo } from "./request-info.js";
import type { KubernetesStatus } from "./status.js";

export interface GatewayRequest {
  id: string;
  req: IncomingMessage;
  receivedAt: number;
  /** True for exec / attach / port-forward connection upgrades. */
  upgrade: boolean;
  identity: AgentIdentity | null;
  info: RequestInfo | null;
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
