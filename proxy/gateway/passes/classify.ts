// Pass 2: what is being asked, in the API server's own terms (RequestInfo). Ambiguous paths are
// refused here, before any later pass or the upstream could read them differently; paths that are
// not a known Kubernetes shape are denied (fail closed).
import type { Pass } from "../gateway-request.js";
import { classifyRequest } from "../request-info.js";
import { statusFor } from "../status.js";

export function classifyPass(): Pass {
  return {
    name: "classify",
    run(request) {
      const { req } = request;
      const info = classifyRequest(req.method ?? "", req.url ?? "", req.headers);
      if (info.kind === "refused") return statusFor("BadRequest", `chaperone: ${info.reason}`);
      if (info.kind === "nonResource" && !info.known) {
        return statusFor("Forbidden", `chaperone: ${info.path} is not a Kubernetes API path chaperone recognizes; refused`);
      }
      request.info = info;
      return undefined;
    },
  };
}
