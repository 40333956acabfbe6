// A dead upstream is reported, not hung on: agents get a 503 Status that says what happened, the
// engine starts anyway, and it recovers by itself when the cluster comes back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { createCertificateAuthority } from "../../proxy/tls/certificates.js";
import { startGatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { tempDir } from "../support/temp-dir.js";
import { writeDevKubeconfig } from "../support/dev-kubeconfig.js";
import { chaperone, serve } from "../support/chaperone-cli.js";
import { rawRequest } from "../support/https-request.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";

test("a killed upstream gives a clear 503, and requests work again once it is back, without restarting", async (t) => {
  const fx = await startGatewayFixture(t);
  const ok = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
  assert.equal(ok.code, 0, ok.stderr);

  await fx.cluster.stop();
  const agent = readAgentKubeconfig(fx.agentKubeconfig);
  const down = await rawRequest(agent.server, { path: "/api/v1/namespaces/default/pods", headers: { Authorization: `Bearer ${agent.token}` }, ca: agent.caPem });
  assert.equal(down.status, 503);
  const status = JSON.parse(down.body) as { reason: string; message: string };
  assert.equal(status.reason, "ServiceUnavailable");
  assert.match(status.message, /unreachable \(ECONNREFUSED\)/);
  const viaKubectl = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env, timeoutMs: 25_000 });
  assert.notEqual(viaKubectl.code, 0);
  assert.match(viaKubectl.stderr, /unreachable/);

  await fx.cluster.start();
  const back = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
  assert.equal(back.code, 0, back.stderr);
});

test("serve starts while the upstream is down and says so on the first request", async (t) => {
  const dir = tempDir(t);
  const kubeconfig = writeDevKubeconfig(join(dir, "dev.kubeconfig"), { context: "down" });

  const dataDir = join(dir, "data");
  const server = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"]);
  t.after(() => server.stop());
  assert.match(server.output(), /proxy listening on https:\/\/127\.0\.0\.1:\d+ \(upstream: down at https:\/\/127\.0\.0\.1:9\)/);
  const agentKubeconfig = join(dir, "agent.kubeconfig");
  assert.equal((await chaperone(["agent", "add", "a", "--data-dir", dataDir, "--out", agentKubeconfig])).code, 0);
  const agent = readAgentKubeconfig(agentKubeconfig);
  const response = await rawRequest(agent.server, { path: "/version", headers: { Authorization: `Bearer ${agent.token}` }, ca: agent.caPem });
  assert.equal(response.status, 503);
  assert.match((JSON.parse(response.body) as { message: string }).message, /upstream cluster "down" .* unreachable/);
});

test("an upstream whose certificate the kubeconfig's CA does not vouch for gives a 503 that names TLS and the fix", async (t) => {
  const fx = await startGatewayFixture(t);
  const dir = tempDir(t);
  // The developer's kubeconfig trusts some other CA: every upstream connection must fail verification.
  const other = await createCertificateAuthority("someone else's CA");
  const kubeconfig = join(dir, "wrong-ca.kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: fx.cluster.url, "certificate-authority-data": Buffer.from(other.certPem).toString("base64") } }],
      users: [{ name: "u", user: { token: fx.cluster.adminToken } }],
      contexts: [{ name: "wrong-ca", context: { cluster: "c", user: "u" } }],
      "current-context": "wrong-ca",
    }),
  );
  const dataDir = join(dir, "data");
  const server = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"]);
  t.after(() => server.stop());
  const agentKubeconfig = join(dir, "agent.kubeconfig");
  assert.equal((await chaperone(["agent", "add", "a", "--data-dir", dataDir, "--out", agentKubeconfig])).code, 0);
  const agent = readAgentKubeconfig(agentKubeconfig);
  const before = fx.cluster.requests.length;
  const response = await rawRequest(agent.server, { path: "/api/v1/namespaces/default/pods", headers: { Authorization: `Bearer ${agent.token}` }, ca: agent.caPem });
  assert.equal(response.status, 503);
  const status = JSON.parse(response.body) as { reason: string; message: string };
  assert.match(status.message, /TLS verification of the upstream cluster "wrong-ca" .* failed .*fix certificate-authority-data for cluster "c"/);
  assert.equal(fx.cluster.requests.length, before, "no request completed against an unverified server");
});
