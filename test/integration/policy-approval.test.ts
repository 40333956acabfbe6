// Policy and human approval with real kubectl: allowed requests pass, denied ones print the reason,
// asked ones wait until a person decides through the control API — and nothing reaches the
// cluster unless someone said yes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startGatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { spawnWatched } from "../support/spawned.js";
import { KUBECTL } from "../support/paths.js";
import { result, waitForApproval } from "../support/control-api.js";
import type { ApprovalView, DecideResult, GrantView } from "../../proxy/control/contract.js";

function kubectlEnv(fx: { dir: string; agentKubeconfig: string }): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig };
}

/** The dry-run preview is computed while the request waits; poll until it is ready. */
async function waitForPreview(dataDir: string, held: ApprovalView): Promise<ApprovalView> {
  let view = held;
  const deadline = Date.now() + 10_000;
  while (view.preview?.state !== "ready" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    view = await result<ApprovalView>(dataDir, "GET", `/api/v1/approvals/${held.id}`);
  }
  return view;
}

function namespaceObject(name: string) {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

test("an allowed read passes and a denied request makes kubectl print the rule's message", async (t) => {
  const fx = await startGatewayFixture(t, {
    policy: "profiles:\n  guarded:\n    rules:\n      - id: no-kube-system\n        namespace: kube-system\n        action: deny\n        message: kube-system is off limits to agents\n",
  });
  const allowed = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
  assert.equal(allowed.code, 0, allowed.stderr);
  const before = fx.cluster.requests.length;
  const denied = await kubectl(fx.agentKubeconfig, ["get", "pods", "-n", "kube-system"], { env: fx.env });
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Forbidden.*kube-system is off limits to agents/);
  assert.equal(fx.cluster.requests.filter((r) => r.path.includes("kube-system")).length, 0, "nothing about kube-system was forwarded");
  assert.ok(fx.cluster.requests.length >= before);
});

test("a read-only agent's write is denied with a message, and never forwarded", async (t) => {
  const fx = await startGatewayFixture(t, { profile: "read-only" });
  const result = await kubectl(fx.agentKubeconfig, ["delete", "pod", "nginx", "--wait=false"], { env: fx.env });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /Forbidden/);
  assert.ok(fx.cluster.store.get("pods", "default", "nginx"), "the pod is still there");
});

test("kubectl delete namespace waits for an approver, is approved through the control API, and completes", async (t) => {
  const fx = await startGatewayFixture(t);
  fx.cluster.store.put(namespaceObject("scratch"));
  const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "scratch", "--wait=false"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.resource === "namespaces" && a.name === "scratch");
  assert.equal(approval.agent, "claude");
  assert.equal(approval.verb, "delete");
  assert.match(approval.summary, /delete namespaces "scratch"/);
  assert.ok(approval.rule.name.length > 0);
  assert.ok(fx.cluster.store.get("namespaces", undefined, "scratch"), "nothing applied while waiting");
  const decided = await result<DecideResult>(fx.dataDir, "POST", `/api/v1/approvals/${approval.id}/decide`, { decision: "allow-once" });
  assert.equal(decided.outcome, "allowed");
  assert.equal(await deletion.exited, 0, deletion.output());
  assert.match(deletion.output(), /namespace "scratch" deleted/);
});

test("an approver's denial reaches the agent with its reason, and nothing is applied", async (t) => {
  const fx = await startGatewayFixture(t);
  fx.cluster.store.put(namespaceObject("prod"));
  const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "prod", "--wait=false"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.name === "prod");
  await result<DecideResult>(fx.dataDir, "POST", `/api/v1/approvals/${approval.id}/decide`, { decision: "deny", reason: "use namespace staging, not prod" });
  assert.notEqual(await deletion.exited, 0);
  assert.match(deletion.output(), /Denied by the approver: use namespace staging, not prod/);
  assert.ok(fx.cluster.store.get("namespaces", undefined, "prod"));
});

test("an unanswered request times out with a 403 that says so", async (t) => {
  const fx = await startGatewayFixture(t, { serveArgs: ["--approval-timeout", "2s"] });
  const started = Date.now();
  const result = await kubectl(fx.agentKubeconfig, ["delete", "pod", "nginx", "--wait=false"], { env: fx.env });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /no approver answered within 2s; the request was not sent/);
  assert.ok(Date.now() - started >= 1_900);
  assert.ok(fx.cluster.store.get("pods", "default", "nginx"));
});

