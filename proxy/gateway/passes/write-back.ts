// Pass 6: a write that carries a placeholder never reaches the cluster with it. Where the current
// object holds the real value at that very field, the value is put back into the body (and
// `request.body`, which is what gets forwarded); otherwise the write is refused with a Status that
// names the field and says why (proxy/masking/write-back.ts). Runs after decide and approve, on
// what is actually about to be sent; a body without a placeholder costs one byte search.
import type { Pass } from "../gateway-request.js";
import type { PolicyEngine } from "../../policy/index.js";
import type { MaskingService } from "../../masking/masking-service.js";
import { mediaType } from "../../policy/index.js";
import { containsPlaceholder } from "../../masking/placeholder.js";
import { statusFor } from "../status.js";

export function writeBackPass(masking: MaskingService, policy: () => PolicyEngine): Pass {
  return {
    name: "write-back",
    run(request) {
      const { info, identity, body } = request;
      if (!info || info.kind !== "resource" || !identity || !body || body.length === 0) return undefined;
      if (info.verb !== "create" && info.verb !== "update" && info.verb !== "patch") return undefined;
      const contentType = mediaType(request.req.headers["content-type"]);
      // A JSON patch is also checked for copy/move out of masked fields, placeholder or not.
      if (!containsPlaceholder(body) && !(contentType === "application/json-patch+json" && body.includes('"from"'))) return undefined;
      return masking
        .writeBack({
          info,
          contentType,
          body,
          object: request.decoded.kind === "object" ? request.decoded.object : null,
          settings: policy().masking(identity.profile),
        })
        .then(
          (result) => {
            switch (result.kind) {
              case "unchanged":
                return undefined;
              case "refused":
                return statusFor("BadRequest", result.message);
              case "restored":
                request.body = result.body;
                request.decoded = { kind: "object", object: result.object };
                request.restored.push(...result.fields);
                return undefined;
            }
          },
          (error: unknown) => statusFor("InternalError", `chaperone: the write carries masked placeholders, and the current object could not be read to put the real values back (${(error as Error).message}); nothing was sent`),
        );
    },
  };
}
