// The built-in profiles, written in the policy file's own format so that what the documentation
// says they do is exactly what runs. What a profile asks for is its *default*, not an `ask` rule:
// precedence is deny > ask > allow, so an ask rule could never be loosened by a later allow (an
// "always allow" approval, or a profile extending this one), while a default can.
//
// Guardrails (proxy/policy/guardrails) come on top of the rules in every profile: guarded and
// strict ask when one trips (an allow rule can only pass one with `overrideGuardrail:`), read-only
// denies (a guardrail's deny can never be overridden).
import type { ProfileSpec, RuleSpec } from "./policy-schema.js";

export interface BuiltinProfile {
  readonly name: string;
  readonly description: string;
  readonly spec: Required<Pick<ProfileSpec, "default" | "guardrails">> & { rules: RuleSpec[] };
  /** Completes "<request> …" in default decisions' messages. */
  readonly defaultMessage: string;
}

/** Reads of any resource (Secrets included: masking applies to them) and of known non-resource paths. */
const READS: RuleSpec = { id: "reads", verb: ["get", "list", "watch", "head"], action: "allow" };

/** `kubectl auth can-i` and `kubectl auth whoami`: questions about the agent's own access, which change nothing. */
const SELF_REVIEWS: RuleSpec = {
  id: "self-reviews",
  verb: "create",
  apiGroup: ["authorization.k8s.io", "authentication.k8s.io"],
  resource: ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"],
  action: "allow",
};

/** What kubectl fetches to learn the cluster's API: the discovery documents, OpenAPI and the server version. */
const DISCOVERY: RuleSpec = {
  id: "discovery",
  verb: ["get", "head"],
  path: ["/api", "/api/*", "/apis", "/apis/*", "/openapi/*", "/version"],
  action: "allow",
};

/**
 * create / update / patch, except on what guarded always asks about. The exceptions are by API
 * group and resource, and the guardrails add the content checks on top.
 */
const WRITES: RuleSpec = {
  id: "writes",
  verb: ["create", "update", "patch"],
  except: [
    // Anything touching RBAC.
    { apiGroup: "rbac.authorization.k8s.io" },
    // Secret writes.
    { apiGroup: "", resource: "secrets" },
    // Webhooks and everything else that intercepts API requests: validating / mutating webhook
    // configurations, admission policies, and aggregated API services.
    { apiGroup: ["admissionregistration.k8s.io", "apiregistration.k8s.io"] },
    // Token requests: a ServiceAccount token is a credential.
    { apiGroup: "", resource: "serviceaccounts", subresource: "token" },
    // Approving or signing a CertificateSigningRequest mints a client certificate: a credential too.
    { apiGroup: "certificates.k8s.io", resource: "certificatesigningrequests", subresource: ["approval", "status"] },
    // An eviction deletes a pod, and deletes ask.
    { apiGroup: "", resource: "pods", subresource: "eviction" },
  ],
  action: "allow",
};

export const BUILTIN_PROFILES: readonly BuiltinProfile[] = [
  {
    name: "read-only",
    description:
      "get / list / watch of any resource, discovery and `kubectl auth can-i`; everything else is denied (writes, deletes, exec, attach, port-forward, proxy, token requests).",
    spec: { rules: [READS, SELF_REVIEWS], default: "deny", guardrails: "deny" },
    defaultMessage: "is denied: the read-only profile allows only reads (get, list, watch), discovery and `kubectl auth can-i`",
  },
  {
    name: "guarded",
    description:
      "Reads allowed; create / update / patch allowed unless a guardrail trips; a human is asked for delete, deletecollection, exec, attach, port-forward, proxy, token requests, RBAC writes, Secret writes, webhook / admission / APIService writes, CSR approval and evictions.",
    spec: { rules: [READS, SELF_REVIEWS, WRITES], default: "ask", guardrails: "ask" },
    defaultMessage: "needs approval: the guarded profile allows reads and ordinary writes without asking, nothing else",
  },
  {
    name: "strict",
    description: "Discovery allowed; a human is asked for every other request, reads included.",
    spec: { rules: [DISCOVERY], default: "ask", guardrails: "ask" },
    defaultMessage: "needs approval: the strict profile asks before every request except discovery",
  },
];

export const BUILTIN_PROFILE_NAMES: readonly string[] = BUILTIN_PROFILES.map((p) => p.name);

export function builtinProfile(name: string): BuiltinProfile | undefined {
  return BUILTIN_PROFILES.find((p) => p.name === name);
}
