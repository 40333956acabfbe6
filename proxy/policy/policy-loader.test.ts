import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicyFile, validatePolicyText, formatPolicyError, type PolicyError } from "./policy-loader.js";

const FILE = "/data/policy.yaml";

function errorsOf(text: string): PolicyError[] {
  const result = validatePolicyText(text, FILE);
  assert.equal(result.ok, false, "expected validation errors");
  return result.ok ? [] : result.errors;
}

/** The one error of a policy, as [line, column, field] plus its message. */
function onlyError(text: string): { at: [number, number, string]; message: string } {
  const errors = errorsOf(text);
  assert.equal(errors.length, 1, errors.map(formatPolicyError).join("\n"));
  const [error] = errors as [PolicyError];
  assert.equal(error.file, FILE);
  return { at: [error.line, error.column, error.field], message: error.message };
}

test("an unknown field is reported at its key, with the closest known field", () => {
  const { at, message } = onlyError("version: 1\nprofiles:\n  dev:\n    extends: guarded\n    rules:\n      - id: a\n        verbs: [get]\n        action: allow\n");
  assert.deepEqual(at, [7, 9, "profiles.dev.rules[0].verbs"]);
  assert.match(message, /unknown field "verbs" \(did you mean "verb"\?\)/);
});

test("a value of the wrong type is reported at the value", () => {
  const { at, message } = onlyError("profiles:\n  dev:\n    rules:\n      - namespace: 5\n        action: allow\n");
  assert.deepEqual(at, [4, 20, "profiles.dev.rules[0].namespace"]);
  assert.match(message, /expected a glob or a list of globs, got a number \(5; quote it/);
  assert.deepEqual(onlyError("profiles: [a]\n").at, [1, 11, "profiles"]);
  assert.deepEqual(onlyError("profiles:\n  dev:\n    rules: {a: 1}\n").at, [3, 12, "profiles.dev.rules"]);
});

test("a bad glob is reported at the pattern, in a list at its element", () => {
  const { at, message } = onlyError('profiles:\n  dev:\n    rules:\n      - { namespace: [dev, "dev-[0-9]"], action: allow }\n');
  assert.deepEqual(at, [4, 28, "profiles.dev.rules[0].namespace[1]"]);
  assert.match(message, /bad glob "dev-\[0-9\]": contains "\["/);
});

test("field values that could never match are errors: unknown verbs, upper case, core, group/version, resource/subresource", () => {
  const cases: [string, string, RegExp][] = [
    ["verb: delte", "verb", /unknown verb "delte"/],
    ["verb: [get, 'gte*']", "verb[1]", /unknown verb/],
    ["resource: Pods", "resource", /upper-case/],
    ["apiGroup: core", "apiGroup", /the core API group is ""/],
    ["apiGroup: apps/v1", "apiGroup", /without its version/],
    ["resource: pods/exec", "resource", /resource: pods, subresource: exec/],
    ["path: version", "path", /must start with "\/"/],
    ["{ path: /version, resource: pods }", "path", /cannot be combined with "resource"/],
    ["namespace: []", "namespace", /an empty list matches nothing/],
    ["name: '!x'", "name", /negation is not supported/],
  ];
  for (const [fields, field, pattern] of cases) {
    const body = fields.startsWith("{") ? `${fields.slice(0, -1)}, action: allow }` : `{ ${fields}, action: allow }`;
    const { at, message } = onlyError(`profiles:\n  dev:\n    rules:\n      - ${body}\n`);
    assert.equal(at[0], 4, fields);
    assert.equal(at[2], `profiles.dev.rules[0].${field}`, fields);
    assert.match(message, pattern, fields);
  }
});

test("CEL that does not parse, does not type-check, or is not boolean is reported at the when: field", () => {
  const errors = errorsOf(
    'profiles:\n  dev:\n    rules:\n      - action: allow\n        when: request. == 1\n      - action: allow\n        when: foo == 1\n      - action: allow\n        when: \'"a" + "b"\'\n',
  );
  assert.deepEqual(
    errors.map((e) => [e.line, e.column, e.field]),
    [
      [5, 15, "profiles.dev.rules[0].when"],
      [7, 15, "profiles.dev.rules[1].when"],
      [9, 15, "profiles.dev.rules[2].when"],
    ],
  );
  assert.match(errors[0]?.message ?? "", /^CEL syntax error: .*\(at character 10 of the condition\)/);
  assert.match(errors[1]?.message ?? "", /^CEL type error: Unknown variable: foo/);
  assert.match(errors[2]?.message ?? "", /must be a boolean expression, but this one is of type string/);
});

test("an unknown action, or a rule without one, is an error", () => {
  const errors = errorsOf("profiles:\n  dev:\n    default: maybe\n    rules:\n      - action: permit\n      - verb: get\n");
  assert.deepEqual(
    errors.map((e) => [e.line, e.field, e.message]),
    [
      [3, "profiles.dev.default", 'unknown action "maybe": use allow, deny or ask'],
      [5, "profiles.dev.rules[0].action", 'unknown action "permit": use allow, deny or ask'],
      [6, "profiles.dev.rules[1]", 'missing "action" (allow, deny or ask)'],
    ],
  );
});

test("extending an unknown profile, or extending in a cycle, is an error at extends", () => {
  const unknown = onlyError("profiles:\n  dev:\n    extends: guardd\n");
  assert.deepEqual(unknown.at, [3, 14, "profiles.dev.extends"]);
  assert.match(unknown.message, /extends an unknown profile "guardd"; profiles are read-only, guarded, strict, dev/);
  const cycle = onlyError("profiles:\n  a: {extends: b}\n  b: {extends: a}\n");
  assert.equal(cycle.at[2], "profiles.a.extends");
  assert.match(cycle.message, /extends itself \(through a → b → a\)/);
});

test("guardrails can be tightened but never loosened or turned off, and a deny guardrail cannot be overridden", () => {
  const errors = errorsOf(`profiles:
  ro:
    extends: read-only
    guardrails: ask
    rules:
      - { resource: pods, overrideGuardrail: privileged-workload, action: allow }
  g:
    extends: guarded
    guardrails: none
    rules:
      - { resource: pods, overrideGuardrail: bogus, action: allow }
      - { resource: pods, overrideGuardrail: secret-write, action: deny }
`);
  assert.deepEqual(
    errors.map((e) => [e.line, e.field]),
    [
      [4, "profiles.ro.guardrails"],
      [6, "profiles.ro.rules[0].overrideGuardrail"],
      [9, "profiles.g.guardrails"],
      [11, "profiles.g.rules[0].overrideGuardrail"],
      [12, "profiles.g.rules[1].overrideGuardrail"],
    ],
  );
  assert.match(errors[1]?.message ?? "", /can never be overridden/);
  assert.match(errors[3]?.message ?? "", /unknown guardrail "bogus"/);
  assert.match(errors[4]?.message ?? "", /only makes sense on an allow rule/);
});

test("a built-in profile can only gain rules in the file", () => {
  const { at, message } = onlyError("profiles:\n  guarded:\n    default: allow\n");
  assert.deepEqual(at, [3, 5, "profiles.guarded.default"]);
  assert.match(message, /cannot be set on the built-in profile "guarded".*extends: guarded/);
});

test("profile names, duplicate rule ids, top-level fields and versions are checked", () => {
  assert.match(onlyError("profiles:\n  Bad_Name: {}\n").message, /invalid profile name "Bad_Name"/);
  assert.match(onlyError("profiles:\n  p:\n    rules:\n      - {id: a, action: allow}\n      - {id: a, action: deny}\n").message, /duplicate rule id "a" \(also rules\[0\]/);
  assert.deepEqual(onlyError("verison: 1\n").at, [1, 1, "verison"]);
  assert.match(onlyError("version: 2\n").message, /unsupported version 2/);
});

test("YAML syntax errors and duplicate keys are reported with their line", () => {
  const syntax = onlyError("profiles:\n  dev:\n    rules:\n      - action: allow\n     verb: get\n");
  assert.deepEqual(syntax.at, [5, 1, ""]);
  assert.match(syntax.message, /^YAML: /);
  const duplicate = onlyError("profiles:\n  dev: {}\n  dev: {}\n");
  assert.deepEqual(duplicate.at, [3, 3, ""]);
  assert.match(duplicate.message, /unique/);
});

test("every error is reported, not just the first", () => {
  const errors = errorsOf("profiles:\n  a:\n    rules:\n      - { verb: nope, action: allow }\n  b:\n    extends: nope\n    rules:\n      - { action: maybe }\n");
  assert.equal(errors.length, 3);
});

test("an empty or comment-only file is valid: the built-in profiles alone", () => {
  for (const text of ["", "# nothing yet\n", "version: 1\n", "profiles:\n"]) {
    const result = validatePolicyText(text, FILE);
    assert.ok(result.ok, text);
    assert.deepEqual([...(result.ok ? result.policy.profiles.keys() : [])], ["read-only", "guarded", "strict"]);
  }
});

test("anchors and aliases are followed, and errors inside them point at the anchor", () => {
  const ok = validatePolicyText("x: &pods\n  resource: pods\nprofiles: {}\n", FILE);
  assert.equal(ok.ok, false, "unknown top-level key x");
  const shared = validatePolicyText("profiles:\n  a:\n    rules:\n      - &r { resource: pods, action: allow }\n  b:\n    rules:\n      - *r\n", FILE);
  assert.ok(shared.ok);
});

test("a missing policy file means the built-in profiles, and an unreadable one is an error", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "policy-loader-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = loadPolicyFile(join(dir, "policy.yaml"));
  assert.ok(missing.ok);
  assert.equal(missing.text, null);
  const asDirectory = loadPolicyFile(dir);
  assert.equal(asDirectory.ok, false);
  writeFileSync(join(dir, "policy.yaml"), "profiles:\n  p: {extends: strict}\n");
  const present = loadPolicyFile(join(dir, "policy.yaml"));
  assert.ok(present.ok && present.policy.profiles.has("p"));
});
