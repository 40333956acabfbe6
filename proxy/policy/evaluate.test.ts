import { test } from "node:test";
import assert from "node:assert/strict";
import { PolicyEngine, compileGrant } from "./policy-engine.js";
import { policyRequest, type RequestOptions } from "./test-helpers.js";

function engineWith(yaml: string): PolicyEngine {
  return PolicyEngine.fromText(yaml, "/data/policy.yaml");
}

function decide(engine: PolicyEngine, method: string, url: string, options: RequestOptions = {}) {
  return engine.evaluate(policyRequest(method, url, { profile: "p", ...options }));
}

const rule = {
  allow: "{ id: allow-it, resource: pods, action: allow }",
  ask: "{ id: ask-it, resource: pods, action: ask }",
  deny: "{ id: deny-it, resource: pods, action: deny, message: no pods for you }",
};

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

test("deny beats ask beats allow, whatever the order of the rules", () => {
  for (const order of permutations(["allow", "ask", "deny"] as const)) {
    const engine = engineWith(`profiles:\n  p:\n    default: allow\n    rules:\n${order.map((a) => `      - ${rule[a]}`).join("\n")}\n`);
    const decision = decide(engine, "GET", "/api/v1/namespaces/dev/pods");
    assert.equal(decision.action, "deny", order.join(","));
    assert.equal(decision.rule.name, "deny-it");
    assert.equal(decision.message, "chaperone: no pods for you");
  }
  for (const order of permutations(["allow", "ask"] as const)) {
    const engine = engineWith(`profiles:\n  p:\n    rules:\n${order.map((a) => `      - ${rule[a]}`).join("\n")}\n`);
    assert.equal(decide(engine, "GET", "/api/v1/namespaces/dev/pods").action, "ask", order.join(","));
  }
});

test("when nothing matches, the profile's default decides", () => {
  for (const action of ["allow", "deny", "ask"] as const) {
    const engine = engineWith(`profiles:\n  p:\n    default: ${action}\n    rules:\n      - { resource: secrets, action: deny }\n`);
    const decision = decide(engine, "GET", "/api/v1/namespaces/dev/pods");
    assert.equal(decision.action, action);
    assert.deepEqual(decision.rule, { profile: "p", name: "default", source: "default" });
  }
});

test("a profile without extends or default asks", () => {
  assert.equal(decide(engineWith("profiles:\n  p: {}\n"), "GET", "/api/v1/pods").action, "ask");
});

test("globs match names, namespaces and groups: * any run, ? one character, lists any of", () => {
  const engine = engineWith(`
profiles:
  p:
    default: deny
    rules:
      - { id: dev, namespace: "dev-*", action: allow }
      - { id: tmp, name: "*-tmp", action: allow }
      - { id: one, name: "web-?", action: allow }
      - { id: groups, apiGroup: ["apps", "*.example.com"], verb: get, action: allow }
`);
  const cases: [string, string][] = [
    ["/api/v1/namespaces/dev-1/pods/x", "dev"],
    ["/api/v1/namespaces/dev-/pods/x", "dev"],
    ["/api/v1/namespaces/prod/pods/cache-tmp", "tmp"],
    ["/api/v1/namespaces/prod/pods/web-1", "one"],
    ["/apis/apps/v1/namespaces/prod/deployments/x", "groups"],
    ["/apis/widgets.example.com/v1/namespaces/prod/widgets/x", "groups"],
  ];
  for (const [url, name] of cases) assert.deepEqual([url, decide(engine, "GET", url).rule.name], [url, name]);
  for (const url of ["/api/v1/namespaces/dev/pods/x", "/api/v1/namespaces/prod/pods/web-10", "/api/v1/namespaces/prod/pods/tmp-x", "/apis/example.com/v1/namespaces/p/w/x"]) {
    assert.equal(decide(engine, "GET", url).action, "deny", url);
  }
});

