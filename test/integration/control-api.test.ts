// The control API is reachable only with the per-launch token, only under its own loopback Host,
// and never from a foreign Origin. Every route is walked, so a new route that forgets the token
// check fails this test.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import { readFileSync, statSync } from "node:fs";
import { startEngine } from "../../proxy/engine.js";
import { tempDir } from "../support/temp-dir.js";
import { writeDevKubeconfig } from "../support/dev-kubeconfig.js";

function request(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, method: options.method ?? "GET", path: options.path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        // Event streams never end: the first chunk is enough to know the route answered.
        if (res.headers["content-type"]?.startsWith("text/event-stream")) {
          res.once("data", (c: Buffer) => {
            resolve({ status: res.statusCode ?? 0, body: c.toString(), headers: res.headers });
            req.destroy();
          });
          return;
        }
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

async function engineFixture(t: import("node:test").TestContext) {
  const dir = tempDir(t);
  const kubeconfig = writeDevKubeconfig(join(dir, "dev.kubeconfig"), { context: "ctx" });

  const dataDir = join(dir, "data");
  const engine = await startEngine({ dataDir, kubeconfig, listen: "127.0.0.1:0", rendererDir: null });
  t.after(() => engine.stop(0));
  return { engine, dataDir, host: new URL(engine.controlUrl).host };
}

test("every control API route refuses a request without the per-launch token", async (t) => {
  const { engine } = await engineFixture(t);
  assert.ok(engine.controlRoutes.length >= 5);
  for (const route of engine.controlRoutes) {
    const missing = await request(engine.controlUrl, { method: route.method, path: route.path });
    assert.equal(missing.status, 401, `${route.method} ${route.path} without a token`);
    const wrong = await request(engine.controlUrl, { method: route.method, path: route.path, headers: { Authorization: "Bearer wrong" } });
    assert.equal(wrong.status, 401, `${route.method} ${route.path} with a wrong token`);
    const cookie = await request(engine.controlUrl, { method: route.method, path: route.path, headers: { Cookie: `token=${engine.controlToken}` } });
    assert.equal(cookie.status, 401, `${route.method} ${route.path}: a cookie is not a credential`);
  }
});

test("the control token is written 0600 to the data dir and works in the Authorization header", async (t) => {
  const { engine, dataDir } = await engineFixture(t);
  const file = join(dataDir, "control.json");
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const control = JSON.parse(readFileSync(file, "utf8")) as { url: string; token: string };
  assert.equal(control.url, engine.controlUrl);
  const response = await request(engine.controlUrl, { path: "/api/v1/status", headers: { Authorization: `Bearer ${control.token}` } });
  assert.equal(response.status, 200);
  const envelope = JSON.parse(response.body) as { ok: boolean; result: { upstream: { context: string }; proxyUrl: string } };
  assert.equal(envelope.ok, true);
  assert.equal(envelope.result.upstream.context, "ctx");
  assert.equal(envelope.result.proxyUrl, engine.proxyUrl);
  assert.equal(response.headers["access-control-allow-origin"], undefined, "no CORS");
});

test("a request whose Host is not the control API's loopback address is refused (DNS rebinding)", async (t) => {
  const { engine } = await engineFixture(t);
  const auth = { Authorization: `Bearer ${engine.controlToken}` };
  for (const host of ["evil.example:80", "127.0.0.1:1", `attacker.test:${new URL(engine.controlUrl).port}`]) {
    const response = await request(engine.controlUrl, { path: "/api/v1/status", headers: { ...auth, Host: host } });
    assert.equal(response.status, 403, host);
  }
});

test("a request from a foreign Origin is refused (CSRF), even with the token", async (t) => {
  const { engine, host } = await engineFixture(t);
  const auth = { Authorization: `Bearer ${engine.controlToken}` };
  for (const origin of ["https://evil.example", "null", `http://${host}.evil.example`, "file://"]) {
    const response = await request(engine.controlUrl, { method: "POST", path: "/api/v1/agents", headers: { ...auth, Origin: origin, "Content-Type": "application/json" }, body: '{"name":"x"}' });
    assert.equal(response.status, 403, origin);
  }
  const same = await request(engine.controlUrl, { path: "/api/v1/status", headers: { ...auth, Origin: `http://${host}` } });
  assert.equal(same.status, 200);
});

test("agents can be added, listed and revoked through the control API, with input validated", async (t) => {
  const { engine } = await engineFixture(t);
  const auth = { Authorization: `Bearer ${engine.controlToken}`, "Content-Type": "application/json" };
  const added = await request(engine.controlUrl, { method: "POST", path: "/api/v1/agents", headers: auth, body: JSON.stringify({ name: "claude" }) });
  assert.equal(added.status, 200, added.body);
  const result = (JSON.parse(added.body) as { result: { kubeconfigPath: string; agent: { profile: string } } }).result;
  assert.equal(result.agent.profile, "guarded");
  assert.equal(statSync(result.kubeconfigPath).mode & 0o777, 0o600);
  const duplicate = await request(engine.controlUrl, { method: "POST", path: "/api/v1/agents", headers: auth, body: JSON.stringify({ name: "claude" }) });
  assert.equal(duplicate.status, 409);
  const bad = await request(engine.controlUrl, { method: "POST", path: "/api/v1/agents", headers: auth, body: "{not json" });
  assert.equal(bad.status, 400);
  assert.equal((JSON.parse(bad.body) as { ok: boolean; error: { code: string } }).error.code, "bad_request");
  const revoked = await request(engine.controlUrl, { method: "POST", path: "/api/v1/agents/claude/revoke", headers: auth });
  assert.equal(revoked.status, 200);
  const list = await request(engine.controlUrl, { path: "/api/v1/agents", headers: auth });
  const agents = (JSON.parse(list.body) as { result: { name: string; revokedAt: string | null }[] }).result;
  assert.equal(agents.length, 1);
  assert.ok(agents[0]?.revokedAt);
});
