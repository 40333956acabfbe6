import { test } from "node:test";
import assert from "node:assert/strict";
import { validatePolicyText, formatPolicyError, type PolicyError } from "./policy-loader.js";
import { PolicyEngine } from "./policy-engine.js";
import { policyRequest } from "./test-helpers.js";
import { BUILTIN_DETECTOR_NAMES } from "../masking/detectors.js";

const FILE = "/data/policy.yaml";

function errorsOf(text: string): PolicyError[] {
  const result = validatePolicyText(text, FILE);
  assert.equal(result.ok, false, "expected validation errors");
  return result.ok ? [] : result.errors;
}

test("built-in profiles mask everything with every built-in detector", () => {
  const engine = PolicyEngine.builtin();
  for (const name of ["read-only", "guarded", "strict"]) {
    const masking = engine.masking(name);
    assert.ok(masking.enabled);
    assert.ok(Object.values(masking.flags).every(Boolean));
    assert.deepEqual(masking.detectors.detectors.map((d) => d.name), BUILTIN_DETECTOR_NAMES);
  }
  assert.ok(engine.masking("no-such-profile").enabled, "an unknown profile masks everything");
});

test("a profile's masking block turns parts off, adds and disables detectors, and is inherited through extends", () => {
  const engine = PolicyEngine.fromText(`profiles:
  ops:
    extends: guarded
    masking:
      logs: false
      detectors:
        - name: acme-key
          pattern: "acme_[A-Za-z0-9]{16}"
      disableDetectors: [password-assignment]
  ops-child:
    extends: ops
    masking:
      exec: false
  open:
    extends: guarded
    masking: false
`);
  const ops = engine.masking("ops");
  assert.equal(ops.flags.logs, false);
  assert.equal(ops.flags.secrets, true);
  const names = ops.detectors.detectors.map((d) => d.name);
  assert.ok(names.includes("acme-key"));
  assert.ok(!names.includes("password-assignment"));
  const child = engine.masking("ops-child");
  assert.equal(child.flags.logs, false);
  assert.equal(child.flags.exec, false);
  assert.ok(child.detectors.detectors.some((d) => d.name === "acme-key"));
  assert.equal(engine.masking("open").enabled, false);
});

test("mistakes in a masking block are reported at their field, with file and line", () => {
  const errors = errorsOf(`profiles:
  ops:
    extends: guarded
    masking:
      logz: false
      secrets: "no"
      detectors:
        - name: jwt
          pattern: "x+"
        - name: broken
          pattern: "("
        - name: everything
          pattern: ".*"
      disableDetectors: [no-such-detector]
  guarded:
    masking: false
`);
  const shown = errors.map((e) => `${e.line} ${e.field}: ${e.message}`);
  const expect = (line: number, field: string, message: RegExp): void => {
    assert.ok(shown.some((s) => s.startsWith(`${line} ${field}: `) && message.test(s)), `${line} ${field} ${message}\n${errors.map(formatPolicyError).join("\n")}`);
  };
  expect(5, "profiles.ops.masking.logz", /unknown field "logz" \(did you mean "logs"\?\)/);
  expect(6, "profiles.ops.masking.secrets", /expected true or false/);
  expect(8, "profiles.ops.masking.detectors[0].name", /"jwt" is a built-in detector/);
  expect(11, "profiles.ops.masking.detectors[1].pattern", /does not compile/);
  expect(13, "profiles.ops.masking.detectors[2].pattern", /matches the empty string/);
  expect(16, "profiles.guarded.masking", /cannot be set on the built-in profile "guarded"/);
});

test("an unknown detector in disableDetectors is reported", () => {
  const errors = errorsOf("profiles:\n  ops:\n    masking:\n      disableDetectors: [jwt, nope]\n");
  assert.equal(errors.length, 1, errors.map(formatPolicyError).join("\n"));
  assert.equal(errors[0]?.field, "profiles.ops.masking.disableDetectors[1]");
  assert.match(errors[0]?.message ?? "", /unknown detector "nope"/);
});

test("reveal: true is for allow rules, and the decisions it makes say so", () => {
  const engine = PolicyEngine.fromText(`profiles:
  ci:
    extends: guarded
    rules:
      - id: read-ci-token
        verb: get
        resource: secrets
        namespace: ci
        name: ci-token
        action: allow
        reveal: true
`);
  const revealed = engine.evaluate(policyRequest("GET", "/api/v1/namespaces/ci/secrets/ci-token", { profile: "ci" }));
  assert.equal(revealed.action, "allow");
  assert.equal(revealed.reveal, true);
  assert.equal(revealed.rule.name, "read-ci-token");
  const other = engine.evaluate(policyRequest("GET", "/api/v1/namespaces/ci/secrets/other", { profile: "ci" }));
  assert.equal(other.action, "allow");
  assert.equal(other.reveal, undefined);

  const errors = errorsOf("profiles:\n  ci:\n    rules:\n      - { verb: get, action: deny, reveal: true }\n      - { verb: get, action: allow, reveal: yes-please }\n");
  assert.deepEqual(
    errors.map((e) => [e.field, e.message.split(" (")[0]]),
    [
      ["profiles.ci.rules[0].reveal", "reveal only makes sense on an allow rule"],
      ["profiles.ci.rules[1].reveal", "expected true or false, got a string"],
    ],
  );
});
