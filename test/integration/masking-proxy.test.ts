// The pods/proxy subresource through the gateway: HTTP straight from a workload (here a debug
// endpoint printing the container's environment) is masked like logs — values the engine knows to
// be secret and what the detectors find — in the body and in the response headers; a body that
// cannot be read as text is refused, and so is a proxied connection upgrade.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { rawRequest } from "../support/https-request.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";
import { MASKING_POLICY, PLACEHOLDER, assertNoLeak, putSecret, secretValue } from "./masking-fixture.js";

const POLICY = `${MASKING_POLICY}  proxy-unmasked:
    extends: masked
    masking:
      proxy: false
`;

// A JWT-shaped token (header.payload.signature) no one told the engine about: only a detector finds it.
const JWT = `eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.${Buffer.from(JSON.stringify({ sub: "system:serviceaccount:default:web", n: secretValue("n") })).toString("base64url")}.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU`;

describe("masked pod proxy", { timeout: 120_000 }, () => {
  let fx: GatewayFixture;
  const scope = cleanupScope();
  after(() => scope.run());
  const sessionSecret = secretValue("session");
  const dbPassword = secretValue("db");

  before(async () => {
    fx = await startGatewayFixture(scope, { policy: POLICY, profile: "masked" });
    putSecret(fx, "db-creds", { password: dbPassword });
    fx.cluster.store.put({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default" },
      spec: {
        containers: [
          {
            name: "app",
            image: "example/web:1",
            ports: [{ containerPort: 8080 }],
            env: [
              { name: "SESSION_SECRET", value: sessionSecret },
              // A boring name holding a Secret's value: masked because the engine has seen that Secret.
              { name: "DATABASE", value: dbPassword },
              { name: "UPSTREAM_ID", value: JWT },
              { name: "GREETING", value: "hello-world" },
            ],
          },
        ],
      },
    });
    // The agent reads the Secret once (masked), so the engine knows its value.
    const read = await kubectl(fx.agentKubeconfig, ["get", "secret", "db-creds", "-o", "name"], { env: fx.env });
    assert.equal(read.code, 0, read.stderr);
  });

  it("get --raw of a pod's debug endpoint shows every line, with secret values and detector matches masked", async () => {
    const result = await kubectl(fx.agentKubeconfig, ["get", "--raw", "/api/v1/namespaces/default/pods/web:8080/proxy/env"], { env: fx.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^GREETING=hello-world$/m, "ordinary values pass");
    assert.match(result.stdout, new RegExp(`^SESSION_SECRET=${PLACEHOLDER.source}$`, "m"), "a sensitive env value, learned from the pod");
    assert.match(result.stdout, new RegExp(`^DATABASE=${PLACEHOLDER.source}$`, "m"), "a Secret's value the engine saw");
    assert.match(result.stdout, new RegExp(`^UPSTREAM_ID=${PLACEHOLDER.source}$`, "m"), "a JWT, found by its detector");
    assertNoLeak(result.stdout, [sessionSecret, dbPassword, JWT], "pod proxy");
  });

  it("response headers of the workload are masked too", async () => {
    const agent = readAgentKubeconfig(fx.agentKubeconfig);
    const response = await rawRequest(fx.server.proxyUrl, {
      path: `/api/v1/namespaces/default/pods/web:8080/proxy/hello?session=${encodeURIComponent(sessionSecret)}`,
      headers: { Authorization: `Bearer ${agent.token}` },
      ca: agent.caPem,
    });
    assert.equal(response.status, 200, response.body);
    assert.match(response.body, /hello from default\/web/);
    const echoed = String(response.headers["x-request-path"]);
    assert.match(echoed, new RegExp(`^/hello\\?session=${PLACEHOLDER.source}$`), "the echoed path carried the value");
    assertNoLeak(JSON.stringify(response.headers), [sessionSecret], "pod proxy headers");
  });

  it("a body that cannot be read as text is refused with a Status kubectl prints", async () => {
    const result = await kubectl(fx.agentKubeconfig, ["get", "--raw", "/api/v1/namespaces/default/pods/web:8080/proxy/bytes"], { env: fx.env });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /cannot read as text to mask secret values; refused/);
  });

  it("a proxied WebSocket is refused: its frames cannot be masked", async () => {
    const agent = readAgentKubeconfig(fx.agentKubeconfig);
    const before = fx.cluster.requests.length;
    const response = await rawRequest(fx.server.proxyUrl, {
      path: "/api/v1/namespaces/default/pods/web:8080/proxy/socket",
      headers: {
        Authorization: `Bearer ${agent.token}`,
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
      ca: agent.caPem,
    });
    assert.equal(response.status, 400, response.body);
    assert.match(response.body, /cannot be masked; refused/);
    assert.equal(fx.cluster.requests.length, before, "nothing was forwarded");
  });

  it("a profile with proxy masking off shows the workload's answer as it is", async () => {
    const kubeconfig = await fx.addAgent("plain", "proxy-unmasked");
    const result = await kubectl(kubeconfig, ["get", "--raw", "/api/v1/namespaces/default/pods/web:8080/proxy/env"], { env: fx.env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^SESSION_SECRET=${sessionSecret}$`, "m"));
  });
});