test("killing kubectl while it waits withdraws the approval", async (t) => {
  const fx = await startGatewayFixture(t);
  const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "pod", "nginx", "--wait=false"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.name === "nginx");
  deletion.child.kill("SIGKILL");
  const deadline = Date.now() + 5_000;
  let pending: ApprovalView[] = [approval];
  while (pending.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    pending = await result<ApprovalView[]>(fx.dataDir, "GET", "/api/v1/approvals");
  }
  assert.deepEqual(pending, [], "the approval was withdrawn");
  assert.ok(fx.cluster.store.get("pods", "default", "nginx"), "nothing applied");
});

test("a grant lets the next matching request through without asking, and expires", async (t) => {
  const fx = await startGatewayFixture(t);
  for (const name of ["a", "b", "c"]) {
    fx.cluster.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: {} });
  }
  const first = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "a"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.name === "a");
  // 0.05 minutes: three seconds, so the test can watch it expire.
  const decided = await result<DecideResult>(fx.dataDir, "POST", `/api/v1/approvals/${approval.id}/decide`, { decision: "allow-for", minutes: 0.05 });
  assert.ok(decided.grant);
  assert.equal(await first.exited, 0, first.output());
  const grants = await result<GrantView[]>(fx.dataDir, "GET", "/api/v1/grants");
  assert.equal(grants.length, 1);
  assert.equal(grants[0]?.agent, "claude");

  const second = await kubectl(fx.agentKubeconfig, ["delete", "configmap", "b"], { env: fx.env, timeoutMs: 10_000 });
  assert.equal(second.code, 0, `granted: no approval needed (${second.stderr})`);
  assert.equal(fx.cluster.store.get("configmaps", "default", "b"), undefined);

  // A different shape (a pod, not a configmap) is not covered by the grant.
  const other = spawnWatched(t, KUBECTL["1.33"], ["delete", "pod", "nginx", "--wait=false"], kubectlEnv(fx));
  const otherApproval = await waitForApproval(fx.dataDir, (a) => a.name === "nginx");
  await result(fx.dataDir, "POST", `/api/v1/approvals/${otherApproval.id}/decide`, { decision: "deny" });
  await other.exited;

  await new Promise((r) => setTimeout(r, 3_200));
  assert.deepEqual(await result<GrantView[]>(fx.dataDir, "GET", "/api/v1/grants"), [], "expired");
  const third = spawnWatched(t, KUBECTL["1.33"], ["delete", "configmap", "c"], kubectlEnv(fx));
  const again = await waitForApproval(fx.dataDir, (a) => a.name === "c");
  await result(fx.dataDir, "POST", `/api/v1/approvals/${again.id}/decide`, { decision: "allow-once" });
  assert.equal(await third.exited, 0);
});

test("exec asks with its command line shown to the approver", async (t) => {
  const fx = await startGatewayFixture(t);
  for (const version of ["1.27", "1.33"] as const) {
    const exec = spawnWatched(t, KUBECTL[version], ["exec", "nginx", "--", "sh", "-c", "echo approved-$HOSTNAME"], kubectlEnv(fx));
    const approval = await waitForApproval(fx.dataDir, (a) => a.verb === "exec");
    assert.deepEqual(approval.exec?.command, ["sh", "-c", "echo approved-$HOSTNAME"]);
    assert.equal(approval.exec?.container, "nginx", "kubectl names the default container");
    assert.equal(approval.name, "nginx");
    await result(fx.dataDir, "POST", `/api/v1/approvals/${approval.id}/decide`, { decision: "allow-once" });
    assert.equal(await exec.exited, 0, exec.output());
    assert.match(exec.output(), /approved-nginx/);
  }
});

