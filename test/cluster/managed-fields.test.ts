// managedFields bookkeeping and server-side apply semantics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFieldsV1, encodeFieldsV1, FieldSet, formatPath, toFieldSet } from "./field-set.js";
import { decodeManagedFields, encodeManagedFields, managersAfterUpdate, serverSideApply } from "./managed-fields.js";
import { typeForKind } from "./schema.js";
import type { JsonObject } from "./json.js";

const ctx = (manager: string) => ({ manager, apiVersion: "v1", schema: typeForKind("Pod"), resetStatus: true, now: "2024-01-01T00:00:00Z" });
const withManagers = (obj: JsonObject, managers: ReturnType<typeof managersAfterUpdate>): JsonObject => ({ ...obj, metadata: { ...(obj["metadata"] as JsonObject), managedFields: encodeManagedFields(managers) as never } });

test("field sets identify list items by merge key and round-trip through FieldsV1", () => {
  const set = toFieldSet({ spec: { containers: [{ name: "app", image: "x", ports: [{ containerPort: 80 }] }] } }, typeForKind("Pod"));
  const paths = set.paths().map(formatPath).sort();
  assert.deepEqual(paths, [
    '.spec.containers[name="app"]',
    '.spec.containers[name="app"].image',
    '.spec.containers[name="app"].name',
    '.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"]',
    '.spec.containers[name="app"].ports[containerPort=80,protocol="TCP"].containerPort',
  ]);
  const encoded = encodeFieldsV1(set);
  assert.deepEqual(Object.keys((encoded["f:spec"] as any)["f:containers"]), ['k:{"name":"app"}']);
  assert.deepEqual(decodeFieldsV1(encoded).paths().map(formatPath).sort(), paths);
});

test("an update gives the changed fields to its manager and takes them from the previous owner", () => {
  const created: JsonObject = { metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "a:1" }] } };
  const afterCreate = managersAfterUpdate({}, created, ctx("creator"));
  const edited: JsonObject = { metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "a:2" }] } };
  const managers = managersAfterUpdate(withManagers(created, afterCreate), edited, ctx("editor"));
  const byName = Object.fromEntries(managers.map((m) => [m.manager, m.set.paths().map(formatPath).sort()]));
  assert.deepEqual(byName["editor"], ['.spec.containers[name="app"].image']);
  assert.ok(!byName["creator"]?.includes('.spec.containers[name="app"].image'));
  assert.ok(byName["creator"]?.includes('.spec.containers[name="app"].name'));
});

test("apply conflicts with another manager's field unless forced, and prunes fields it stops applying", () => {
  const first = serverSideApply(undefined, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1", b: "2" } }, { ...ctx("applier"), schema: typeForKind("ConfigMap"), force: false });
  let live = withManagers(first.object, first.managers);
  const patched = { ...live, data: { a: "changed", b: "2" } };
  live = withManagers(patched, managersAfterUpdate(live, patched, { ...ctx("patcher"), schema: typeForKind("ConfigMap") }));
  const config = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };
  assert.throws(
    () => serverSideApply(live, config, { ...ctx("applier"), schema: typeForKind("ConfigMap"), force: false }),
    (e: any) => e.code === 409 && e.message === 'Apply failed with 1 conflict: conflict with "patcher" using v1: .data.a' && e.details.causes[0].reason === "FieldManagerConflict",
  );
  const forced = serverSideApply(live, config, { ...ctx("applier"), schema: typeForKind("ConfigMap"), force: true });
  assert.deepEqual(forced.object["data"], { a: "1" }, "b was applied before, no longer is, and nobody else owns it");
  assert.equal(forced.managers.find((m) => m.manager === "patcher"), undefined);
  const decoded = decodeManagedFields(withManagers(forced.object, forced.managers));
  assert.deepEqual(decoded.map((m) => [m.manager, m.operation]), [["applier", "Apply"]]);
});

test("apply with an unchanged value shares ownership instead of conflicting", () => {
  const created: JsonObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };
  const live = withManagers(created, managersAfterUpdate({}, created, { ...ctx("creator"), schema: typeForKind("ConfigMap") }));
  const applied = serverSideApply(live, created, { ...ctx("applier"), schema: typeForKind("ConfigMap"), force: false });
  const owners = applied.managers.filter((m) => m.set.has(["f:data", "f:a"])).map((m) => m.manager).sort();
  assert.deepEqual(owners, ["applier", "creator"]);
  assert.ok(new FieldSet().size === 0);
});
