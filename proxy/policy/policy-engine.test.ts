import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyEngine, PolicyValidationError } from "./policy-engine.js";
import { appendRule } from "./append-rule.js";
import type { PolicyError } from "./policy-loader.js";
import { policyRequest } from "./test-helpers.js";

const DELETE_POD = policyRequest("DELETE", "/api/v1/namespaces/dev/pods/web", { profile: "dev" });

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function setup(t: import("node:test").TestContext, text?: string) {
  const dir = mkdtempSync(join(tmpdir(), "policy-engine-"));
  const path = join(dir, "policy.yaml");
  if (text !== undefined) writeFileSync(path, text);
  const errors: PolicyError[][] = [];
  const engine = PolicyEngine.fromFile(path, (e) => errors.push(e), { debounceMs: 20 });
  t.after(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, path, engine, errors };
}

const dev = (action: string) => `profiles:\n  dev:\n    extends: guarded\n    rules:\n      - { id: deletes, verb: delete, namespace: dev, action: ${action} }\n`;

test("a valid edit of the policy file takes effect without a restart", async (t) => {
  const { path, engine } = setup(t, dev("allow"));
  assert.equal(engine.evaluate(DELETE_POD).action, "allow");
  writeFileSync(path, dev("deny"));
  await waitFor(() => engine.evaluate(DELETE_POD).action === "deny", "the edit to load");
  assert.equal(engine.status().ok, true);
});

test("a file replaced by rename (as editors and writeFileAtomic save) is reloaded", async (t) => {
  const { dir, path, engine } = setup(t, dev("allow"));
  const temp = join(dir, ".policy.yaml.tmp");
  writeFileSync(temp, dev("deny"));
  renameSync(temp, path);
  await waitFor(() => engine.evaluate(DELETE_POD).action === "deny", "the renamed file to load");
  writeFileSync(temp, dev("ask"));
  renameSync(temp, path);
  await waitFor(() => engine.evaluate(DELETE_POD).action === "ask", "the second rename to load");
});

test("a broken edit keeps the previous policy in force and reports the errors with file and line", async (t) => {
  const { path, engine, errors } = setup(t, dev("allow"));
  writeFileSync(path, dev("allow").replace("verb: delete", "verb: delte"));
  await waitFor(() => errors.length > 0, "the error report");
  assert.equal(engine.evaluate(DELETE_POD).action, "allow", "the old policy still decides");
  const [error] = errors[0] ?? [];
  assert.deepEqual([error?.file, error?.line, error?.field], [path, 5, "profiles.dev.rules[0].verb"]);
  assert.match(error?.message ?? "", /unknown verb "delte"/);
  assert.equal(engine.status().ok, false);
  assert.equal(engine.status().errors.length, 1);

  writeFileSync(path, dev("deny"));
  await waitFor(() => engine.evaluate(DELETE_POD).action === "deny", "the fixed file to load");
  assert.equal(engine.status().ok, true);
  assert.equal(errors.length, 1, "one report per broken version");
});

test("a policy file broken from the start denies every request until it is fixed", async (t) => {
  const { path, engine, errors } = setup(t, "profiles:\n  dev:\n    extends: nope\n");
  assert.equal(errors.length, 1);
  const decision = engine.evaluate(policyRequest("GET", "/version", { profile: "guarded" }));
  assert.equal(decision.action, "deny");
  assert.match(decision.message ?? "", /^chaperone: the policy file has errors, so every request is refused until it is fixed: policy\.yaml:3:14 profiles\.dev\.extends: extends an unknown profile "nope"/);
  writeFileSync(path, dev("allow"));
  await waitFor(() => engine.evaluate(DELETE_POD).action === "allow", "the fixed file to load");
});

test("without a policy file the built-in profiles apply, and a file created later is picked up", async (t) => {
  const { path, engine, errors } = setup(t);
  assert.deepEqual(engine.profileNames(), ["read-only", "guarded", "strict"]);
  assert.equal(engine.hasProfile("dev"), false);
  assert.equal(engine.evaluate(DELETE_POD).rule.name, "unknown-profile");
  writeFileSync(path, dev("allow"));
  await waitFor(() => engine.hasProfile("dev"), "the new file to load");
  assert.equal(engine.evaluate(DELETE_POD).action, "allow");
  unlinkSync(path);
  await waitFor(() => !engine.hasProfile("dev"), "the deletion to load");
  assert.equal(errors.length, 0);
});

test("a rule added by appendRule takes effect in the running engine", async (t) => {
  const { path, engine } = setup(t, dev("ask"));
  const exec = policyRequest("POST", "/api/v1/namespaces/dev/pods/web/exec?command=ls", { profile: "dev" });
  assert.equal(engine.evaluate(exec).action, "ask");
  appendRule(path, "dev", { id: "exec-ls", verb: "exec", namespace: "dev", when: 'exec.command == ["ls"]', action: "allow" });
  await waitFor(() => engine.evaluate(exec).action === "allow", "the appended rule to load");
  assert.deepEqual(engine.evaluate(exec).rule, { profile: "dev", name: "exec-ls", source: "policy-file" });
});

test("reload() re-reads at once, and close() stops watching", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "policy-engine-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "policy.yaml");
  writeFileSync(path, dev("allow"));
  let reloads = 0;
  const engine = PolicyEngine.fromFile(path, undefined, { watch: false, onReload: () => reloads++ });
  writeFileSync(path, dev("deny"));
  assert.equal(engine.evaluate(DELETE_POD).action, "allow", "not watching");
  assert.equal(engine.reload(), true);
  assert.equal(engine.evaluate(DELETE_POD).action, "deny");
  assert.equal(engine.reload(), true, "an unchanged file is not reloaded again");
  assert.equal(reloads, 1);
  engine.close();
});

test("fromText throws every validation error at once", () => {
  assert.throws(
    () => PolicyEngine.fromText("profiles:\n  p:\n    default: maybe\n    extends: nope\n", "inline.yaml"),
    (error: unknown) => error instanceof PolicyValidationError && error.errors.length === 2 && /^inline\.yaml:3:14 profiles\.p\.default/.test(error.message),
  );
});

test("profile() summarizes what a profile does", () => {
  const engine = PolicyEngine.fromText(dev("allow"));
  assert.deepEqual(engine.profile("dev"), { name: "dev", description: "Extends guarded.", source: "policy-file", extends: "guarded", default: "ask", guardrails: "ask", rules: 4 });
  assert.equal(engine.profile("read-only")?.guardrails, "deny");
});
