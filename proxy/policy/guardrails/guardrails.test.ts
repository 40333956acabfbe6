import { test } from "node:test";
import assert from "node:assert/strict";
import { PolicyEngine } from "../policy-engine.js";
import { policyRequest } from "../test-helpers.js";
import { GUARDRAILS, GUARDRAIL_NAMES } from "./index.js";

const engine = PolicyEngine.builtin();

/** The guardrails a request trips, by name. */
function tripped(method: string, url: string, body?: unknown, contentType?: string): string[] {
  const options = contentType === undefined ? { body } : { body, contentType };
  return engine.explain(policyRequest(method, url, options)).guardrails.map((g) => g.name);
}

const PODS = "/api/v1/namespaces/dev/pods";
const DEPLOYMENTS = "/apis/apps/v1/namespaces/dev/deployments";
const JSON_PATCH = "application/json-patch+json";
const MERGE_PATCH = "application/merge-patch+json";
const APPLY_PATCH = "application/apply-patch+yaml";

function podWith(spec: Record<string, unknown>, container: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "busybox", ...container }], ...spec } };
}
function template(podSpec: Record<string, unknown>) {
  return { template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "busybox" }], ...podSpec } } };
}

test("the guardrail list and its names agree", () => {
  assert.deepEqual(GUARDRAILS.map((g) => g.name), [...GUARDRAIL_NAMES]);
});

// --- privileged-workload

const privilegedTrips: [string, string, string, unknown, string?][] = [
  ["a privileged container", "POST", PODS, podWith({}, { securityContext: { privileged: true } })],
  ["a privileged init container", "POST", PODS, podWith({ initContainers: [{ name: "i", securityContext: { privileged: true } }] })],
  ["a hostPath volume", "POST", PODS, podWith({ volumes: [{ name: "root", hostPath: { path: "/" } }] })],
  ["hostNetwork", "POST", PODS, podWith({ hostNetwork: true })],
  ["hostPID", "POST", PODS, podWith({ hostPID: true })],
  ["hostIPC", "POST", PODS, podWith({ hostIPC: true })],
  ["added capabilities", "POST", PODS, podWith({}, { securityContext: { capabilities: { add: ["NET_ADMIN"] } } })],
  ["a Windows HostProcess container", "POST", PODS, podWith({}, { securityContext: { windowsOptions: { hostProcess: true } } })],
  ["a field name in another case", "POST", PODS, podWith({}, { securityContext: { Privileged: true } })],
  ["a pod replaced with a privileged one", "PUT", `${PODS}/p`, podWith({}, { securityContext: { privileged: true } })],
  ["a privileged ephemeral container (kubectl debug)", "PATCH", `${PODS}/p/ephemeralcontainers`, { spec: { ephemeralContainers: [{ name: "d", securityContext: { privileged: true } }] } }],
  ["a Deployment template", "POST", DEPLOYMENTS, { kind: "Deployment", spec: template({ hostNetwork: true }) }],
  ["a StatefulSet template", "POST", "/apis/apps/v1/namespaces/dev/statefulsets", { kind: "StatefulSet", spec: template({ hostPID: true }) }],
  ["a DaemonSet template", "POST", "/apis/apps/v1/namespaces/dev/daemonsets", { kind: "DaemonSet", spec: template({ volumes: [{ name: "v", hostPath: { path: "/var" } }] }) }],
  ["a ReplicaSet template", "POST", "/apis/apps/v1/namespaces/dev/replicasets", { kind: "ReplicaSet", spec: template({ hostIPC: true }) }],
  ["a Job template", "POST", "/apis/batch/v1/namespaces/dev/jobs", { kind: "Job", spec: template({ hostNetwork: true }) }],
  ["a CronJob's job template", "POST", "/apis/batch/v1/namespaces/dev/cronjobs", { kind: "CronJob", spec: { jobTemplate: { spec: template({ volumes: [{ name: "v", hostPath: { path: "/" } }] }) } } }],
  ["a ReplicationController template", "POST", "/api/v1/namespaces/dev/replicationcontrollers", { kind: "ReplicationController", spec: template({ hostNetwork: true }) }],
  ["a custom resource embedding a pod template", "POST", "/apis/argoproj.io/v1alpha1/namespaces/dev/rollouts", { kind: "Rollout", spec: template({ hostNetwork: true }) }],
  ["a strategic merge patch adding privileged", "PATCH", `${DEPLOYMENTS}/web`, { spec: { template: { spec: { containers: [{ name: "c", securityContext: { privileged: true } }] } } } }],
  ["a merge patch adding a hostPath volume", "PATCH", `${DEPLOYMENTS}/web`, { spec: { template: { spec: { volumes: [{ name: "v", hostPath: { path: "/" } }] } } } }, MERGE_PATCH],
  ["a JSON patch setting privileged", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "add", path: "/spec/template/spec/containers/0/securityContext/privileged", value: true }], JSON_PATCH],
  ["a JSON patch adding a securityContext", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "replace", path: "/spec/template/spec/containers/0/securityContext", value: { privileged: true } }], JSON_PATCH],
  ["a JSON patch appending a hostPath volume", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "add", path: "/spec/template/spec/volumes/-", value: { name: "v", hostPath: { path: "/" } } }], JSON_PATCH],
  ["a JSON patch appending a capability", "PATCH", `${PODS}/p/ephemeralcontainers`, [{ op: "add", path: "/spec/ephemeralContainers/0/securityContext/capabilities/add/-", value: "SYS_ADMIN" }], JSON_PATCH],
  ["a JSON patch copying content it does not show", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "copy", from: "/spec/template/spec/containers/0", path: "/spec/template/spec/containers/1" }], JSON_PATCH],
  ["a server-side apply setting hostNetwork", "PATCH", `${DEPLOYMENTS}/web?fieldManager=kubectl`, { apiVersion: "apps/v1", kind: "Deployment", spec: template({ hostNetwork: true }) }, APPLY_PATCH],
  ["a pod created without a readable body", "POST", PODS, undefined],
  ["a pod created with a body that is not an object", "POST", PODS, "privileged"],
];

