// The audit log of real kubectl sessions: Kubernetes audit events with Chaperone's facts in their
// annotations, bodies masked, approvals, agent and policy changes recorded, and a hash chain that
// `chaperone audit verify` accepts as written and rejects — naming the line — once any line is
// edited, deleted or moved.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGatewayFixture, EVERYDAY_POLICY, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { chaperone } from "../support/chaperone-cli.js";
import { spawnWatched } from "../support/spawned.js";
import { CLI_PATH, KUBECTL } from "../support/paths.js";
import { result, waitForApproval } from "../support/control-api.js";
import { auditEvents, waitForEvent } from "../support/audit-events.js";
import type { DecideResult } from "../../proxy/control/contract.js";

/** The everyday profile, plus Secret writes without asking (to see a Secret's body masked). */
const POLICY = `${EVERYDAY_POLICY}    rules:
      - id: secrets-in-tests
        resource: secrets
        action: allow
        overrideGuardrail: secret-write
`;

const SECRET_B64 = Buffer.from("hunter2-very-secret").toString("base64");

/** A copy of the data dir's audit folder, for tampering with. */
function copyAudit(fx: GatewayFixture, name: string): { dataDir: string; active: string } {
  const dataDir = join(fx.dir, name);
  mkdirSync(dataDir);
  cpSync(join(fx.dataDir, "audit"), join(dataDir, "audit"), { recursive: true });
  return { dataDir, active: join(dataDir, "audit", "audit.jsonl") };
}

function lines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").slice(0, -1);
}

