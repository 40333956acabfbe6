// loadUpstream reads kubeconfigs as kubectl does: the first file to name an entry wins, relative
// paths resolve against the file that holds them, and a user's token-file is found (client-node's
// User has no field for it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { loadUpstream } from "./upstream-kubeconfig.js";

function kubeconfig(cluster: string, user: Record<string, unknown>, currentContext: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": currentContext,
    clusters: [{ name: cluster, cluster: { server: "https://127.0.0.1:6443", "certificate-authority": "ca.crt" } }],
    users: [{ name: "dev", user }],
    contexts: [{ name: "work", context: { cluster, user: "dev", namespace: "team-a" } }],
  });
}

test("the first file to name a user wins, with its token-file; a CA resolves against that file's folder", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-kubeconfig-"));
  const saved = process.env.KUBECONFIG;
  t.after(() => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, "a"));
  mkdirSync(join(dir, "b"));
  const first = join(dir, "a", "config");
  const second = join(dir, "b", "config");
  writeFileSync(join(dir, "a", "token"), "token-a\n");
  writeFileSync(join(dir, "b", "token"), "token-b\n");
  writeFileSync(first, kubeconfig("one", { "token-file": join(dir, "a", "token") }, "work"));
  writeFileSync(second, kubeconfig("two", { "token-file": join(dir, "b", "token") }, "other"));
  process.env.KUBECONFIG = [first, second].join(delimiter);
  const spec = loadUpstream({});
  assert.equal(spec.contextName, "work", "current-context from the first file that sets it");
  assert.equal(spec.cluster.name, "one");
  assert.equal(spec.cluster.caFile, join(dir, "a", "ca.crt"));
  assert.equal(spec.tokenFile, join(dir, "a", "token"), "the first file's user");
  assert.equal(spec.userSourceDir, join(dir, "a"));
  assert.deepEqual(spec.files, [first, second]);

  // The same user named first by the second file: its token-file is that file's.
  process.env.KUBECONFIG = [second, first].join(delimiter);
  const reversed = loadUpstream({ context: "work" });
  assert.equal(reversed.tokenFile, join(dir, "b", "token"));
  assert.equal(reversed.cluster.name, "two");
});

test("a user without a token-file has none", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-kubeconfig-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "config");
  writeFileSync(file, kubeconfig("one", { token: "static-token" }, "work"));
  const spec = loadUpstream({ kubeconfig: file });
  assert.equal(spec.tokenFile, null);
  assert.equal(spec.user.token, "static-token");
});

test("a relative token-file resolves against the kubeconfig's folder, not the working directory", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "chaperone-kubeconfig-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "kube"));
  writeFileSync(join(dir, "kube", "token"), "relative-token\n");
  const file = join(dir, "kube", "config");
  writeFileSync(file, kubeconfig("one", { "token-file": "token" }, "work"));
  const spec = loadUpstream({ kubeconfig: file });
  assert.equal(spec.tokenFile, join(dir, "kube", "token"));
});
