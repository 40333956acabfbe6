import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyRequest } from "../gateway/request-info.js";
import { CliError } from "../cli/cli-error.js";
import type { ExplainRequest } from "../control/contract.js";
import { classifyDescribed, explainDescribed } from "./explain-described.js";
import { PolicyEngine } from "./policy-engine.js";

const profiles: Record<string, string> = { claude: "guarded", reader: "read-only", dev: "dev" };
const profileOf = (agent: string): string | undefined => profiles[agent];

function explain(request: Omit<ExplainRequest, "agent"> & { agent?: string }, engine = PolicyEngine.builtin()) {
  return explainDescribed(engine, profileOf, { agent: "claude", ...request });
}

test("a described request is classified exactly like the request kubectl sends for it", () => {
  const cases: [ExplainRequest, string, string][] = [
    [{ agent: "claude", verb: "delete", resource: "namespaces", name: "kube-public" }, "DELETE", "/api/v1/namespaces/kube-public"],
    [{ agent: "claude", verb: "exec", resource: "pods/exec", name: "nginx", namespace: "dev" }, "POST", "/api/v1/namespaces/dev/pods/nginx/exec?command=echo&command=hi&stdout=true"],
    [{ agent: "claude", verb: "patch", resource: "deployments.apps/scale", name: "web", namespace: "dev" }, "PATCH", "/apis/apps/v1/namespaces/dev/deployments/web/scale"],
    [{ agent: "claude", verb: "get", resource: "pods", name: "web", namespace: "dev" }, "GET", "/api/v1/namespaces/dev/pods/web"],
    [{ agent: "claude", verb: "list", resource: "pods" }, "GET", "/api/v1/pods"],
    [{ agent: "claude", verb: "watch", resource: "pods", name: "web", namespace: "dev" }, "GET", "/api/v1/namespaces/dev/pods?fieldSelector=metadata.name%3Dweb&watch=true"],
    [{ agent: "claude", verb: "create", resource: "deployments.apps", name: "web", namespace: "dev" }, "POST", "/apis/apps/v1/namespaces/dev/deployments"],
    [{ agent: "claude", verb: "deletecollection", resource: "pods", namespace: "dev" }, "DELETE", "/api/v1/namespaces/dev/pods"],
    [{ agent: "claude", verb: "create", resource: "serviceaccounts/token", name: "default", namespace: "dev" }, "POST", "/api/v1/namespaces/dev/serviceaccounts/default/token"],
    [{ agent: "claude", verb: "delete", resource: "clusterroles.rbac.authorization.k8s.io", name: "admin", namespace: "ignored" }, "DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin"],
    [{ agent: "claude", verb: "update", resource: "namespaces/finalize", name: "old" }, "PUT", "/api/v1/namespaces/old/finalize"],
    [{ agent: "claude", verb: "get", path: "/version" }, "GET", "/version"],
    [{ agent: "claude", verb: "get", resource: "/healthz/etcd" }, "GET", "/healthz/etcd"],
  ];
  for (const [request, method, url] of cases) {
    const kubectl = classifyRequest(method, url);
    assert.notEqual(kubectl.kind, "refused", url);
    assert.deepEqual(classifyDescribed(request).info, kubectl, `${request.verb} ${request.resource ?? request.path}`);
  }
});

test("exec named by verb alone is the pods/exec subresource", () => {
  const info = classifyDescribed({ agent: "claude", verb: "exec", resource: "pods", name: "nginx", namespace: "dev" }).info;
  assert.equal(info.kind, "resource");
  assert.equal(info.verb, "exec");
  assert.equal(info.kind === "resource" ? info.subresource : "", "exec");
});

test("deleting a namespace asks under guarded because of the namespace-delete guardrail", () => {
  const result = explain({ verb: "delete", resource: "namespaces", name: "kube-public" });
  assert.equal(result.action, "ask");
  assert.deepEqual(result.rule, { profile: "guarded", name: "namespace-delete", source: "guardrail" });
  assert.equal(result.summary, 'delete namespaces "kube-public"');
  assert.equal(result.profile, "guarded");
  assert.deepEqual(result.guardrails.map((g) => [g.name, g.action]), [["namespace-delete", "ask"]]);
  assert.match(result.message ?? "", /namespace-delete/);
});

