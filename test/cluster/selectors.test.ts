// Label and field selector parsing and matching.
import { test } from "node:test";
import assert from "node:assert/strict";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectableFields, validateFieldSelector } from "./selectors.js";

const labels = { app: "web", tier: "front", version: "3" };
const match = (s: string) => matchesLabels(parseLabelSelector(s), labels);

test("equality, inequality and set-based label requirements match like the apiserver's", () => {
  assert.ok(match("app=web"));
  assert.ok(match("app==web"));
  assert.ok(!match("app!=web"));
  assert.ok(match("missing!=x"), "!= matches objects without the label");
  assert.ok(match("app in (web, api),tier notin (back)"));
  assert.ok(!match("app in (api)"));
  assert.ok(match("tier"));
  assert.ok(match("!missing"));
  assert.ok(!match("!app"));
  assert.ok(match("version>2,version<4"));
  assert.ok(match(""));
});

test("malformed label selectors are 400s", () => {
  assert.throws(() => parseLabelSelector("=value"), (e: any) => e.code === 400);
  assert.throws(() => parseLabelSelector("app=bad value!"), (e: any) => e.code === 400);
  assert.throws(() => parseLabelSelector("bad key=x"), (e: any) => e.code === 400);
  assert.throws(() => parseLabelSelector("a in ()"), (e: any) => e.code === 400);
});

test("field selectors match pod fields, with escapes, and reject fields the kind does not publish", () => {
  const pod = { metadata: { name: "a,b", namespace: "default" }, spec: { nodeName: "n1" }, status: { phase: "Running" } };
  const fields = selectableFields("/pods", pod);
  assert.ok(matchesFields(parseFieldSelector("status.phase=Running,metadata.name==a\\,b"), fields));
  assert.ok(matchesFields(parseFieldSelector("spec.nodeName!=n2"), fields));
  assert.ok(!matchesFields(parseFieldSelector("metadata.namespace=kube-system"), fields));
  assert.throws(() => validateFieldSelector("/configmaps", parseFieldSelector("status.phase=Running")), /field label not supported: status.phase/);
  validateFieldSelector("/secrets", parseFieldSelector("type=Opaque"));
});
