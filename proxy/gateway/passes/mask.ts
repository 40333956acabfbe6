// Pass 7: how the response will be masked. Runs after the request is allowed (and approved), so a
// refused request costs nothing here. Decides, from the resource and the profile's masking
// settings, whether the response is streamed untouched (most requests: discovery, events, nodes…),
// masked as JSON (Secrets, ConfigMaps, pods and workloads, custom resources…), masked as text
// (pod logs) or masked on the exec/attach wire; the forward pass then does it. A rule with
// `reveal: true` lets its responses through unmasked, and the request records which rule did.
// Before logs or an exec, the pod's Secrets are read once so their values can be recognised in
// the stream (best effort, bounded in time).
import type { Pass } from "../gateway-request.js";
import type { PolicyEngine, RuleRef } from "../../policy/index.js";
import type { MaskingService } from "../../masking/masking-service.js";
import { statusFor } from "../status.js";

export interface MaskPassOptions {
  /** Called for each response revealed unmasked by a rule (the engine logs it). */
  onReveal?: (agent: string, rule: RuleRef, summary: string) => void;
}

export function maskPass(masking: MaskingService, policy: () => PolicyEngine, options: MaskPassOptions = {}): Pass {
  return {
    name: "mask",
    run(request) {
      const { info, identity } = request;
      if (!info || info.kind !== "resource" || !identity) return undefined;
      const settings = policy().masking(identity.profile);
      if (!settings.enabled) return undefined;
      if (request.decision?.reveal) {
        request.revealedBy = request.decision.rule;
        options.onReveal?.(identity.agent, request.decision.rule, `${request.req.method ?? ""} ${request.req.url ?? ""}`);
        return undefined;
      }
      const plan = masking.planFor(info, request.upgrade, settings, request.masked);
      switch (plan.kind) {
        case "none":
          return undefined;
        case "refuse":
          return statusFor("BadRequest", plan.message);
        case "mask":
          request.responseMasking = plan.response;
          if (!plan.learnPod) return undefined;
          return masking.learnPodSecrets(plan.learnPod.namespace, plan.learnPod.name).then(() => undefined);
      }
    },
  };
}
