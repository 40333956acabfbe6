// Strategic merge patch as the apiserver applies it, on Pod and Deployment shapes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";
import { typeForKind } from "./schema.js";
import type { JsonObject } from "./json.js";

const pod = (): JsonObject => ({
  metadata: { name: "p", labels: { a: "1", b: "2" }, finalizers: ["x", "y"] },
  spec: {
    containers: [
      { name: "app", image: "app:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }], ports: [{ containerPort: 80 }] },
      { name: "side", image: "side:1" },
    ],
    volumes: [{ name: "data", emptyDir: {} }],
    tolerations: [{ key: "k", operator: "Exists" }],
  },
});
const smp = (patch: JsonObject, original = pod()) => applyStrategicMergePatch(original, patch, typeForKind("Pod")) as any;

test("containers merge by name: a patched container keeps its other fields, a new one follows the patch order", () => {
  const out = smp({ spec: { containers: [{ name: "app", image: "app:2" }, { name: "new", image: "new:1" }] } });
  // mergeSortedSlice: patch items keep patch order and go ahead of server-only items they cannot be ranked against.
  assert.deepEqual(out.spec.containers.map((c: any) => [c.name, c.image]), [["app", "app:2"], ["new", "new:1"], ["side", "side:1"]]);
  assert.equal(out.spec.containers[0].env.length, 2);
});

test("env merges by name inside a container, and null deletes a map key", () => {
  const out = smp({ metadata: { labels: { a: null, c: "3" } }, spec: { containers: [{ name: "app", env: [{ name: "B", value: "two" }, { name: "C", value: "3" }] }] } });
  assert.deepEqual(out.metadata.labels, { b: "2", c: "3" });
  assert.deepEqual(out.spec.containers[0].env, [{ name: "A", value: "1" }, { name: "B", value: "two" }, { name: "C", value: "3" }]);
});

test("$patch: delete removes a list element by merge key; $patch: replace replaces the whole list", () => {
  const deleted = smp({ spec: { containers: [{ name: "side", $patch: "delete" }] } });
  assert.deepEqual(deleted.spec.containers.map((c: any) => c.name), ["app"]);
  const replaced = smp({ spec: { containers: [{ $patch: "replace" }, { name: "only", image: "only:1" }] } });
  assert.deepEqual(replaced.spec.containers, [{ name: "only", image: "only:1" }]);
});

test("$patch: replace on a map replaces it; $patch: delete empties it", () => {
  const replaced = smp({ metadata: { labels: { $patch: "replace", z: "9" } } });
  assert.deepEqual(replaced.metadata.labels, { z: "9" });
  const emptied = smp({ metadata: { labels: { $patch: "delete" } } });
  assert.deepEqual(emptied.metadata.labels, {});
});

test("$setElementOrder orders the merged list; lists without a merge strategy are replaced", () => {
  const out = smp({ spec: { "$setElementOrder/containers": [{ name: "side" }, { name: "app" }], containers: [{ name: "app", image: "app:3" }], tolerations: [{ key: "other", operator: "Exists" }] } });
  assert.deepEqual(out.spec.containers.map((c: any) => [c.name, c.image]), [["side", "side:1"], ["app", "app:3"]]);
  assert.deepEqual(out.spec.tolerations, [{ key: "other", operator: "Exists" }]);
});

test("$retainKeys drops keys not listed (volume source switch); primitive merge lists union and $deleteFromPrimitiveList removes", () => {
  const out = smp({
    metadata: { finalizers: ["z"], "$deleteFromPrimitiveList/finalizers": ["x"] },
    spec: { volumes: [{ name: "data", $retainKeys: ["name", "hostPath"], hostPath: { path: "/tmp" } }] },
  });
  assert.deepEqual(out.spec.volumes, [{ name: "data", hostPath: { path: "/tmp" } }]);
  assert.deepEqual(out.metadata.finalizers, ["z", "y"]);
});

test("ports merge by containerPort; a list element without its merge key is a 400", () => {
  const out = smp({ spec: { containers: [{ name: "app", ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }] }] } });
  assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 80, name: "http" }, { containerPort: 443 }]);
  assert.throws(() => smp({ spec: { containers: [{ image: "x" }] } }), (e: any) => e.code === 400 && /does not contain declared merge key: name/.test(e.message));
});

test("deployment template containers merge through spec.template.spec", () => {
  const d: JsonObject = { spec: { replicas: 1, template: { spec: { containers: [{ name: "a", image: "a:1" }] } } } };
  const out = applyStrategicMergePatch(d, { spec: { template: { spec: { containers: [{ name: "a", image: "a:2" }] } } } }, typeForKind("Deployment")) as any;
  assert.deepEqual(out.spec.template.spec.containers, [{ name: "a", image: "a:2" }]);
  assert.equal(out.spec.replicas, 1);
});
