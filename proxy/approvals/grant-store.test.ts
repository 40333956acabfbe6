import { test } from "node:test";
import assert from "node:assert/strict";
import { GrantStore } from "./grant-store.js";
import type { RequestShape } from "./approval-rules.js";

const shape: RequestShape = { agent: "claude", kind: "resource", verb: "delete", apiGroup: "", resource: "pods", subresource: "", namespace: "dev", path: "" };
const rule = { profile: "guarded", name: "default", source: "default" as const };

test("a grant covers the same agent, shape and asking rule until it expires", () => {
  let now = 1_000_000;
  const store = new GrantStore(() => now);
  store.add(shape, rule, 10);
  assert.ok(store.find(shape, rule));
  now += 10 * 60_000 - 1;
  assert.ok(store.find(shape, rule));
  now += 2;
  assert.equal(store.find(shape, rule), null);
  assert.deepEqual(store.list(), []);
});

test("a grant does not cover another agent, namespace, resource, verb or asking rule", () => {
  const store = new GrantStore();
  store.add(shape, rule, 10);
  assert.equal(store.find({ ...shape, agent: "codex" }, rule), null);
  assert.equal(store.find({ ...shape, namespace: "prod" }, rule), null);
  assert.equal(store.find({ ...shape, resource: "namespaces" }, rule), null);
  assert.equal(store.find({ ...shape, verb: "deletecollection" }, rule), null);
  assert.equal(store.find(shape, { ...rule, name: "namespace-delete", source: "guardrail" }), null);
});

test("a revoked grant no longer covers anything", () => {
  const store = new GrantStore();
  const grant = store.add(shape, rule, 10);
  assert.equal(store.revoke(grant.id)?.id, grant.id);
  assert.equal(store.find(shape, rule), null);
  assert.equal(store.revoke(grant.id), null);
});
