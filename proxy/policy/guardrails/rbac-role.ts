// Roles and ClusterRoles that grant everything or grant the verbs that defeat RBAC itself:
// `*` as a verb or in a resource, and escalate / bind / impersonate. A ClusterRole with an
// aggregationRule takes on rules chaperone cannot see, and one labelled
// rbac.authorization.k8s.io/aggregate-to-* pushes its rules into admin / edit / view — which
// would also defeat the rbac-binding guardrail's trust in `view` — so both trip it too.
import { target, type Guardrail } from "./guardrail.js";
import { scanBody, type Visitor } from "./body-scan.js";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const ROLES = new Set(["roles", "clusterroles"]);
const ESCALATING_VERBS = new Set(["escalate", "bind", "impersonate"]);
const AGGREGATE_LABEL = "rbac.authorization.k8s.io/aggregate-to-";

/** Every string in a value, whatever its shape (a JSON patch may write one element of a list). */
function stringLeaves(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === "string") out.push(value);
  else if (depth < 8 && typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) stringLeaves(child, out, depth + 1);
  }
  return out;
}

export const visitRoleFields: Visitor = (key, lower, value) => {
  if (lower === "annotations") return "skip";
  if (lower === "aggregationrule" && value !== null) return "it aggregates the rules of other ClusterRoles, which chaperone cannot see";
  if (lower.startsWith(AGGREGATE_LABEL) && value !== null) {
    return `its label ${key} adds its rules to the "${key.slice(AGGREGATE_LABEL.length)}" ClusterRole`;
  }
  if (lower === "verbs") {
    for (const verb of stringLeaves(value)) {
      const v = verb.toLowerCase();
      if (v.includes("*")) return 'it grants every verb ("*")';
      if (ESCALATING_VERBS.has(v)) return `it grants the "${v}" verb`;
    }
  }
  if (lower === "resources") {
    for (const resource of stringLeaves(value)) {
      if (resource.includes("*")) return `it grants a wildcard resource (${JSON.stringify(resource)})`;
    }
  }
  return undefined;
};

export const rbacRole: Guardrail = {
  name: "rbac-role",
  description:
    'A Role or ClusterRole written (create, update, patch) whose rules contain "*" in verbs or resources, or the escalate, bind or impersonate verbs; or a ClusterRole with an aggregationRule or an aggregate-to-* label.',
  verbs: ["create", "update", "patch"],
  check(request, info) {
    if (info.apiGroup !== RBAC_GROUP || !ROLES.has(info.resource) || info.subresource !== "") return undefined;
    const reason = scanBody(request.object, visitRoleFields);
    return reason ? `${info.verb} ${target(info)}: ${reason}` : undefined;
  },
};
