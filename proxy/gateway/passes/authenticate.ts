// Pass 1: who is asking. Every request needs a live agent token; nothing unauthenticated reaches
// the upstream. Impersonation headers are refused outright: which identity reaches the cluster is
// the developer's decision, not the agent's.
import type { AgentRegistry } from "../../agents/agent-registry.js";
import type { Pass } from "../gateway-request.js";
import { statusFor } from "../status.js";

export function authenticatePass(registry: AgentRegistry): Pass {
  return {
    name: "authenticate",
    run(request) {
      const header = request.req.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      const identity = match ? registry.authenticate(match[1] as string) : null;
      if (!identity) {
        return statusFor(
          "Unauthorized",
          header
            ? "chaperone: this agent token is unknown or has been revoked; ask the developer for a new kubeconfig (chaperone agent add NAME)"
            : "chaperone: no bearer token; use the kubeconfig written by `chaperone agent add NAME`",
        );
      }
      request.identity = identity;
      for (const name of Object.keys(request.req.headers)) {
        if (name.startsWith("impersonate-")) {
          return statusFor(
            "Forbidden",
            `chaperone: impersonation is not allowed for agents (header ${name}); requests run with the identity the developer configured`,
          );
        }
      }
      return undefined;
    },
  };
}