test('namespace "*" matches cluster-scoped requests too; namespace "" matches only them', () => {
  const engine = engineWith(`
profiles:
  p:
    default: deny
    rules:
      - { id: any, namespace: "*", verb: list, action: allow }
      - { id: cluster, namespace: "", verb: get, action: allow }
`);
  assert.equal(decide(engine, "GET", "/api/v1/nodes").rule.name, "any");
  assert.equal(decide(engine, "GET", "/api/v1/namespaces/dev/pods").rule.name, "any");
  assert.equal(decide(engine, "GET", "/api/v1/nodes/n1").rule.name, "cluster");
  assert.equal(decide(engine, "GET", "/api/v1/namespaces/dev/pods/x").action, "deny");
});

test("rules match on agent and run; a request outside a run has run \"\"", () => {
  const engine = engineWith(`
profiles:
  p:
    default: deny
    rules:
      - { id: claude, agent: claude, action: allow }
      - { id: in-a-run, run: "?*", action: allow }
`);
  assert.equal(decide(engine, "GET", "/api/v1/pods", { agent: "claude" }).rule.name, "claude");
  assert.equal(decide(engine, "GET", "/api/v1/pods", { agent: "codex" }).action, "deny");
  assert.equal(decide(engine, "GET", "/api/v1/pods", { agent: "codex", run: "r-1" }).rule.name, "in-a-run");
});

test("subresource and verb fields: exec is its own verb, and resource fields never match non-resource paths", () => {
  const engine = engineWith(`
profiles:
  p:
    default: deny
    rules:
      - { id: logs, resource: pods, subresource: log, action: allow }
      - { id: exec, verb: exec, namespace: sandbox, action: allow }
      - { id: version, path: /version, action: allow }
      - { id: pods-only, resource: "*", verb: head, action: allow }
`);
  assert.equal(decide(engine, "GET", "/api/v1/namespaces/a/pods/x/log").rule.name, "logs");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/sandbox/pods/x/exec?command=ls").rule.name, "exec");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/other/pods/x/exec?command=ls").action, "deny");
  assert.equal(decide(engine, "GET", "/version").rule.name, "version");
  assert.equal(decide(engine, "HEAD", "/version").rule.name, "version");
  assert.equal(decide(engine, "HEAD", "/api").action, "deny");
});

test("except: carves requests out of a rule", () => {
  const engine = engineWith(`
profiles:
  p:
    default: ask
    rules:
      - id: writes-outside-prod
        verb: [create, update, patch]
        except: [{ namespace: "prod-*" }, { resource: configmaps, name: locked }]
        action: allow
`);
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/configmaps", { body: {} }).action, "allow");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/prod-eu/configmaps", { body: {} }).action, "ask");
  assert.equal(decide(engine, "PUT", "/api/v1/namespaces/dev/configmaps/locked", { body: {} }).action, "ask");
});

// --- CEL

const celPolicy = `
profiles:
  p:
    extends: guarded
    rules:
      - id: big-scale
        verb: [update, patch]
        resource: deployments
        when: has(object.spec) && has(object.spec.replicas) && object.spec.replicas > 10
        action: ask
        message: scaling above 10 replicas needs a human
      - id: ls-in-dev
        verb: exec
        namespace: dev
        when: exec.command == ["ls"] && !exec.tty
        action: allow
      - id: dry-run-deletes
        verb: delete
        when: request.dryRun && request.resourceAttributes.namespace == "dev"
        action: allow
      - id: broken
        verb: delete
        namespace: broken
        when: object.metadata.name == "x"
        action: allow
      - id: not-boolean
        verb: delete
        namespace: not-boolean
        when: request.agent
        action: allow
`;