async function everydaySession(fx: GatewayFixture): Promise<void> {
  const k = (args: string[]) => kubectl(fx.agentKubeconfig, args, { env: fx.env });
  const manifest = join(fx.dir, "cm.yaml");
  writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  mode: one\n");
  // From a file, so kubectl sends JSON (`create secret generic` sends protobuf, which is not logged).
  const secret = join(fx.dir, "secret.yaml");
  writeFileSync(secret, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: default\ndata:\n  password: ${SECRET_B64}\n`);
  for (const args of [
    ["get", "pods"],
    ["create", "-f", manifest],
    ["create", "-f", secret],
    ["patch", "configmap", "settings", "--type", "merge", "-p", '{"data":{"mode":"two"}}'],
    ["exec", "nginx", "--", "echo", "audited"],
    ["delete", "configmap", "settings"],
  ]) {
    const out = await k(args);
    assert.equal(out.code, 0, `${args.join(" ")}: ${out.stderr}`);
  }
}

describe("audit log", () => {
  it("records each request as an audit.k8s.io/v1 Event with the agent, the decision and masked bodies", async (t) => {
    const fx = await startGatewayFixture(t, { policy: POLICY, profile: "everyday" });
    await everydaySession(fx);
    await waitForEvent(fx.dataDir, "the delete's completion", (e) => e.verb === "delete" && e.stage === "ResponseComplete");
    const events = auditEvents(fx.dataDir);

    const create = events.filter((e) => e.verb === "create" && e.objectRef?.resource === "configmaps");
    assert.deepEqual(create.map((e) => e.stage), ["RequestReceived", "ResponseComplete"], "a write is recorded before it is sent, then its outcome");
    assert.equal(create[0]!.auditID, create[1]!.auditID);
    const done = create[1]!;
    assert.equal(done.kind, "Event");
    assert.equal(done.apiVersion, "audit.k8s.io/v1");
    assert.equal(done.level, "Request");
    assert.equal(done.user.username, "claude");
    assert.deepEqual(done.objectRef, { resource: "configmaps", namespace: "default", name: "settings", apiGroup: "", apiVersion: "v1" });
    assert.equal(done.responseStatus?.code, 201);
    assert.deepEqual((done.requestObject as { data: unknown }).data, { mode: "one" });
    assert.match(done.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(done.userAgent ?? "", /^kubectl/);
    assert.deepEqual(done.sourceIPs, ["127.0.0.1"]);
    assert.equal(done.annotations["chaperone.dev/agent"], "claude");
    assert.equal(done.annotations["chaperone.dev/profile"], "everyday");
    assert.equal(done.annotations["chaperone.dev/decision"], "allow");
    assert.match(done.annotations["chaperone.dev/rule"] ?? "", /^(everyday|guarded)\/\S+$/);
    assert.equal(done.annotations["authorization.k8s.io/decision"], "allow");
    assert.ok(done.annotations["chaperone.dev/upstream-context"]);

    const secret = events.find((e) => e.verb === "create" && e.objectRef?.resource === "secrets" && e.stage === "ResponseComplete")!;
    const password = (secret.requestObject as { data: { password: string } }).data.password;
    assert.notEqual(password, SECRET_B64, "the Secret's value is masked in the request object");
    assert.match(secret.annotations["chaperone.dev/masked-fields"] ?? "", /data\.password/);
    assert.equal(secret.objectRef?.name, "db");
    assert.ok(!readFileSync(join(fx.dataDir, "audit", "audit.jsonl"), "utf8").includes(SECRET_B64), "the secret's value is nowhere in the log");

    const list = events.find((e) => e.verb === "list" && e.objectRef?.resource === "pods")!;
    assert.equal(list.stage, "ResponseComplete");
    assert.equal(list.requestObject, undefined);
    assert.equal(list.responseObject, undefined);

    const tail = await chaperone(["audit", "tail", "--agent", "claude", "--verb", "create", "--data-dir", fx.dataDir]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout, /claude {2}create {2}configmaps\/settings -n default {2}\(recorded before sending\)/);
    assert.match(tail.stdout, /claude {2}create {2}configmaps\/settings -n default {2}201 {2}allow (everyday|guarded)\//);
    const execTail = await chaperone(["audit", "tail", "--verb", "exec", "-n", "1", "--data-dir", fx.dataDir]);
    assert.match(execTail.stdout, /exec {2}pods\/nginx\/exec -n default -- echo audited {2}101 {2}.*exit=0 {2}recording=[0-9a-f]{8}$/m);
  });

  it("the log of a session verifies; editing, deleting or reordering a line fails and names it", async (t) => {
    const fx = await startGatewayFixture(t, { policy: POLICY, profile: "everyday" });
    await everydaySession(fx);
    assert.equal(await fx.server.stop("SIGTERM"), 0);

    const verified = await chaperone(["audit", "verify", "--data-dir", fx.dataDir]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /^ok: \d+ events \(seq 0–\d+\) in 1 file, chain intact; last hash sha256:[0-9a-f]{64}$/m);

    const total = lines(join(fx.dataDir, "audit", "audit.jsonl")).length;
    assert.ok(total > 20, `only ${total} events`);
    const target = 8; // a line in the middle, 1-based

    const edited = copyAudit(fx, "edited");
    const editedLines = lines(edited.active);
    editedLines[target - 1] = editedLines[target - 1]!.replace('"claude"', '"someone-else"');
    writeFileSync(edited.active, editedLines.join("\n") + "\n");
    const editResult = await chaperone(["audit", "verify", "--data-dir", edited.dataDir]);
    assert.equal(editResult.code, 1);
    assert.match(editResult.stdout, new RegExp(`^FAILED: audit\\.jsonl:${target}: event seq ${target - 1} \\(auditID [0-9a-f-]+\\) was altered`, "m"));

    const deleted = copyAudit(fx, "deleted");
    const deletedLines = lines(deleted.active);
    deletedLines.splice(target - 1, 1);
    writeFileSync(deleted.active, deletedLines.join("\n") + "\n");
    const deleteResult = await chaperone(["audit", "verify", "--data-dir", deleted.dataDir]);
    assert.equal(deleteResult.code, 1);
    assert.match(deleteResult.stdout, new RegExp(`^FAILED: audit\\.jsonl:${target}: event seq ${target} .*event ${target - 1} is missing`, "m"));

    const reordered = copyAudit(fx, "reordered");
    const reorderedLines = lines(reordered.active);
    [reorderedLines[target - 1], reorderedLines[target]] = [reorderedLines[target]!, reorderedLines[target - 1]!];
    writeFileSync(reordered.active, reorderedLines.join("\n") + "\n");
    const reorderResult = await chaperone(["audit", "verify", "--data-dir", reordered.dataDir]);
    assert.equal(reorderResult.code, 1);
    assert.match(reorderResult.stdout, new RegExp(`^FAILED: audit\\.jsonl:${target}: `, "m"));

    const truncated = copyAudit(fx, "truncated");
    writeFileSync(truncated.active, lines(truncated.active).slice(0, -2).join("\n") + "\n");
    const truncateResult = await chaperone(["audit", "verify", "--data-dir", truncated.dataDir]);
    assert.equal(truncateResult.code, 1);
    assert.match(truncateResult.stdout, /head\.json records events up to seq \d+: events \d+–\d+ were removed from the end/);
  });

  it("approval decisions are events, and the held request's events carry the approver and the reason", async (t) => {
    const fx = await startGatewayFixture(t);
    fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } });
    fx.cluster.store.put({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } });
    const env = { PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig };

    const allowed = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "scratch", "--wait=false"], env);
    const first = await waitForApproval(fx.dataDir, (a) => a.name === "scratch");
    const decided = await result<DecideResult>(fx.dataDir, "POST", `/api/v1/approvals/${first.id}/decide`, { decision: "allow-for", minutes: 10 });
    assert.equal(await allowed.exited, 0, allowed.output());

    const denied = spawnWatched(t, KUBECTL["1.33"], ["delete", "namespace", "prod", "--wait=false"], env);
    const second = await waitForApproval(fx.dataDir, (a) => a.name === "prod");
    await result<DecideResult>(fx.dataDir, "POST", `/api/v1/approvals/${second.id}/decide`, { decision: "deny", reason: "not prod" });
    assert.notEqual(await denied.exited, 0);

    const approve = await waitForEvent(fx.dataDir, "the allow decision", (e) => e.annotations["chaperone.dev/event"] === "approval.decision" && e.verb === "approve");
    assert.equal(approve.user.username, "developer (control API)");
    assert.equal(approve.annotations["chaperone.dev/approval"], "allow-for");
    assert.equal(approve.annotations["chaperone.dev/grant"], decided.grant?.id);
    assert.equal(approve.annotations["chaperone.dev/agent"], "claude");
    const sent = await waitForEvent(fx.dataDir, "the approved delete", (e) => e.verb === "delete" && e.objectRef?.name === "scratch" && e.stage === "ResponseComplete");
    assert.equal(sent.annotations["chaperone.dev/decision"], "ask");
    assert.equal(sent.annotations["chaperone.dev/approval"], "allow-for");
    assert.equal(sent.annotations["chaperone.dev/approval-id"], first.id);
    assert.equal(sent.annotations["chaperone.dev/grant"], decided.grant?.id);
    assert.equal(sent.annotations["authorization.k8s.io/decision"], "allow");

    const deny = await waitForEvent(fx.dataDir, "the deny decision", (e) => e.annotations["chaperone.dev/event"] === "approval.decision" && e.verb === "deny");
    assert.equal(deny.annotations["chaperone.dev/approval-reason"], "not prod");
    const refused = await waitForEvent(fx.dataDir, "the refused delete", (e) => e.objectRef?.name === "prod" && e.stage === "ResponseComplete");
    assert.equal(refused.responseStatus?.code, 403);
    assert.equal(refused.annotations["chaperone.dev/approval"], "deny");
    assert.equal(refused.annotations["chaperone.dev/approval-reason"], "not prod");
    assert.equal(refused.annotations["authorization.k8s.io/decision"], "forbid");
    assert.equal(auditEvents(fx.dataDir).filter((e) => e.objectRef?.name === "prod" && e.stage === "RequestReceived").length, 0, "a refused write has no record of being sent");

    await result(fx.dataDir, "POST", `/api/v1/grants/${decided.grant?.id}/revoke`);
    await waitForEvent(fx.dataDir, "the grant's revocation", (e) => e.annotations["chaperone.dev/event"] === "grant.revoked");
  });

  it("agent and policy changes made outside the engine are recorded, and audit tail -f shows them as they come", async (t) => {
    const fx = await startGatewayFixture(t);
    const follow = spawnWatched(t, process.execPath, [CLI_PATH, "audit", "tail", "-f", "--agent", "helper", "--data-dir", fx.dataDir], { PATH: process.env.PATH });
    await new Promise((r) => setTimeout(r, 300));
    await fx.addAgent("helper", "read-only");
    const added = await waitForEvent(fx.dataDir, "agent.added", (e) => e.annotations["chaperone.dev/event"] === "agent.added" && e.objectRef?.name === "helper");
    assert.equal(added.annotations["chaperone.dev/profile"], "read-only");
    assert.equal((await chaperone(["agent", "revoke", "helper", "--data-dir", fx.dataDir])).code, 0);
    await waitForEvent(fx.dataDir, "agent.revoked", (e) => e.annotations["chaperone.dev/event"] === "agent.revoked" && e.objectRef?.name === "helper");
    await follow.waitFor(/agent\.added {2}agents\/helper {2}agent=helper profile=read-only[\s\S]*agent\.revoked {2}agents\/helper/);
    follow.child.kill("SIGINT");
    assert.equal(await follow.exited, 0);

    const policy = "profiles:\n  guarded:\n    rules:\n      - id: no-kube-system\n        namespace: kube-system\n        action: deny\n";
    writeFileSync(join(fx.dataDir, "policy.yaml"), policy);
    const changed = await waitForEvent(fx.dataDir, "policy.changed", (e) => e.annotations["chaperone.dev/event"] === "policy.changed");
    assert.equal((changed.requestObject as { text: string }).text, policy);
    assert.equal(changed.annotations["chaperone.dev/policy-sha256-before"], "none");
  });
});