test("reads are allowed by the built-in reads rule and list it as the match", () => {
  const result = explain({ verb: "get", resource: "pods", name: "web", namespace: "dev" });
  assert.equal(result.action, "allow");
  assert.deepEqual(result.rule, { profile: "guarded", name: "reads", source: "builtin" });
  assert.deepEqual(result.matches, [{ rule: { profile: "guarded", name: "reads", source: "builtin" }, action: "allow", location: null }]);
  assert.equal(result.message, null);
});

test("the agent's own profile applies: read-only denies an exec that guarded would ask about", () => {
  assert.equal(explain({ verb: "exec", resource: "pods/exec", name: "nginx", namespace: "dev" }).action, "ask");
  const denied = explain({ agent: "reader", verb: "exec", resource: "pods/exec", name: "nginx", namespace: "dev" });
  assert.equal(denied.action, "deny");
  assert.equal(denied.profile, "read-only");
});

test("a policy file rule that decides is reported with its location in the file", () => {
  const engine = PolicyEngine.fromText(
    [
      "version: 1",
      "profiles:",
      "  dev:",
      "    extends: guarded",
      "    rules:",
      "      - id: no-prod-deletes",
      "        verb: delete",
      "        namespace: prod",
      "        action: deny",
      "        message: never in prod",
      "",
    ].join("\n"),
  );
  const result = explain({ agent: "dev", verb: "delete", resource: "pods", name: "web", namespace: "prod" }, engine);
  assert.equal(result.action, "deny");
  assert.deepEqual(result.rule, { profile: "dev", name: "no-prod-deletes", source: "policy-file" });
  assert.match(result.message ?? "", /never in prod/);
  assert.deepEqual(result.matches, [{ rule: { profile: "dev", name: "no-prod-deletes", source: "policy-file" }, action: "deny", location: "policy.yaml:6:9" }]);
  assert.equal(explain({ agent: "dev", verb: "delete", resource: "pods", name: "web", namespace: "dev" }, engine).action, "ask");
});

test("descriptions that are not a request kubectl sends are refused with what to write instead", () => {
  const cases: [Omit<ExplainRequest, "agent"> & { agent?: string }, RegExp][] = [
    [{ agent: "nobody", verb: "get", resource: "pods" }, /^no agent named "nobody"/],
    [{ verb: "delete", resource: "pods", name: "web" }, /needs a namespace \(-n NAMESPACE\)/],
    [{ verb: "delete", resource: "pods", namespace: "dev" }, /delete needs the NAME/],
    [{ verb: "deletecollection", resource: "pods", name: "x", namespace: "dev" }, /takes no NAME/],
    [{ verb: "get", resource: "deploy", name: "web", namespace: "dev" }, /short name for deployments\.apps/],
    [{ verb: "get", resource: "deployments", name: "web", namespace: "dev" }, /API group apps: write deployments\.apps/],
    [{ verb: "get", resource: "widgets", name: "w" }, /not a resource of the core API group/],
    [{ verb: "exec", resource: "pods/log", name: "web", namespace: "dev" }, /exec is the verb of pods\/exec, not of pods\/log/],
    [{ verb: "get", resource: "pods/log", namespace: "dev" }, /pods\/log needs the NAME/],
    [{ verb: "scale", resource: "deployments.apps" }, /unknown verb "scale"/],
    [{ verb: "post", resource: "pods" }, /post is for non-resource paths/],
    [{ verb: "exec", resource: "/version" }, /non-resource path takes an HTTP verb/],
    [{ verb: "get", resource: "pods", name: "a b", namespace: "dev" }, /gateway would refuse this request before any policy: .*space/],
    [{ verb: "get", resource: "Pods" }, /"Pods" is not a resource/],
    [{ verb: "", resource: "pods" }, /missing VERB/],
  ];
  for (const [request, pattern] of cases) {
    assert.throws(
      () => explain(request),
      (error: unknown) => error instanceof CliError && pattern.test(error.message) && !error.message.includes("\n"),
      `${request.verb} ${request.resource}`,
    );
  }
});
