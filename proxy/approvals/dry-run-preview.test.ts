import { test } from "node:test";
import assert from "node:assert/strict";
import { dryRunTarget } from "./dry-run-preview.js";

test("the preview target always carries exactly dryRun=All, whatever the agent sent", () => {
  assert.equal(dryRunTarget("/api/v1/namespaces/a/pods/p"), "/api/v1/namespaces/a/pods/p?dryRun=All");
  assert.equal(dryRunTarget("/api/v1/namespaces/a/pods/p?fieldManager=kubectl"), "/api/v1/namespaces/a/pods/p?fieldManager=kubectl&dryRun=All");
  assert.equal(dryRunTarget("/api/v1/namespaces/a/pods/p?dryRun=None&dryRun=Foo"), "/api/v1/namespaces/a/pods/p?dryRun=All");
});