for (const [label, method, url, body, contentType] of privilegedTrips) {
  test(`privileged-workload trips on ${label}`, () => {
    assert.deepEqual(tripped(method, url, body, contentType), ["privileged-workload"]);
  });
}

const privilegedNearMisses: [string, string, string, unknown, string?][] = [
  ["a container with privileged: false", "POST", PODS, podWith({}, { securityContext: { privileged: false, runAsNonRoot: true } })],
  ["an emptyDir volume", "POST", PODS, podWith({ volumes: [{ name: "v", emptyDir: {} }] })],
  ["hostNetwork: false", "POST", PODS, podWith({ hostNetwork: false, hostPID: false, hostIPC: false })],
  ["capabilities that are only dropped", "POST", PODS, podWith({}, { securityContext: { capabilities: { drop: ["ALL"], add: [] } } })],
  ["labels, annotations and selectors named like pod fields", "POST", DEPLOYMENTS, { metadata: { labels: { privileged: "true" }, annotations: { hostPath: "/" } }, spec: { selector: { matchLabels: { hostNetwork: "true" } }, ...template({ nodeSelector: { privileged: "true" } }) } }],
  ["a merge patch changing replicas", "PATCH", `${DEPLOYMENTS}/web`, { spec: { replicas: 3 } }, MERGE_PATCH],
  ["a merge patch removing hostNetwork (null)", "PATCH", `${DEPLOYMENTS}/web`, { spec: { template: { spec: { hostNetwork: null } } } }, MERGE_PATCH],
  ["a JSON patch removing hostNetwork", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "remove", path: "/spec/template/spec/hostNetwork" }], JSON_PATCH],
  ["a JSON patch turning privileged off", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "replace", path: "/spec/template/spec/containers/0/securityContext/privileged", value: false }], JSON_PATCH],
  ["a JSON patch setting an image", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:2" }], JSON_PATCH],
  ["a JSON patch copying one label to another", "PATCH", `${DEPLOYMENTS}/web`, [{ op: "copy", from: "/metadata/labels/a", path: "/metadata/labels/b" }], JSON_PATCH],
  ["a scale subresource patch", "PATCH", `${DEPLOYMENTS}/web/scale`, { spec: { replicas: 30 } }],
  ["a ConfigMap whose data mentions privileged", "POST", "/api/v1/namespaces/dev/configmaps", { data: { privileged: "true", hostPath: "/" } }],
  ["a Service", "POST", "/api/v1/namespaces/dev/services", { spec: { ports: [{ port: 80 }] } }],
];

for (const [label, method, url, body, contentType] of privilegedNearMisses) {
  test(`privileged-workload does not trip on ${label}`, () => {
    assert.deepEqual(tripped(method, url, body, contentType), []);
  });
}

