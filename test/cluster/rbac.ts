// RBAC authorization over the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the store,
// with the real authorizer's matching rules and its Forbidden messages. `system:masters` bypasses RBAC
// as it does in kube-apiserver.
import type { UserInfo } from "./auth.js";
import type { ObjectStore } from "./store.js";
import { forbidden, qualifiedResource, type ApiError } from "./status.js";
import { isObject, str, type JsonObject } from "./json.js";

export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  path?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const RBAC = "rbac.authorization.k8s.io";

function subjectMatches(subject: JsonObject, user: UserInfo, bindingNamespace: string): boolean {
  const kind = str(subject["kind"]);
  const name = str(subject["name"]);
  if (kind === "User") return name === user.username;
  if (kind === "Group") return user.groups.includes(name);
  if (kind === "ServiceAccount") {
    const ns = str(subject["namespace"]) || bindingNamespace;
    return user.username === `system:serviceaccount:${ns}:${name}`;
  }
  return false;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

export function ruleAllows(rule: JsonObject, attrs: Omit<RequestAttributes, "user">): boolean {
  const verbs = strings(rule["verbs"]);
  if (!verbs.includes("*") && !verbs.includes(attrs.verb)) return false;
  if (!attrs.resourceRequest) {
    const urls = strings(rule["nonResourceURLs"]);
    const path = attrs.path ?? "";
    return urls.some((u) => u === "*" || u === path || (u.endsWith("*") && path.startsWith(u.slice(0, -1))));
  }
  const groups = strings(rule["apiGroups"]);
  if (!groups.includes("*") && !groups.includes(attrs.apiGroup ?? "")) return false;
  const resources = strings(rule["resources"]);
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : (attrs.resource ?? "");
  const resourceOk = resources.some(
    (r) => r === "*" || r === combined || (attrs.subresource !== undefined && r === `*/${attrs.subresource}`) || (attrs.subresource === undefined && r === `${attrs.resource}/*`),
  );
  if (!resourceOk) return false;
  const names = strings(rule["resourceNames"]);
  return names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name));
}

export interface BoundRules {
  rules: JsonObject[];
  /** How the real authorizer describes the grant in SubjectAccessReview reasons. */
  describe: string;
}

/** Every rule that applies to `user` in `namespace` (cluster-wide rules always apply). */
export function rulesFor(store: ObjectStore, user: UserInfo, namespace: string | undefined): BoundRules[] {
  const out: BoundRules[] = [];
  const roleRules = (kind: string, name: string, ns: string | undefined): JsonObject[] => {
    const role = kind === "ClusterRole" ? store.get(`${RBAC}/clusterroles`, undefined, name) : store.get(`${RBAC}/roles`, ns, name);
    return Array.isArray(role?.["rules"]) ? (role["rules"] as unknown[]).filter(isObject) : [];
  };
  for (const binding of store.list(`${RBAC}/clusterrolebindings`)) {
    const subjects = Array.isArray(binding["subjects"]) ? binding["subjects"].filter(isObject) : [];
    const subject = subjects.find((s) => subjectMatches(s, user, ""));
    if (!subject) continue;
    const ref = isObject(binding["roleRef"]) ? binding["roleRef"] : {};
    out.push({
      rules: roleRules("ClusterRole", str(ref["name"]), undefined),
      describe: `ClusterRoleBinding "${str((binding["metadata"] as JsonObject)["name"])}" of ClusterRole "${str(ref["name"])}" to ${str(subject["kind"])} "${str(subject["name"])}"`,
    });
  }
  if (namespace) {
    for (const binding of store.list(`${RBAC}/rolebindings`, namespace)) {
      const subjects = Array.isArray(binding["subjects"]) ? binding["subjects"].filter(isObject) : [];
      const subject = subjects.find((s) => subjectMatches(s, user, namespace));
      if (!subject) continue;
      const ref = isObject(binding["roleRef"]) ? binding["roleRef"] : {};
      out.push({
        rules: roleRules(str(ref["kind"]), str(ref["name"]), namespace),
        describe: `RoleBinding "${str((binding["metadata"] as JsonObject)["name"])}/${namespace}" of ${str(ref["kind"])} "${str(ref["name"])}" to ${str(subject["kind"])} "${str(subject["name"])}"`,
      });
    }
  }
  return out;
}

export function authorize(store: ObjectStore, attrs: RequestAttributes): Decision {
  if (attrs.user.groups.includes("system:masters")) return { allowed: true, reason: "" };
  for (const bound of rulesFor(store, attrs.user, attrs.resourceRequest ? attrs.namespace : undefined)) {
    if (bound.rules.some((r) => ruleAllows(r, attrs))) return { allowed: true, reason: `RBAC: allowed by ${bound.describe}` };
  }
  return { allowed: false, reason: "" };
}

export function forbiddenError(attrs: RequestAttributes): ApiError {
  const who = `User "${attrs.user.username}"`;
  if (!attrs.resourceRequest) {
    return forbidden(`forbidden: ${who} cannot ${attrs.verb} path "${attrs.path ?? ""}"`);
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : (attrs.resource ?? "");
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : "at the cluster scope";
  const subject = attrs.name ? `${qualifiedResource(attrs.apiGroup ?? "", attrs.resource ?? "")} "${attrs.name}"` : qualifiedResource(attrs.apiGroup ?? "", attrs.resource ?? "");
  const details: Record<string, string> = { kind: attrs.resource ?? "" };
  if (attrs.name) details["name"] = attrs.name;
  if (attrs.apiGroup) details["group"] = attrs.apiGroup;
  return forbidden(`${subject} is forbidden: ${who} cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup ?? ""}" ${scope}`, details);
}
