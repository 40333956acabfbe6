// RFC 6902 JSON patch and RFC 7386 merge patch, with the apiserver's error classes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyJsonPatch } from "./json-patch.js";
import { applyMergePatch } from "./merge-patch.js";

test("json patch add/replace/remove/move/copy/test operate on pointers with ~1 escapes and '-'", () => {
  const doc = { metadata: { annotations: { "a/b": "1" } }, list: [1, 2] };
  const out = applyJsonPatch(doc, [
    { op: "replace", path: "/metadata/annotations/a~1b", value: "2" },
    { op: "add", path: "/list/-", value: 3 },
    { op: "add", path: "/list/0", value: 0 },
    { op: "copy", from: "/list/3", path: "/copied" },
    { op: "move", from: "/copied", path: "/moved" },
    { op: "remove", path: "/list/1" },
    { op: "test", path: "/moved", value: 3 },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { "a/b": "2" } }, list: [0, 2, 3], moved: 3 });
  assert.deepEqual(doc.list, [1, 2], "the input is not mutated");
});

test("a json patch that cannot apply is 422; one that is not a patch document is 400", () => {
  assert.throws(() => applyJsonPatch({}, [{ op: "remove", path: "/missing" }]), (e: any) => e.code === 422 && e.reason === "Invalid");
  assert.throws(() => applyJsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]), (e: any) => e.code === 422);
  assert.throws(() => applyJsonPatch({}, { op: "add" }), (e: any) => e.code === 400);
});

test("merge patch merges objects recursively, deletes on null and replaces lists", () => {
  assert.deepEqual(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [9] }), { a: { c: 2, d: 3 }, l: [9] });
});
