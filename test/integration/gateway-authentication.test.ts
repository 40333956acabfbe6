// The gateway authenticates every agent request, forwards with the developer's credential only,
// and refuses what an agent must not do before anything reaches the upstream.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startGatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { chaperone } from "../support/chaperone-cli.js";
import { rawRequest } from "../support/https-request.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";

test("kubectl through the gateway reaches the upstream with the developer's token, never the agent's", async (t) => {
  const fx = await startGatewayFixture(t);
  const agent = readAgentKubeconfig(fx.agentKubeconfig);
  const before = fx.cluster.requests.length;
  const result = await kubectl(fx.agentKubeconfig, ["get", "pods", "-n", "default"], { env: fx.env });
  assert.equal(result.code, 0, result.stderr);
  const seen = fx.cluster.requests.slice(before);
  assert.ok(seen.length > 0, "the upstream saw the request");
  for (const request of seen) {
    assert.equal(request.user, "developer");
    assert.equal(request.headers.authorization, `Bearer ${fx.cluster.adminToken}`);
    assert.ok(!JSON.stringify(request.headers).includes(agent.token), "agent token leaked upstream");
  }
});

test("the upstream sees the developer's client certificate when the kubeconfig uses one", async (t) => {
  const fx = await startGatewayFixture(t, { auth: "client-certificate" });
  const before = fx.cluster.requests.length;
  const result = await kubectl(fx.agentKubeconfig, ["get", "namespaces"], { env: fx.env });
  assert.equal(result.code, 0, result.stderr);
  const seen = fx.cluster.requests.slice(before);
  assert.ok(seen.length > 0);
  for (const request of seen) {
    assert.equal(request.authMethod, "client-certificate");
    assert.equal(request.user, "developer-cert");
    assert.equal(request.headers.authorization, undefined, "no Authorization header forwarded");
  }
});

test("requests without a valid token get a 401 Status and nothing is forwarded", async (t) => {
  const fx = await startGatewayFixture(t);
  const agent = readAgentKubeconfig(fx.agentKubeconfig);
  const cases: [string, Record<string, string>][] = [
    ["missing", {}],
    ["malformed", { Authorization: "Bearer not-a-chaperone-token" }],
    ["unknown", { Authorization: `Bearer chp_AAAAAAAAAAAAAAAA_${"A".repeat(43)}` }],
    ["tampered", { Authorization: `Bearer ${agent.token.slice(0, -1)}${agent.token.endsWith("A") ? "B" : "A"}` }],
    ["basic", { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
    ["developer's own token", { Authorization: `Bearer ${fx.cluster.adminToken}` }],
  ];
  for (const [label, headers] of cases) {
    const before = fx.cluster.requests.length;
    const response = await rawRequest(agent.server, { path: "/api/v1/namespaces/default/pods", headers, ca: agent.caPem });
    assert.equal(response.status, 401, label);
    const status = JSON.parse(response.body) as { kind: string; reason: string; code: number };
    assert.equal(status.kind, "Status", label);
    assert.equal(status.reason, "Unauthorized", label);
    assert.equal(fx.cluster.requests.length, before, `${label}: nothing reaches the upstream`);
  }
});

test("a revoked agent is refused on its next request, without restarting the gateway", async (t) => {
  const fx = await startGatewayFixture(t);
  const ok = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
  assert.equal(ok.code, 0, ok.stderr);
  const revoked = await chaperone(["agent", "revoke", "claude", "--data-dir", fx.dataDir]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const before = fx.cluster.requests.length;
  const refused = await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /must be logged in.*revoked/);
  assert.equal(fx.cluster.requests.length, before, "nothing forwarded for a revoked token");
});

test("an agent asking to impersonate gets a 403 Status that kubectl prints, and nothing is forwarded", async (t) => {
  const fx = await startGatewayFixture(t);
  await kubectl(fx.agentKubeconfig, ["get", "pods"], { env: fx.env }); // warm discovery
  const before = fx.cluster.requests.length;
  const result = await kubectl(fx.agentKubeconfig, ["get", "pods", "--as=system:admin"], { env: fx.env });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /Forbidden.*impersonation is not allowed/);
  const agent = readAgentKubeconfig(fx.agentKubeconfig);
  const group = await rawRequest(agent.server, {
    path: "/api/v1/pods",
    headers: { Authorization: `Bearer ${agent.token}`, "Impersonate-Group": "system:masters" },
    ca: agent.caPem,
  });
  assert.equal(group.status, 403);
  assert.equal(fx.cluster.requests.length, before);
});

test("ambiguous paths are refused with a 400 Status before anything is forwarded", async (t) => {
  const fx = await startGatewayFixture(t);
  const agent = readAgentKubeconfig(fx.agentKubeconfig);
  const paths = [
    "/api/v1/namespaces/default/pods/../secrets",
    "/api/v1/namespaces/default/./pods",
    "/api//v1/pods",
    "/api/v1/namespaces/default/pods/%2e%2e/secrets",
    "/api/v1/namespaces/default/pods/a%2Fb",
    "/api/v1/namespaces/default/pods/a%5Cb",
    "/api/v1/namespaces/default/pods/a%00b",
    "/api/v1/namespaces/default/pods/%zz",
  ];
  for (const path of paths) {
    const before = fx.cluster.requests.length;
    const response = await rawRequest(agent.server, { path, headers: { Authorization: `Bearer ${agent.token}` }, ca: agent.caPem });
    assert.equal(response.status, 400, path);
    const status = JSON.parse(response.body) as { kind: string; message: string };
    assert.equal(status.kind, "Status", path);
    assert.match(status.message, /^chaperone: /, path);
    assert.equal(fx.cluster.requests.length, before, `${path}: nothing forwarded`);
  }
});

test("a path that is no Kubernetes API shape is denied (fail closed)", async (t) => {
  const fx = await startGatewayFixture(t);
  const agent = readAgentKubeconfig(fx.agentKubeconfig);
  const before = fx.cluster.requests.length;
  const response = await rawRequest(agent.server, { path: "/admin/secrets", headers: { Authorization: `Bearer ${agent.token}` }, ca: agent.caPem });
  assert.equal(response.status, 403);
  assert.equal(fx.cluster.requests.length, before);
});
