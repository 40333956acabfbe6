import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendRule } from "./append-rule.js";
import { PolicyValidationError } from "./policy-engine.js";
import { validatePolicyText } from "./policy-loader.js";

function setup(t: import("node:test").TestContext, text?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "append-rule-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "policy.yaml");
  if (text !== undefined) writeFileSync(path, text, { mode: 0o600 });
  return path;
}

const HAND_WRITTEN = `# Chaperone policy — edited by hand
version: 1

profiles:
    # my dev profile
    dev:
        extends: guarded   # base
        rules:
        -   id: a
            verb: [get, list]
            action: allow   # trailing

        - id: "b"
          namespace: 'x-*'
          when: >-
            request.agent == "x"
          action: deny
        # end of dev rules
    other:
      rules: []   # nothing yet
`;

const EXEC_LS = { id: "always-1", agent: "claude", verb: "exec", namespace: "dev", when: 'exec.command == ["ls"]', action: "allow" } as const;

test("appendRule adds the rule after the profile's last rule and leaves every other byte of the file as it was", (t) => {
  const path = setup(t, HAND_WRITTEN);
  const result = appendRule(path, "dev", EXEC_LS, { comment: "always allow, approved by dev@example.com" });
  const inserted = `        # always allow, approved by dev@example.com
        - id: always-1
          agent: claude
          verb: exec
          namespace: dev
          when: exec.command == ["ls"]
          action: allow
`;
  const at = HAND_WRITTEN.indexOf("        # end of dev rules");
  assert.equal(readFileSync(path, "utf8"), HAND_WRITTEN.slice(0, at) + inserted + HAND_WRITTEN.slice(at));
  assert.deepEqual([result.index, result.name], [2, "always-1"]);
});

test("appendRule turns an empty rules: [] into a block list in the file's list style, keeping the comment on the key", (t) => {
  const path = setup(t, HAND_WRITTEN);
  appendRule(path, "other", { verb: "delete", namespace: "scratch", action: "allow" });
  const text = readFileSync(path, "utf8");
  assert.ok(text.endsWith("    other:\n      rules:   # nothing yet\n      - verb: delete\n        namespace: scratch\n        action: allow\n"), text);
  assert.ok(text.startsWith(HAND_WRITTEN.slice(0, HAND_WRITTEN.indexOf("    other:"))));
});

test("appendRule adds an entry for a built-in profile the file does not mention yet, in the file's indentation", (t) => {
  const path = setup(t, "# mine\nprofiles:\n  dev:\n    extends: guarded\n\n# trailing comment\n");
  const result = appendRule(path, "guarded", { resource: "pods", verb: ["delete", "deletecollection"], namespace: "dev-*", action: "allow" });
  assert.equal(
    readFileSync(path, "utf8"),
    "# mine\nprofiles:\n  dev:\n    extends: guarded\n  guarded:\n    rules:\n      - verb: [delete, deletecollection]\n        resource: pods\n        namespace: dev-*\n        action: allow\n\n# trailing comment\n",
  );
  assert.deepEqual([result.index, result.name], [0, "rules[0]"]);
});

test("appendRule fills a rules: key that has no value yet", (t) => {
  const path = setup(t, "profiles:\n  dev:\n    rules:   # none yet\n");
  appendRule(path, "dev", { verb: "get", action: "allow" });
  assert.equal(readFileSync(path, "utf8"), "profiles:\n  dev:\n    rules:   # none yet\n      - verb: get\n        action: allow\n");
});

test("appendRule adds to flow-style profiles inside their braces", (t) => {
  const path = setup(t, "profiles: {dev: {extends: guarded}}\n");
  appendRule(path, "dev", { verb: "get", action: "allow" });
  assert.equal(readFileSync(path, "utf8"), 'profiles: {dev: {extends: guarded, rules: [{"verb":"get","action":"allow"}]}}\n');
});

test("appendRule creates a missing policy file, 0600", (t) => {
  const path = setup(t);
  appendRule(path, "guarded", { verb: "exec", namespace: "dev", action: "allow" });
  const text = readFileSync(path, "utf8");
  assert.match(text, /^# Chaperone policy\./);
  assert.ok(text.endsWith("version: 1\nprofiles:\n  guarded:\n    rules:\n      - verb: exec\n        namespace: dev\n        action: allow\n"), text);
  if (process.platform !== "win32") assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.ok(validatePolicyText(text, path).ok);
});

test("appendRule keeps the file's mode", (t) => {
  if (process.platform === "win32") return t.skip("POSIX modes");
  const path = setup(t, "profiles:\n  dev: {}\n");
  chmodSync(path, 0o644);
  appendRule(path, "dev", { verb: "get", action: "allow" });
  assert.equal(statSync(path).mode & 0o777, 0o644);
});

test("appendRule writes a multi-line condition as a block scalar that reads back identically", (t) => {
  const path = setup(t, "profiles:\n  dev:\n    rules:\n      - {verb: get, action: allow}\n");
  const when = 'request.agent == "claude" &&\n  exec.command[0] == "ls"';
  appendRule(path, "dev", { verb: "exec", when, action: "allow" });
  const result = validatePolicyText(readFileSync(path, "utf8"), path);
  assert.ok(result.ok);
  assert.equal(result.ok && result.spec.profiles?.dev?.rules?.[1]?.when, when);
});

test("appendRule refuses an invalid rule and leaves the file untouched", (t) => {
  const path = setup(t, HAND_WRITTEN);
  assert.throws(() => appendRule(path, "dev", { verb: "exce", action: "allow" }), (error: unknown) => error instanceof PolicyValidationError && /unknown verb "exce"/.test(error.message));
  assert.throws(() => appendRule(path, "dev", { when: "object.", action: "allow" }), /CEL syntax error/);
  assert.throws(() => appendRule(path, "dev", { action: "allow", overrideGuardrail: "nope" } as never), /unknown guardrail/);
  assert.equal(readFileSync(path, "utf8"), HAND_WRITTEN);
});

test("appendRule refuses an unknown profile, and a rule the profile forbids, without writing", (t) => {
  const path = setup(t, "profiles:\n  ro:\n    extends: read-only\n");
  assert.throws(() => appendRule(path, "nope", { verb: "get", action: "allow" }), /there is no profile "nope"/);
  assert.throws(() => appendRule(path, "ro", { resource: "pods", overrideGuardrail: "privileged-workload", action: "allow" }), /can never be overridden/);
  assert.equal(readFileSync(path, "utf8"), "profiles:\n  ro:\n    extends: read-only\n");
});

test("appendRule refuses to edit a policy file that already has errors", (t) => {
  const broken = "profiles:\n  dev:\n    rules:\n      - {verb: nope, action: allow}\n";
  const path = setup(t, broken);
  assert.throws(() => appendRule(path, "dev", { verb: "get", action: "allow" }), /unknown verb "nope"/);
  assert.equal(readFileSync(path, "utf8"), broken);
  assert.equal(existsSync(`${path}.lock`), false, "the lock is released");
});