// --- rbac-binding

const ROLEBINDINGS = "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings";
const CLUSTERROLEBINDINGS = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings";
function binding(kind: string, name: string) {
  return { kind: "RoleBinding", metadata: { name: "b" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name }, subjects: [{ kind: "User", name: "x" }] };
}

const bindingTrips: [string, string, string, unknown, string?][] = [
  ["a RoleBinding to admin", "POST", ROLEBINDINGS, binding("ClusterRole", "admin")],
  ["a RoleBinding to edit", "POST", ROLEBINDINGS, binding("ClusterRole", "edit")],
  ["a ClusterRoleBinding to cluster-admin", "POST", CLUSTERROLEBINDINGS, binding("ClusterRole", "cluster-admin")],
  ["a binding to a custom ClusterRole (its rules are not in the request)", "POST", ROLEBINDINGS, binding("ClusterRole", "deployer")],
  ["a binding to a namespaced Role named view", "POST", ROLEBINDINGS, binding("Role", "view")],
  ["a binding replaced with one to admin", "PUT", `${ROLEBINDINGS}/b`, binding("ClusterRole", "admin")],
  ["a patch adding subjects without naming the role", "PATCH", `${ROLEBINDINGS}/b`, { subjects: [{ kind: "User", name: "me" }] }],
  ["a JSON patch appending a subject", "PATCH", `${CLUSTERROLEBINDINGS}/admins`, [{ op: "add", path: "/subjects/-", value: { kind: "User", name: "me" } }], JSON_PATCH],
  ["a binding without a readable body", "POST", ROLEBINDINGS, undefined],
];
for (const [label, method, url, body, contentType] of bindingTrips) {
  test(`rbac-binding trips on ${label}`, () => {
    assert.deepEqual(tripped(method, url, body, contentType), ["rbac-binding"]);
  });
}

const bindingNearMisses: [string, string, string, unknown, string?][] = [
  ["a RoleBinding to the view ClusterRole", "POST", ROLEBINDINGS, binding("ClusterRole", "view")],
  ["a patch of a binding's labels", "PATCH", `${ROLEBINDINGS}/b`, { metadata: { labels: { team: "a" } } }, MERGE_PATCH],
  ["a JSON patch of a binding's annotations", "PATCH", `${ROLEBINDINGS}/b`, [{ op: "add", path: "/metadata/annotations/x", value: "y" }], JSON_PATCH],
  ["a patch adding subjects to a view binding", "PATCH", `${ROLEBINDINGS}/b`, { roleRef: { kind: "ClusterRole", name: "view" }, subjects: [] }, MERGE_PATCH],
];
for (const [label, method, url, body, contentType] of bindingNearMisses) {
  test(`rbac-binding does not trip on ${label}`, () => {
    assert.deepEqual(tripped(method, url, body, contentType), []);
  });
}

test("rbac-binding names the powerful role in its reason", () => {
  const [hit] = engine.explain(policyRequest("POST", CLUSTERROLEBINDINGS, { body: binding("ClusterRole", "cluster-admin") })).guardrails;
  assert.match(hit?.reason ?? "", /binds the ClusterRole "cluster-admin"/);
});

// --- rbac-role

