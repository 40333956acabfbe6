// RoleBindings and ClusterRoleBindings that grant more than read access. A binding's power is the
// power of the role it names, and the body only names it: the rules of a custom Role or
// ClusterRole (or what a cluster has aggregated into a built-in one) are not in the request. So
// every binding trips this guardrail unless it binds a ClusterRole on a short known-safe list;
// cluster-admin, admin and edit are named in the reason because they are the usual escalation.
//
// Patches: roleRef is immutable, so a patch that names a safe roleRef is either a no-op on it or
// rejected by the API server; a patch that changes subjects without naming the role could be
// adding someone to cluster-admin, so it trips. Patches that touch only metadata do not.
import type { ResourceRequestInfo } from "../../gateway/request-info.js";
import type { PolicyRequest } from "../policy-types.js";
import { asMap, target, type Guardrail } from "./guardrail.js";
import { readJsonPatch, UNINSPECTABLE } from "./body-scan.js";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const BINDINGS = new Set(["rolebindings", "clusterrolebindings"]);

/** ClusterRoles a binding may name without asking: read-only, and no Secrets. */
export const SAFE_CLUSTER_ROLES: ReadonlySet<string> = new Set(["view"]);
const POWERFUL_CLUSTER_ROLES: Readonly<Record<string, string>> = {
  "cluster-admin": "full control of the cluster",
  admin: "full control of a namespace, including its RBAC",
  edit: "write access to most objects and read access to Secrets",
};

/** Keys that carry no grant: a patch limited to them cannot widen a binding. */
const INERT_KEYS = new Set(["metadata", "apiVersion", "kind"]);

function roleRefReason(roleRef: Record<string, unknown>): string | undefined {
  const kind = typeof roleRef.kind === "string" ? roleRef.kind : "";
  const name = typeof roleRef.name === "string" ? roleRef.name : "";
  if (kind === "ClusterRole" && SAFE_CLUSTER_ROLES.has(name)) return undefined;
  const powerful = kind === "ClusterRole" ? POWERFUL_CLUSTER_ROLES[name] : undefined;
  if (powerful) return `it binds the ClusterRole "${name}" (${powerful})`;
  const shown = `${kind || "a role"} ${JSON.stringify(name)}`;
  return `it binds ${shown}, whose permissions chaperone cannot see (only ClusterRole ${[...SAFE_CLUSTER_ROLES].join(", ")} is known to be safe)`;
}

function bindingReason(request: PolicyRequest, info: ResourceRequestInfo): string | undefined {
  const body = request.object;
  if (Array.isArray(body)) {
    const ops = readJsonPatch(body);
    if (typeof ops === "string") return ops;
    for (const op of ops) {
      if (op.op === "remove" || op.op === "test") continue;
      const inMetadata = op.path[0] === "metadata" && (op.from === null || op.from[0] === "metadata");
      if (!inMetadata) return "its JSON patch changes the binding beyond its metadata, and the role it binds is not in the request";
    }
    return undefined;
  }
  const map = asMap(body);
  if (!map) return UNINSPECTABLE;
  const roleRef = asMap(map.roleRef);
  if (roleRef) return roleRefReason(roleRef);
  if (info.verb === "patch" && Object.keys(map).every((key) => INERT_KEYS.has(key))) return undefined;
  return info.verb === "patch"
    ? "the patch changes the binding without naming the role it binds"
    : "it names no roleRef chaperone can read";
}

export const rbacBinding: Guardrail = {
  name: "rbac-binding",
  description: `A RoleBinding or ClusterRoleBinding written (create, update, patch) unless it binds one of the ClusterRoles known to be safe (${[...SAFE_CLUSTER_ROLES].join(", ")}); a patch touching only metadata does not trip it.`,
  verbs: ["create", "update", "patch"],
  check(request, info) {
    if (info.apiGroup !== RBAC_GROUP || !BINDINGS.has(info.resource) || info.subresource !== "") return undefined;
    const reason = bindingReason(request, info);
    return reason ? `${info.verb} ${target(info)}: ${reason}` : undefined;
  },
};
