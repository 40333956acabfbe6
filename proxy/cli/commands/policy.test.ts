import { test } from "node:test";
import assert from "node:assert/strict";
import { CliError } from "../cli-error.js";
import { formatExplanation, parseDescribedRequest, policyCheckReport } from "./policy.js";

test("policy check: a valid file is one ok line naming every profile, built-ins first", () => {
  const text = "version: 1\nprofiles:\n  dev:\n    extends: guarded\n    rules:\n      - { verb: delete, namespace: dev, action: allow }\n";
  assert.deepEqual(policyCheckReport("policy.yaml", text), { errors: 0, lines: ["ok: policy.yaml (4 profiles: read-only, guarded, strict, dev)"] });
});

test("policy check: each error is one FILE:LINE:COLUMN FIELD: MESSAGE line", () => {
  const text = ["version: 1", "profiles:", "  dev:", "    extends: guarded", "    rules:", "      - verb: frobnicate", "        action: allow", "      - verb: get", "        action: maybe", ""].join("\n");
  const report = policyCheckReport("/etc/p.yaml", text);
  assert.equal(report.errors, 2);
  assert.equal(report.lines.length, 2);
  assert.match(report.lines[0] as string, /^\/etc\/p\.yaml:6:15 profiles\.dev\.rules\[0\]\.verb: .*frobnicate/);
  assert.match(report.lines[1] as string, /^\/etc\/p\.yaml:9:17 profiles\.dev\.rules\[1\]\.action: unknown action "maybe"/);
});

test("policy check: a YAML syntax error has a location and no field", () => {
  const report = policyCheckReport("p.yaml", "profiles:\n  dev: [unclosed\n");
  assert.ok(report.errors > 0);
  assert.match(report.lines[0] as string, /^p\.yaml:\d+:\d+: YAML: /);
});

test("policy check: an active agent whose profile the file lacks is warned about; a revoked one is not", () => {
  const agents = [
    { name: "claude", profile: "guarded", createdAt: "", revokedAt: null },
    { name: "ci", profile: "deployer", createdAt: "", revokedAt: null },
    { name: "old", profile: "gone", createdAt: "", revokedAt: "2024-01-01T00:00:00Z" },
  ];
  const report = policyCheckReport("policy.yaml", "version: 1\n", agents);
  assert.equal(report.errors, 0);
  assert.deepEqual(report.lines.slice(1), ['warning: agent "ci" has the profile "deployer", which this policy does not define; its requests will be denied']);
});

test("policy explain reads VERB RESOURCE [NAME] and -n in kubectl's forms", () => {
  assert.deepEqual(parseDescribedRequest("claude", ["delete", "namespaces", "prod"]), { agent: "claude", verb: "delete", resource: "namespaces", name: "prod" });
  for (const words of [["exec", "pods/exec", "web", "-n", "dev"], ["-n", "dev", "exec", "pods/exec", "web"], ["exec", "pods/exec", "web", "--namespace=dev"], ["exec", "pods/exec", "web", "-ndev"]]) {
    assert.deepEqual(parseDescribedRequest("claude", words), { agent: "claude", verb: "exec", resource: "pods/exec", name: "web", namespace: "dev" }, words.join(" "));
  }
  assert.deepEqual(parseDescribedRequest("claude", ["get", "/version"]), { agent: "claude", verb: "get", path: "/version" });
  for (const [words, pattern] of [
    [["get"], /expected -- VERB RESOURCE/],
    [["get", "pods", "a", "b"], /unexpected argument b/],
    [["get", "pods", "-n"], /-n needs a namespace/],
    [["get", "pods", "-n", "a", "-n", "b"], /namespace is given twice/],
    [["get", "pods", "-o", "yaml"], /unknown option -o/],
  ] as const) {
    assert.throws(() => parseDescribedRequest("claude", words), (error: unknown) => error instanceof CliError && pattern.test(error.message), words.join(" "));
  }
});

test("the explain report names the decision, the deciding rule with its location, guardrails and every match", () => {
  const lines = formatExplanation(
    "claude",
    {
      action: "deny",
      rule: { profile: "dev", name: "no-prod", source: "policy-file" },
      message: "chaperone: never in prod",
      profile: "dev",
      summary: 'delete namespaces "prod"',
      matches: [
        { rule: { profile: "dev", name: "no-prod", source: "policy-file" }, action: "deny", location: "policy.yaml:6:9" },
        { rule: { profile: "dev", name: "rules[1]", source: "policy-file" }, action: "allow", location: "policy.yaml:9:9" },
      ],
      guardrails: [{ name: "namespace-delete", reason: 'it deletes the namespace "prod" and everything in it', action: "ask" }],
    },
    ["a note"],
  );
  assert.deepEqual(lines, [
    'request:  delete namespaces "prod"  (agent claude, profile dev)',
    "decision: deny",
    "rule:     dev/no-prod (policy-file) at policy.yaml:6:9",
    "message:  chaperone: never in prod",
    "guardrails tripped:",
    '  namespace-delete (ask): it deletes the namespace "prod" and everything in it',
    "matching rules:",
    "  deny   dev/no-prod (policy-file) at policy.yaml:6:9",
    "  allow  dev/rules[1] (policy-file) at policy.yaml:9:9",
    "note: a note",
  ]);
});
