import { test } from "node:test";
import assert from "node:assert/strict";
import { unifiedDiff } from "./line-diff.js";

test("identical texts give an empty diff", () => {
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n"), "");
});

test("a changed line shows as - and + with context, in one hunk", () => {
  const before = ["a", "b", "c", "d", "e", "f", "g"].join("\n");
  const after = ["a", "b", "c", "D", "e", "f", "g"].join("\n");
  assert.equal(unifiedDiff(before, after), "--- current\n+++ after\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n");
});

test("creation diffs against nothing; deletion against nothing after", () => {
  assert.equal(unifiedDiff("", "x\ny\n"), "--- current\n+++ after\n@@ -0,0 +1,2 @@\n+x\n+y\n");
  assert.equal(unifiedDiff("x\n", ""), "--- current\n+++ after\n@@ -1,1 +0,0 @@\n-x\n");
});

test("distant changes get separate hunks", () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line${i}`);
  const changed = [...lines];
  changed[2] = "X";
  changed[27] = "Y";
  const diff = unifiedDiff(lines.join("\n"), changed.join("\n"));
  assert.equal(diff.split("\n").filter((l) => l.startsWith("@@")).length, 2);
});
