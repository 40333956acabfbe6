// Durability: `chaperone serve` killed with SIGKILL in the middle of a burst of writes leaves an
// audit log that verifies (a truncated last line at worst, reported and not counted) and that
// holds a record of every write that reached the cluster. A restarted engine continues the chain.
import { it } from "node:test";
import assert from "node:assert/strict";
import https from "node:https";
import { startGatewayFixture, EVERYDAY_POLICY } from "../support/gateway-fixture.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";
import { chaperone, serve } from "../support/chaperone-cli.js";
import { auditEvents } from "../support/audit-events.js";
import { verifyAuditLog } from "../../proxy/audit/audit-verify.js";
import { join } from "node:path";

function createConfigMap(server: string, ca: string, token: string, name: string): Promise<number> {
  const url = new URL(server);
  const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { n: name } });
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/api/v1/namespaces/default/configmaps",
        ca,
        agent: false,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.setTimeout(10_000, () => req.destroy());
    req.on("error", () => resolve(0)); // the engine died under it
    req.end(body);
  });
}

it("SIGKILL during a burst of writes leaves a log that verifies and records every write that reached the cluster", async (t) => {
  const fx = await startGatewayFixture(t, { policy: EVERYDAY_POLICY, profile: "everyday" });
  const { server, caPem, token } = readAgentKubeconfig(fx.agentKubeconfig);

  // Eight writers in a loop until the engine dies under them.
  let n = 0;
  let killed = false;
  const writer = async (): Promise<void> => {
    while (!killed) {
      const name = `burst-${n++}`;
      const code = await createConfigMap(server, caPem, token, name);
      if (code === 0) return;
    }
  };
  const writers = Array.from({ length: 8 }, () => writer());
  const started = Date.now();
  while (fx.cluster.requests.filter((r) => r.method === "POST").length < 60 && Date.now() - started < 20_000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  fx.server.child.kill("SIGKILL");
  killed = true;
  await fx.server.stop();
  await Promise.all(writers);

  const reached = fx.cluster.requests.filter((r) => r.method === "POST" && r.path.startsWith("/api/v1/namespaces/default/configmaps"));
  assert.ok(reached.length >= 60, `only ${reached.length} writes reached the cluster`);
  const created = new Set(
    fx.cluster.store
      .list("configmaps", "default")
      .map((cm) => (cm.metadata as { name: string }).name)
      .filter((name) => name.startsWith("burst-")),
  );

  const report = verifyAuditLog(join(fx.dataDir, "audit"));
  assert.equal(report.ok, true, JSON.stringify(report.problem));
  const verify = await chaperone(["audit", "verify", "--data-dir", fx.dataDir]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);

  const recorded = new Set(
    auditEvents(fx.dataDir)
      .filter((e) => e.verb === "create" && e.objectRef?.resource === "configmaps" && e.stage === "RequestReceived")
      .map((e) => (e.requestObject as { metadata: { name: string } }).metadata.name),
  );
  const missing = [...created].filter((name) => !recorded.has(name));
  assert.deepEqual(missing, [], "every configmap in the cluster has its write recorded");
  assert.ok(created.size >= 50, `only ${created.size} configmaps were created`);

  // A new engine on the same data dir continues the chain (after whatever the crash left).
  const again = await serve(["--data-dir", fx.dataDir, "--kubeconfig", fx.developerKubeconfig, "--listen", "127.0.0.1:0"]);
  t.after(() => again.stop());
  assert.equal(await createConfigMap(again.proxyUrl, caPem, token, "after-restart"), 201);
  assert.equal(await again.stop("SIGTERM"), 0);
  const after = verifyAuditLog(join(fx.dataDir, "audit"));
  assert.equal(after.ok, true, JSON.stringify(after.problem));
  assert.ok(after.events > report.events);
  const start = auditEvents(fx.dataDir).filter((e) => e.annotations["chaperone.dev/event"] === "engine.start");
  assert.equal(start.length, 2);
});
