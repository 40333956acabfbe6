// The resource types the stand-in cluster serves. One table drives discovery (legacy and aggregated),
// OpenAPI, routing, RBAC attributes and printing, so they cannot disagree with each other.

export interface SubresourceType {
  name: string;
  kind: string;
  /** Group/version of the subresource's own kind when it differs from the parent (e.g. TokenRequest). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the path segment. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceType[];
  /** Create-only review resources: never stored, answered by a handler. */
  virtual?: boolean;
}

const CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const STATUS_VERBS = ["get", "patch", "update"];

function type(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<Omit<ResourceType, "group" | "version" | "resource" | "kind" | "namespaced">> = {},
): ResourceType {
  return {
    group,
    version,
    resource,
    kind,
    namespaced,
    singular: extra.singular ?? kind.toLowerCase(),
    listKind: extra.listKind ?? `${kind}List`,
    shortNames: extra.shortNames ?? [],
    categories: extra.categories ?? [],
    verbs: extra.verbs ?? CRUD,
    subresources: extra.subresources ?? [],
    ...(extra.virtual ? { virtual: true } : {}),
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  type("", "v1", "namespaces", "Namespace", false, {
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    subresources: [
      { name: "finalize", kind: "Namespace", verbs: ["update"] },
      { name: "status", kind: "Namespace", verbs: STATUS_VERBS },
    ],
  }),
  type("", "v1", "nodes", "Node", false, {
    shortNames: ["no"],
    subresources: [{ name: "status", kind: "Node", verbs: STATUS_VERBS }],
  }),
  type("", "v1", "pods", "Pod", true, {
    shortNames: ["po"],
    categories: ["all"],
    subresources: [
      { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
      { name: "binding", kind: "Binding", verbs: ["create"] },
      { name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] },
      { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
      { name: "log", kind: "Pod", verbs: ["get"] },
      { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
      { name: "proxy", kind: "PodProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
      { name: "status", kind: "Pod", verbs: STATUS_VERBS },
    ],
  }),
  type("", "v1", "services", "Service", true, {
    shortNames: ["svc"],
    categories: ["all"],
    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    subresources: [{ name: "status", kind: "Service", verbs: STATUS_VERBS }],
  }),
  type("", "v1", "secrets", "Secret", true),
  type("", "v1", "configmaps", "ConfigMap", true, { shortNames: ["cm"] }),
  type("", "v1", "serviceaccounts", "ServiceAccount", true, {
    shortNames: ["sa"],
    subresources: [{ name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }],
  }),
  type("", "v1", "events", "Event", true, { shortNames: ["ev"] }),
  type("apps", "v1", "deployments", "Deployment", true, {
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: [
      { name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: STATUS_VERBS },
      { name: "status", kind: "Deployment", verbs: STATUS_VERBS },
    ],
  }),
  type("apps", "v1", "replicasets", "ReplicaSet", true, {
    shortNames: ["rs"],
    categories: ["all"],
    subresources: [
      { name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: STATUS_VERBS },
      { name: "status", kind: "ReplicaSet", verbs: STATUS_VERBS },
    ],
  }),
  type("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
  type("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
  type("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
  type("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
  type("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, { verbs: ["create"], virtual: true }),
  type("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false, { verbs: ["create"], virtual: true }),
  type("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false, { verbs: ["create"], virtual: true }),
  // kubectl 1.27 `auth whoami` asks v1beta1 first (v1 arrived in 1.28); serve both like a 1.28+ server does.
  type("authentication.k8s.io", "v1beta1", "selfsubjectreviews", "SelfSubjectReview", false, { verbs: ["create"], virtual: true }),
];

export interface GroupInfo {
  name: string;
  versions: string[];
  preferredVersion: string;
}

/** API groups (excluding core) in the order the real server lists them. */
export function apiGroups(): GroupInfo[] {
  const groups = new Map<string, string[]>();
  for (const t of RESOURCE_TYPES) {
    if (t.group === "") continue;
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return [...groups.entries()].map(([name, versions]) => ({ name, versions, preferredVersion: versions[0] ?? "v1" }));
}

export function resourcesIn(group: string, version: string): ResourceType[] {
  return RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
}

export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.kind === kind && !t.virtual);
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Storage identity: one bucket per group+resource, whatever version it is served at. */
export function storageKey(t: { group: string; resource: string }): string {
  return `${t.group}/${t.resource}`;
}

/** `Deployment.apps`, `Pod`: how the server names a kind in Invalid messages. */
export function qualifiedKind(t: ResourceType): string {
  return t.group ? `${t.kind}.${t.group}` : t.kind;
}

/**
 * Resolve the loose references tests use: "pods", "po", "Pod", "deployments.apps", "apps/v1/deployments",
 * or { group, resource }.
 */
export function resolveResource(ref: string | { group?: string; resource: string }): ResourceType {
  const stored = RESOURCE_TYPES.filter((t) => !t.virtual);
  if (typeof ref !== "string") {
    const found = stored.find((t) => t.resource === ref.resource && (ref.group === undefined || t.group === ref.group));
    if (!found) throw new Error(`unknown resource ${JSON.stringify(ref)}`);
    return found;
  }
  const slash = ref.split("/");
  if (slash.length === 3 || slash.length === 2) {
    const resource = slash[slash.length - 1] ?? "";
    const group = slash.length === 3 ? (slash[0] ?? "") : "";
    const found = stored.find((t) => t.resource === resource && t.group === group);
    if (found) return found;
  }
  const [head, ...rest] = ref.split(".");
  const group = rest.join(".");
  const lower = (head ?? "").toLowerCase();
  const found = stored.find(
    (t) =>
      (group === "" || t.group === group) &&
      (t.resource === lower || t.singular === lower || t.kind.toLowerCase() === lower || t.shortNames.includes(lower)),
  );
  if (!found) throw new Error(`unknown resource ${ref}`);
  return found;
}