test("the dry-run preview of a held patch shows the diff, and the cluster is unchanged until approved", async (t) => {
  const fx = await startGatewayFixture(t);
  // A Secret write asks in the guarded profile.
  fx.cluster.store.put({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, type: "Opaque", data: { user: "YWxpY2U=" } });
  const versionBefore = fx.cluster.store.get("secrets", "default", "creds")?.metadata;
  const patch = spawnWatched(t, KUBECTL["1.33"], ["patch", "secret", "creds", "--type", "merge", "-p", '{"data":{"user":"Ym9i"}}'], kubectlEnv(fx));
  const held = await waitForApproval(fx.dataDir, (a) => a.name === "creds");
  const view = await waitForPreview(fx.dataDir, held);
  assert.equal(view.preview?.state, "ready");
  assert.equal(view.preview?.rejected, false);
  assert.match(view.preview?.diff ?? "", /^-\s+user: YWxpY2U=$/m);
  assert.match(view.preview?.diff ?? "", /^\+\s+user: Ym9i$/m);
  assert.deepEqual(fx.cluster.store.get("secrets", "default", "creds")?.metadata, versionBefore, "the preview did not write");
  assert.ok(fx.cluster.requests.some((r) => r.method === "PATCH" && r.path.includes("dryRun=All")));
  assert.deepEqual((view.object as { data?: unknown }).data, { user: "Ym9i" }, "the approver sees the write's object");
  await result(fx.dataDir, "POST", `/api/v1/approvals/${held.id}/decide`, { decision: "allow-once" });
  assert.equal(await patch.exited, 0, patch.output());
  assert.equal((fx.cluster.store.get("secrets", "default", "creds")?.data as Record<string, string>).user, "Ym9i");
});

test("a preview shows when the API server would reject the write", async (t) => {
  const fx = await startGatewayFixture(t);
  const create = spawnWatched(
    t,
    KUBECTL["1.33"],
    ["create", "secret", "generic", "bad_name!", "--from-literal=a=b"],
    kubectlEnv(fx),
  );
  const held = await waitForApproval(fx.dataDir, (a) => a.resource === "secrets");
  const view = await waitForPreview(fx.dataDir, held);
  assert.equal(view.preview?.rejected, true);
  assert.match(view.preview?.message ?? "", /invalid|Invalid/);
  await result(fx.dataDir, "POST", `/api/v1/approvals/${held.id}/decide`, { decision: "deny" });
  await create.exited;
});

test("always allow appends a rule to the policy file, and the next identical request passes without asking", async (t) => {
  const fx = await startGatewayFixture(t);
  const first = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "cat", "/etc/hostname"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.verb === "exec");
  assert.match(approval.alwaysRule, /agent: claude/);
  assert.match(approval.alwaysRule, /exec\.command == \["cat","\/etc\/hostname"\]/);
  const decided = await result<DecideResult>(fx.dataDir, "POST", `/api/v1/approvals/${approval.id}/decide`, { decision: "always" });
  assert.equal(decided.ruleAdded?.profile, "guarded");
  assert.equal(await first.exited, 0);
  const file = readFileSync(join(fx.dataDir, "policy.yaml"), "utf8");
  assert.match(file, new RegExp(`id: approved-${approval.id}`));
  const second = await kubectl(fx.agentKubeconfig, ["exec", "nginx", "--", "cat", "/etc/hostname"], { env: fx.env, timeoutMs: 10_000 });
  assert.equal(second.code, 0, second.stderr);
  // A different command still asks.
  const different = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "env"], kubectlEnv(fx));
  const asked = await waitForApproval(fx.dataDir, (a) => a.verb === "exec");
  await result(fx.dataDir, "POST", `/api/v1/approvals/${asked.id}/decide`, { decision: "deny" });
  assert.notEqual(await different.exited, 0);
});

test("stopping the engine with a request pending fails it closed: nothing is applied", async (t) => {
  const fx = await startGatewayFixture(t);
  fx.cluster.store.put(namespaceObject("keep"));
  const deletion = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "keep", "--wait=false"], kubectlEnv(fx));
  await waitForApproval(fx.dataDir, (a) => a.name === "keep");
  assert.equal(await fx.server.stop("SIGTERM"), 0);
  assert.notEqual(await deletion.exited, 0);
  assert.ok(fx.cluster.store.get("namespaces", undefined, "keep"), "not deleted");
});

test("a denied WebSocket exec is not asked again when kubectl falls back to SPDY", async (t) => {
  const fx = await startGatewayFixture(t);
  const exec = spawnWatched(t, KUBECTL["1.33"], ["exec", "nginx", "--", "env"], kubectlEnv(fx));
  const approval = await waitForApproval(fx.dataDir, (a) => a.verb === "exec");
  await result(fx.dataDir, "POST", `/api/v1/approvals/${approval.id}/decide`, { decision: "deny", reason: "no env dumps" });
  assert.notEqual(await exec.exited, 0);
  assert.match(exec.output(), /Denied by the approver: no env dumps/);
  assert.deepEqual(await result<ApprovalView[]>(fx.dataDir, "GET", "/api/v1/approvals"), [], "the SPDY retry replayed the answer instead of asking");
});
