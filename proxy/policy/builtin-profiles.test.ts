import { test } from "node:test";
import assert from "node:assert/strict";
import { PolicyEngine } from "./policy-engine.js";
import { policyRequest } from "./test-helpers.js";
import type { Action } from "./policy-types.js";

const engine = PolicyEngine.builtin();

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } };
const privilegedPod = { ...pod, spec: { containers: [{ name: "c", image: "nginx", securityContext: { privileged: true } }] } };
const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: { replicas: 1, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
};
const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "dg==" } };
const viewBinding = { kind: "RoleBinding", metadata: { name: "b" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [] };
const readerRole = { kind: "Role", metadata: { name: "r" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] };
const webhook = { kind: "ValidatingWebhookConfiguration", metadata: { name: "w" }, webhooks: [] };

type Row = [label: string, method: string, url: string, body: unknown, readOnly: Action, guarded: Action, strict: Action];

const ns = "/api/v1/namespaces/dev";
const rows: Row[] = [
  // pods
  ["get a pod", "GET", `${ns}/pods/web`, undefined, "allow", "allow", "ask"],
  ["list pods", "GET", `${ns}/pods`, undefined, "allow", "allow", "ask"],
  ["watch pods", "GET", `${ns}/pods?watch=true`, undefined, "allow", "allow", "ask"],
  ["read pod logs", "GET", `${ns}/pods/web/log?follow=true`, undefined, "allow", "allow", "ask"],
  ["create a pod", "POST", `${ns}/pods`, pod, "deny", "allow", "ask"],
  ["update a pod", "PUT", `${ns}/pods/web`, pod, "deny", "allow", "ask"],
  ["patch a pod's labels", "PATCH", `${ns}/pods/web`, { metadata: { labels: { a: "b" } } }, "deny", "allow", "ask"],
  ["delete a pod", "DELETE", `${ns}/pods/web`, undefined, "deny", "ask", "ask"],
  ["deletecollection pods", "DELETE", `${ns}/pods`, undefined, "deny", "ask", "ask"],
  ["exec into a pod (SPDY)", "POST", `${ns}/pods/web/exec?command=sh&stdin=true&tty=true`, undefined, "deny", "ask", "ask"],
  ["exec into a pod (WebSocket)", "GET", `${ns}/pods/web/exec?command=ls`, undefined, "deny", "ask", "ask"],
  ["attach to a pod", "POST", `${ns}/pods/web/attach?stdin=true`, undefined, "deny", "ask", "ask"],
  ["port-forward to a pod", "POST", `${ns}/pods/web/portforward?ports=8080`, undefined, "deny", "ask", "ask"],
  ["proxy to a pod", "GET", `${ns}/pods/web/proxy/healthz`, undefined, "deny", "ask", "ask"],
  ["evict a pod", "POST", `${ns}/pods/web/eviction`, { kind: "Eviction" }, "deny", "ask", "ask"],
  ["create a privileged pod (guardrail)", "POST", `${ns}/pods`, privilegedPod, "deny", "ask", "ask"],
  // services and nodes
  ["get a service", "GET", `${ns}/services/web`, undefined, "allow", "allow", "ask"],
  ["proxy to a service", "GET", `${ns}/services/web/proxy/metrics`, undefined, "deny", "ask", "ask"],
  ["proxy to a service (deprecated path form)", "GET", "/api/v1/proxy/namespaces/dev/services/web", undefined, "deny", "ask", "ask"],
  ["delete a service", "DELETE", `${ns}/services/web`, undefined, "deny", "ask", "ask"],
  ["list nodes", "GET", "/api/v1/nodes", undefined, "allow", "allow", "ask"],
  ["cordon a node", "PATCH", "/api/v1/nodes/n1", { spec: { unschedulable: true } }, "deny", "allow", "ask"],
  ["proxy to a node", "GET", "/api/v1/nodes/n1/proxy/stats/summary", undefined, "deny", "ask", "ask"],
  ["delete a node", "DELETE", "/api/v1/nodes/n1", undefined, "deny", "ask", "ask"],
  // workloads
  ["create a deployment", "POST", "/apis/apps/v1/namespaces/dev/deployments", deployment, "deny", "allow", "ask"],
  ["scale a deployment", "PATCH", "/apis/apps/v1/namespaces/dev/deployments/web/scale", { spec: { replicas: 3 } }, "deny", "allow", "ask"],
  ["delete a deployment", "DELETE", "/apis/apps/v1/namespaces/dev/deployments/web", undefined, "deny", "ask", "ask"],
  ["create a configmap", "POST", `${ns}/configmaps`, { kind: "ConfigMap", metadata: { name: "c" }, data: { privileged: "true" } }, "deny", "allow", "ask"],
  // namespaces
  ["create a namespace", "POST", "/api/v1/namespaces", { kind: "Namespace", metadata: { name: "x" } }, "deny", "allow", "ask"],
  ["delete a namespace", "DELETE", "/api/v1/namespaces/dev", undefined, "deny", "ask", "ask"],
  // credentials
  ["request a ServiceAccount token", "POST", `${ns}/serviceaccounts/default/token`, { kind: "TokenRequest", spec: {} }, "deny", "ask", "ask"],
  ["create a ServiceAccount", "POST", `${ns}/serviceaccounts`, { kind: "ServiceAccount", metadata: { name: "sa" } }, "deny", "allow", "ask"],
  ["approve a CSR", "PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval", { kind: "CertificateSigningRequest" }, "deny", "ask", "ask"],
  // Secrets
  ["get a Secret", "GET", `${ns}/secrets/s`, undefined, "allow", "allow", "ask"],
  ["list Secrets", "GET", `${ns}/secrets`, undefined, "allow", "allow", "ask"],
  ["create a Secret", "POST", `${ns}/secrets`, secret, "deny", "ask", "ask"],
  ["replace a Secret", "PUT", `${ns}/secrets/s`, secret, "deny", "ask", "ask"],
  ["patch a Secret", "PATCH", `${ns}/secrets/s`, { data: { k: "dw==" } }, "deny", "ask", "ask"],
  ["delete a Secret", "DELETE", `${ns}/secrets/s`, undefined, "deny", "ask", "ask"],
  // RBAC
  ["list roles", "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", undefined, "allow", "allow", "ask"],
  ["bind view (RBAC write)", "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", viewBinding, "deny", "ask", "ask"],
  ["create a read-only role (RBAC write)", "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", readerRole, "deny", "ask", "ask"],
  ["delete a clusterrole", "DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/x", undefined, "deny", "ask", "ask"],
  // webhooks and API interception
  ["list validating webhooks", "GET", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", undefined, "allow", "allow", "ask"],
  ["create a validating webhook", "POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", webhook, "deny", "ask", "ask"],
  ["patch a mutating webhook", "PATCH", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/w", { webhooks: [] }, "deny", "ask", "ask"],
  ["create an APIService", "POST", "/apis/apiregistration.k8s.io/v1/apiservices", { kind: "APIService" }, "deny", "ask", "ask"],
  // custom resources
  ["create a custom resource", "POST", "/apis/example.com/v1/namespaces/dev/widgets", { kind: "Widget", spec: { size: 3 } }, "deny", "allow", "ask"],
  // kubectl auth can-i / whoami
  ["kubectl auth can-i", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { kind: "SelfSubjectAccessReview" }, "allow", "allow", "ask"],
  ["kubectl auth whoami", "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", { kind: "SelfSubjectReview" }, "allow", "allow", "ask"],
  ["a SubjectAccessReview about someone else", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", { kind: "SubjectAccessReview" }, "deny", "allow", "ask"],
  // discovery and other non-resource paths
  ["discovery /api", "GET", "/api", undefined, "allow", "allow", "allow"],
  ["discovery /api/v1", "GET", "/api/v1", undefined, "allow", "allow", "allow"],
  ["discovery /apis", "GET", "/apis", undefined, "allow", "allow", "allow"],
  ["discovery /apis/apps/v1", "GET", "/apis/apps/v1", undefined, "allow", "allow", "allow"],
  ["/version", "GET", "/version", undefined, "allow", "allow", "allow"],
  ["OpenAPI v2", "GET", "/openapi/v2", undefined, "allow", "allow", "allow"],
  ["OpenAPI v3", "GET", "/openapi/v3/apis/apps/v1", undefined, "allow", "allow", "allow"],
  ["/healthz (not discovery)", "GET", "/healthz", undefined, "allow", "allow", "ask"],
  ["/metrics (not discovery)", "GET", "/metrics", undefined, "allow", "allow", "ask"],
  ["unknown non-resource path", "GET", "/foo/bar", undefined, "deny", "deny", "deny"],
  ["a write to a discovery path", "POST", "/version", {}, "deny", "deny", "deny"],
];

const profiles = ["read-only", "guarded", "strict"] as const;

for (const [label, method, url, body, ...expected] of rows) {
  test(`built-in profiles: ${label} → read-only ${expected[0]}, guarded ${expected[1]}, strict ${expected[2]}`, () => {
    profiles.forEach((profile, i) => {
      const decision = engine.evaluate(policyRequest(method, url, { profile, body }));
      assert.equal(decision.action, expected[i], `${profile}: ${JSON.stringify(decision)}`);
      if (decision.action === "allow") assert.equal(decision.message, null);
      else assert.ok(decision.message && decision.message.length > 0, `${profile}: a ${decision.action} explains itself`);
      if (decision.action === "deny") assert.match(decision.message ?? "", /^chaperone: /);
    });
  });
}

test("read-only denies writes by its default, with a message naming the profile", () => {
  const decision = engine.evaluate(policyRequest("DELETE", `${ns}/pods/web`, { profile: "read-only" }));
  assert.deepEqual(decision.rule, { profile: "read-only", name: "default", source: "default" });
  assert.match(decision.message ?? "", /delete pods "web" in namespace "dev" is denied: the read-only profile allows only reads/);
});

test("guarded names the rule that allowed a request", () => {
  assert.deepEqual(engine.evaluate(policyRequest("GET", `${ns}/pods`)).rule, { profile: "guarded", name: "reads", source: "builtin" });
  assert.deepEqual(engine.evaluate(policyRequest("POST", `${ns}/pods`, { body: pod })).rule, { profile: "guarded", name: "writes", source: "builtin" });
});

test("a guardrail decides in every built-in profile: ask in guarded and strict, deny in read-only", () => {
  for (const [profile, action] of [["guarded", "ask"], ["strict", "ask"], ["read-only", "deny"]] as const) {
    const decision = engine.evaluate(policyRequest("POST", `${ns}/pods`, { profile, body: privilegedPod }));
    assert.equal(decision.action, action, profile);
    assert.deepEqual(decision.rule, { profile, name: "privileged-workload", source: "guardrail" });
    assert.match(decision.message ?? "", /privileged/);
  }
});

test("an unknown non-resource path fails closed in every profile", () => {
  for (const profile of profiles) {
    const decision = engine.evaluate(policyRequest("GET", "/foo", { profile }));
    assert.equal(decision.action, "deny");
    assert.equal(decision.rule.name, "unclassifiable");
  }
});

test("an agent whose profile does not exist is denied", () => {
  const decision = engine.evaluate(policyRequest("GET", `${ns}/pods`, { profile: "nope" }));
  assert.equal(decision.action, "deny");
  assert.equal(decision.rule.name, "unknown-profile");
  assert.match(decision.message ?? "", /profile "nope"/);
});

test("explain agrees with evaluate on every row of the table", () => {
  for (const [, method, url, body] of rows) {
    for (const profile of profiles) {
      const request = policyRequest(method, url, { profile, body });
      assert.deepEqual(engine.explain(request).decision, engine.evaluate(request));
    }
  }
});
