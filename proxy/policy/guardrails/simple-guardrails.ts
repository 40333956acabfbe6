// Guardrails decided by the classification alone: what is being deleted or requested is the
// whole story, so no body is read.
import { target, type Guardrail } from "./guardrail.js";

export const namespaceDelete: Guardrail = {
  name: "namespace-delete",
  description: "Deleting a namespace (which deletes everything in it).",
  verbs: ["delete", "deletecollection"],
  check(_request, info) {
    if (info.apiGroup !== "" || info.resource !== "namespaces" || info.subresource !== "") return undefined;
    return info.verb === "delete" ? `it deletes the namespace "${info.name}" and everything in it` : "it deletes every namespace the request selects";
  },
};

export const deleteCollection: Guardrail = {
  name: "delete-collection",
  description: "A deletecollection: one request deleting every object of a kind (in a namespace, or cluster-wide) that its selectors match.",
  verbs: ["deletecollection"],
  check(_request, info) {
    return `it deletes a whole collection of ${target(info)}${info.namespace === "" ? " across all namespaces" : ""}`;
  },
};

export const secretWrite: Guardrail = {
  name: "secret-write",
  description: "A Secret created, replaced (update) or patched.",
  verbs: ["create", "update", "patch"],
  check(_request, info) {
    if (info.apiGroup !== "" || info.resource !== "secrets" || info.subresource !== "") return undefined;
    const what = info.verb === "create" ? "creates" : info.verb === "update" ? "replaces" : "patches";
    return `it ${what} a Secret (${target(info)})`;
  },
};

export const tokenRequest: Guardrail = {
  name: "token-request",
  description: "A ServiceAccount token request (create serviceaccounts/token), which mints a credential for that ServiceAccount.",
  verbs: ["create"],
  check(_request, info) {
    if (info.apiGroup !== "" || info.resource !== "serviceaccounts" || info.subresource !== "token") return undefined;
    return `it requests a token for the ServiceAccount "${info.name}"${info.namespace ? ` in namespace "${info.namespace}"` : ""}`;
  },
};