test("a CEL condition that is true makes its rule apply; false makes it not match", () => {
  const engine = engineWith(celPolicy);
  const scale = (replicas: number) => decide(engine, "PATCH", "/apis/apps/v1/namespaces/dev/deployments/web", { body: { spec: { replicas } }, contentType: "application/merge-patch+json" });
  assert.deepEqual([scale(20).action, scale(20).rule.name, scale(20).message], ["ask", "big-scale", "scaling above 10 replicas needs a human"]);
  assert.deepEqual([scale(3).action, scale(3).rule.name], ["allow", "writes"]);

  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods/x/exec?command=ls&stdout=true").action, "allow");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods/x/exec?command=ls&tty=true").action, "ask");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods/x/exec?command=rm&command=-rf&command=%2F").action, "ask");

  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces/dev/pods/x?dryRun=All").action, "allow");
  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces/dev/pods/x").action, "ask");
});

test("a CEL condition that fails to evaluate denies, naming the rule and where it is", () => {
  const engine = engineWith(celPolicy);
  // A DELETE has no body: object is null, so object.metadata fails.
  const decision = decide(engine, "DELETE", "/api/v1/namespaces/broken/pods/x");
  assert.equal(decision.action, "deny");
  assert.deepEqual(decision.rule, { profile: "p", name: "broken", source: "policy-file" });
  assert.match(decision.message ?? "", /^chaperone: denied: the when: condition of rule "broken" \(profile "p", policy\.yaml:\d+:\d+\) failed to evaluate/);
});

test("a CEL condition that returns something other than a boolean denies", () => {
  const decision = decide(engineWith(celPolicy), "DELETE", "/api/v1/namespaces/not-boolean/pods/x");
  assert.equal(decision.action, "deny");
  assert.match(decision.message ?? "", /not a boolean/);
});

test("a failing condition denies even when another rule would allow first (order-independent)", () => {
  for (const rules of [
    ["{ id: ok, resource: pods, action: allow }", "{ id: bad, resource: pods, when: object.x == 1, action: allow }"],
    ["{ id: bad, resource: pods, when: object.x == 1, action: allow }", "{ id: ok, resource: pods, action: allow }"],
  ]) {
    const engine = engineWith(`profiles:\n  p:\n    rules:\n${rules.map((r) => `      - ${r}`).join("\n")}\n`);
    const decision = decide(engine, "GET", "/api/v1/namespaces/a/pods/x");
    assert.deepEqual([decision.action, decision.rule.name], ["deny", "bad"]);
  }
});

test("CEL sees the request in SubjectAccessReview shape, plus agent, run and query options", () => {
  const engine = engineWith(`
profiles:
  p:
    default: deny
    rules:
      - id: shape
        when: >-
          request.resourceAttributes == {"namespace": "dev", "verb": "patch", "group": "apps", "version": "v1",
            "resource": "deployments", "subresource": "", "name": "web"}
          && request.agent == "claude" && request.run == null && request.profile == "p"
          && request.fieldManager == "kubectl-edit" && request.force && !request.dryRun
          && request.contentType == "application/merge-patch+json" && request.query["fieldManager"] == ["kubectl-edit"]
          && !has(request.nonResourceAttributes) && object.spec.replicas == 2
        action: allow
      - id: non-resource
        when: >-
          request.nonResourceAttributes == {"path": "/version", "verb": "get"} && object == null && exec == null
        action: allow
`);
  const patch = decide(engine, "PATCH", "/apis/apps/v1/namespaces/dev/deployments/web?fieldManager=kubectl-edit&force=true", {
    body: { spec: { replicas: 2 } },
    contentType: "application/merge-patch+json; charset=utf-8",
  });
  assert.deepEqual([patch.action, patch.rule.name], ["allow", "shape"]);
  assert.deepEqual(decide(engine, "GET", "/version").rule.name, "non-resource");
});

// --- guardrails and overrides

const overridePolicy = `
profiles:
  lab:
    extends: guarded
    rules:
      - id: debug-in-lab
        namespace: lab
        resource: pods
        overrideGuardrail: privileged-workload
        action: allow
      - id: deletes-in-dev
        verb: delete
        namespace: "dev-*"
        action: allow
      - id: wrong-override
        namespace: lab2
        overrideGuardrail: secret-write
        action: allow
`;