const ROLES = "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles";
const CLUSTERROLES = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
function role(rule: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { kind: "Role", metadata: { name: "r" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"], ...rule }], ...extra };
}

const roleTrips: [string, string, string, unknown, string?][] = [
  ['verbs ["*"]', "POST", ROLES, role({ verbs: ["*"] })],
  ['resources ["*"]', "POST", ROLES, role({ resources: ["*"] })],
  ["a wildcard subresource (pods/*)", "POST", ROLES, role({ resources: ["pods/*"] })],
  ["the escalate verb", "POST", CLUSTERROLES, role({ resources: ["clusterroles"], verbs: ["escalate"] })],
  ["the bind verb", "POST", CLUSTERROLES, role({ resources: ["clusterroles"], verbs: ["bind"] })],
  ["the impersonate verb", "POST", CLUSTERROLES, role({ resources: ["users"], verbs: ["impersonate"] })],
  ["an aggregationRule", "POST", CLUSTERROLES, { kind: "ClusterRole", aggregationRule: { clusterRoleSelectors: [] } }],
  ["an aggregate-to-view label", "POST", CLUSTERROLES, role({ resources: ["secrets"] }, { metadata: { name: "r", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } } })],
  ["a merge patch adding a wildcard rule", "PATCH", `${ROLES}/r`, { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }, MERGE_PATCH],
  ["a JSON patch appending the * verb", "PATCH", `${ROLES}/r`, [{ op: "add", path: "/rules/0/verbs/-", value: "*" }], JSON_PATCH],
  ["a JSON patch adding an aggregate-to-admin label", "PATCH", `${CLUSTERROLES}/r`, [{ op: "add", path: "/metadata/labels/rbac.authorization.k8s.io~1aggregate-to-admin", value: "true" }], JSON_PATCH],
];
for (const [label, method, url, body, contentType] of roleTrips) {
  test(`rbac-role trips on ${label}`, () => {
    assert.deepEqual(tripped(method, url, body, contentType), ["rbac-role"]);
  });
}

const roleNearMisses: [string, string, string, unknown, string?][] = [
  ["a role reading pods", "POST", ROLES, role({ verbs: ["get", "list", "watch"] })],
  ['resourceNames ["*"] (not a wildcard in RBAC)', "POST", ROLES, role({ resourceNames: ["*"] })],
  ["a patch of a role's team label", "PATCH", `${ROLES}/r`, { metadata: { labels: { team: "a" } } }, MERGE_PATCH],
  ["an annotation mentioning *", "PATCH", `${ROLES}/r`, { metadata: { annotations: { verbs: "*" } } }, MERGE_PATCH],
];
for (const [label, method, url, body, contentType] of roleNearMisses) {
  test(`rbac-role does not trip on ${label}`, () => {
    assert.deepEqual(tripped(method, url, body, contentType), []);
  });
}

// --- namespace-delete, delete-collection, secret-write, token-request

test("namespace-delete trips on deleting a namespace, not on deleting something in it", () => {
  assert.deepEqual(tripped("DELETE", "/api/v1/namespaces/dev"), ["namespace-delete"]);
  assert.deepEqual(tripped("DELETE", "/api/v1/namespaces/dev/pods/web"), []);
  assert.deepEqual(tripped("GET", "/api/v1/namespaces/dev"), []);
});

test("delete-collection trips on a deletecollection, not on deleting one object", () => {
  assert.deepEqual(tripped("DELETE", "/api/v1/namespaces/dev/pods?labelSelector=app%3Dweb"), ["delete-collection"]);
  assert.deepEqual(tripped("DELETE", "/apis/apps/v1/deployments"), ["delete-collection"]);
  assert.deepEqual(tripped("DELETE", "/api/v1/namespaces/dev/pods/web"), []);
});

test("deleting every namespace trips both namespace-delete and delete-collection", () => {
  assert.deepEqual(tripped("DELETE", "/api/v1/namespaces"), ["namespace-delete", "delete-collection"]);
});

test("secret-write trips on creating, replacing or patching a Secret, not on reading one or writing a ConfigMap", () => {
  const secret = { kind: "Secret", metadata: { name: "s" }, stringData: { a: "b" } };
  assert.deepEqual(tripped("POST", "/api/v1/namespaces/dev/secrets", secret), ["secret-write"]);
  assert.deepEqual(tripped("PUT", "/api/v1/namespaces/dev/secrets/s", secret), ["secret-write"]);
  assert.deepEqual(tripped("PATCH", "/api/v1/namespaces/dev/secrets/s", { data: {} }), ["secret-write"]);
  assert.deepEqual(tripped("GET", "/api/v1/namespaces/dev/secrets/s"), []);
  assert.deepEqual(tripped("POST", "/api/v1/namespaces/dev/configmaps", { kind: "ConfigMap", data: {} }), []);
});

test("token-request trips on a ServiceAccount token request, not on creating or reading a ServiceAccount", () => {
  assert.deepEqual(tripped("POST", "/api/v1/namespaces/dev/serviceaccounts/default/token", { kind: "TokenRequest" }), ["token-request"]);
  assert.deepEqual(tripped("POST", "/api/v1/namespaces/dev/serviceaccounts", { kind: "ServiceAccount" }), []);
  assert.deepEqual(tripped("GET", "/api/v1/namespaces/dev/serviceaccounts/default"), []);
});

test("reads never run a guardrail", () => {
  assert.deepEqual(tripped("GET", "/api/v1/namespaces/dev/pods"), []);
  assert.deepEqual(tripped("GET", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"), []);
});
