// Pass 4: what the policy says. deny answers at once with the rule's message (kubectl prints it);
// ask leaves the decision for the approve pass; allow continues. A policy that throws denies.
import type { Pass } from "../gateway-request.js";
import type { PolicyEngine } from "../../policy/index.js";
import { describeRequest } from "../../policy/index.js";
import { statusFor } from "../status.js";

export function decidePass(policy: () => PolicyEngine): Pass {
  return {
    name: "decide",
    run(request) {
      const { identity, info } = request;
      if (!identity || !info) return statusFor("Forbidden", "chaperone: request was not authenticated and classified; refused");
      try {
        request.policyRequest = describeRequest({
          identity,
          info,
          url: request.req.url ?? "/",
          contentType: request.req.headers["content-type"] ?? null,
          body: request.decoded.kind === "object" ? request.decoded.object : undefined,
        });
        request.decision = policy().evaluate(request.policyRequest);
      } catch (error) {
        return statusFor("Forbidden", `chaperone: the policy could not decide (${(error as Error).message}); refused`);
      }
      const decision = request.decision;
      if (decision.action === "deny") {
        return statusFor("Forbidden", decision.message ?? `chaperone: denied by rule ${decision.rule.profile}/${decision.rule.name}`);
      }
      return undefined;
    },
  };
}