const privileged = { spec: { hostNetwork: true, containers: [{ name: "c", securityContext: { privileged: true } }] } };

test("an allow rule passes a guardrail only when it names it in overrideGuardrail", () => {
  const engine = engineWith(overridePolicy);
  const lab = decide(engine, "POST", "/api/v1/namespaces/lab/pods", { profile: "lab", body: privileged });
  assert.deepEqual([lab.action, lab.rule.name], ["allow", "debug-in-lab"]);
  const lab2 = decide(engine, "POST", "/api/v1/namespaces/lab2/pods", { profile: "lab", body: privileged });
  assert.deepEqual([lab2.action, lab2.rule.source, lab2.rule.name], ["ask", "guardrail", "privileged-workload"]);
  const elsewhere = decide(engine, "POST", "/api/v1/namespaces/dev/pods", { profile: "lab", body: privileged });
  assert.deepEqual([elsewhere.action, elsewhere.rule.name], ["ask", "privileged-workload"]);
});

test("a user allow loosens what guarded asks by default, but not a guardrail: deleting namespace dev-1 itself still asks", () => {
  const engine = engineWith(overridePolicy);
  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces/dev-1/pods/x", { profile: "lab" }).action, "allow");
  const namespace = decide(engine, "DELETE", "/api/v1/namespaces/dev-1", { profile: "lab" });
  assert.deepEqual([namespace.action, namespace.rule.name], ["ask", "namespace-delete"]);
  assert.match(namespace.message ?? "", /deletes the namespace "dev-1"/);
});

test("a request tripping two guardrails needs an override naming both", () => {
  const engine = engineWith(`
profiles:
  p:
    extends: guarded
    rules:
      - { id: one, verb: deletecollection, overrideGuardrail: delete-collection, action: allow }
      - { id: both, verb: deletecollection, namespace: "", resource: namespaces, overrideGuardrail: [delete-collection, namespace-delete], action: allow }
`);
  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces/dev/pods").rule.name, "one");
  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces").rule.name, "both");
});

test("a user ask or deny rule still wins over an overriding allow", () => {
  const engine = engineWith(`
profiles:
  p:
    extends: guarded
    rules:
      - { id: open, resource: pods, overrideGuardrail: privileged-workload, action: allow }
      - { id: no-lab, namespace: lab, action: deny, message: not in the lab }
`);
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/lab/pods", { body: privileged }).message, "chaperone: not in the lab");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods", { body: privileged }).action, "allow");
});

test("a profile extending read-only can allow ordinary writes, but its guardrails still deny", () => {
  const engine = engineWith(`
profiles:
  p:
    extends: read-only
    rules:
      - { id: dev-pods, namespace: dev, resource: pods, verb: create, action: allow }
`);
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods", { body: { spec: { containers: [] } } }).action, "allow");
  const hostile = decide(engine, "POST", "/api/v1/namespaces/dev/pods", { body: privileged });
  assert.deepEqual([hostile.action, hostile.rule.source], ["deny", "guardrail"]);
  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces/dev/pods/x").action, "deny");
});

test("a profile can tighten its guardrails from ask to deny", () => {
  const engine = engineWith("profiles:\n  p:\n    extends: guarded\n    guardrails: deny\n");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods", { body: privileged }).action, "deny");
  assert.equal(decide(engine, "POST", "/api/v1/namespaces/dev/pods", { body: { spec: {} } }).action, "allow");
});

// --- extends, amendments, grants

test("extends chains: base rules apply first, the child's default and guardrails override the base's", () => {
  const engine = engineWith(`
profiles:
  base:
    extends: strict
    rules:
      - { id: reads, verb: [get, list, watch], action: allow }
  p:
    extends: base
    default: deny
    rules:
      - { id: no-secrets, resource: secrets, action: deny }
`);
  assert.equal(decide(engine, "GET", "/api/v1/pods").rule.profile, "base");
  assert.equal(decide(engine, "GET", "/version").rule.profile, "strict");
  assert.equal(decide(engine, "GET", "/api/v1/namespaces/a/secrets").rule.name, "no-secrets");
  assert.deepEqual(decide(engine, "DELETE", "/api/v1/namespaces/a/pods/x").rule, { profile: "p", name: "default", source: "default" });
  assert.equal(decide(engine, "DELETE", "/api/v1/namespaces/a/pods/x", { profile: "base" }).action, "ask");
  assert.deepEqual(engine.profileNames(), ["read-only", "guarded", "strict", "base", "p"]);
});

test("a profile named like a built-in adds rules to it", () => {
  const engine = engineWith(`
profiles:
  guarded:
    rules:
      - { id: no-prod, namespace: prod, action: deny, message: prod is off limits }
`);
  const decision = decide(engine, "GET", "/api/v1/namespaces/prod/pods", { profile: "guarded" });
  assert.deepEqual(decision.rule, { profile: "guarded", name: "no-prod", source: "policy-file" });
  assert.equal(decide(engine, "GET", "/api/v1/namespaces/dev/pods", { profile: "guarded" }).rule.source, "builtin");
  assert.equal(engine.profile("guarded")?.default, "ask");
});

test("rules without an id are named by their index in their profile", () => {
  const engine = engineWith("profiles:\n  p:\n    rules:\n      - { resource: secrets, action: deny }\n      - { resource: pods, action: allow }\n");
  assert.deepEqual(decide(engine, "GET", "/api/v1/pods").rule, { profile: "p", name: "rules[1]", source: "policy-file" });
});

test("grants are evaluated with the profile's rules and reported as grants", () => {
  const engine = PolicyEngine.builtin();
  const grant = compileGrant({ verb: "exec", namespace: "dev", agent: "claude", action: "allow" }, "approval-42");
  const request = policyRequest("POST", "/api/v1/namespaces/dev/pods/x/exec?command=ls");
  assert.deepEqual(engine.evaluate(request, [grant]), { action: "allow", rule: { profile: "grant", name: "approval-42", source: "grant" }, message: null });
  assert.equal(engine.evaluate(request).action, "ask");
  assert.equal(engine.evaluate(policyRequest("POST", "/api/v1/namespaces/prod/pods/x/exec?command=ls"), [grant]).action, "ask");
  // A grant is not an override: a guardrail still asks.
  const pods = compileGrant({ resource: "pods", action: "allow" }, "g");
  assert.equal(engine.evaluate(policyRequest("POST", "/api/v1/namespaces/dev/pods", { body: privileged }), [pods]).action, "ask");
  assert.throws(() => compileGrant({ verb: "exce", action: "allow" }, "bad"), /unknown verb/);
});

test("explain lists every matching rule and tripped guardrail", () => {
  const engine = engineWith(overridePolicy);
  const explanation = engine.explain(policyRequest("POST", "/api/v1/namespaces/lab/pods", { profile: "lab", body: privileged }));
  assert.equal(explanation.decision.action, "allow");
  assert.deepEqual(
    explanation.matches.map((m) => [m.rule.profile, m.rule.name, m.action, m.overrideGuardrail]),
    [
      ["guarded", "writes", "allow", []],
      ["lab", "debug-in-lab", "allow", ["privileged-workload"]],
    ],
  );
  assert.match(explanation.matches[1]?.location ?? "", /^policy\.yaml:\d+:\d+$/);
  assert.deepEqual(explanation.guardrails.map((g) => [g.name, g.action]), [["privileged-workload", "ask"]]);
});

test("a request that is not classified fails closed", () => {
  const engine = PolicyEngine.builtin();
  const request = policyRequest("GET", "/api/v1/pods");
  const broken = { ...request, info: { ...request.info, verb: "frobnicate" } } as unknown as typeof request;
  assert.equal(engine.evaluate(broken).action, "deny");
  assert.equal(engine.evaluate({ ...request, info: null } as unknown as typeof request).action, "deny");
});
