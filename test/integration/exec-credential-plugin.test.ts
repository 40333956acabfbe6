// A developer kubeconfig whose user is an exec credential plugin (aws eks get-token style): the
// engine runs the plugin, caches the token, refreshes it before it expires, and never lets the
// agent see it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { startTestCluster } from "../cluster/index.js";
import { tempDir } from "../support/temp-dir.js";
import { chaperone, serve } from "../support/chaperone-cli.js";
import { kubectl } from "../support/kubectl.js";
import { FIXTURES } from "../support/paths.js";
import { rawRequest } from "../support/https-request.js";
import { readAgentKubeconfig } from "../support/agent-kubeconfig-reader.js";

function pluginKubeconfig(server: string, caPem: string, stateDir: string, ttlSeconds: number, fail = false): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "up", cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [
      {
        name: "sso",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: process.execPath,
            args: [join(FIXTURES, "exec-credential-plugin.mjs")],
            env: [
              { name: "PLUGIN_STATE_DIR", value: stateDir },
              { name: "PLUGIN_TTL_SECONDS", value: String(ttlSeconds) },
              ...(fail ? [{ name: "PLUGIN_FAIL", value: "1" }] : []),
            ],
            interactiveMode: "Never",
          },
        },
      },
    ],
    contexts: [{ name: "sso", context: { cluster: "up", user: "sso", namespace: "default" } }],
    "current-context": "sso",
  });
}

test("an exec credential plugin's token is fetched, cached, refreshed before expiry, and never seen by the agent", async (t) => {
  const dir = tempDir(t);
  const cluster = await startTestCluster();
  t.after(() => cluster.stop());
  for (let i = 1; i <= 10; i++) cluster.addToken(`plugin-token-${i}`, "sso-user");
  const kubeconfig = join(dir, "dev.kubeconfig");
  // 4 s lifetime: refreshed once less than a fifth of it remains.
  writeFileSync(kubeconfig, pluginKubeconfig(cluster.url, cluster.caPem, dir, 4));
  const dataDir = join(dir, "data");
  const server = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"]);
  t.after(() => server.stop());
  const agentKubeconfig = join(dir, "agent.kubeconfig");
  assert.equal((await chaperone(["agent", "add", "a", "--data-dir", dataDir, "--out", agentKubeconfig])).code, 0);
  const env = { HOME: dir };

  const first = await kubectl(agentKubeconfig, ["get", "pods"], { env });
  assert.equal(first.code, 0, first.stderr);
  const second = await kubectl(agentKubeconfig, ["get", "pods"], { env });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(join(dir, "count"), "utf8"), "1", "cached: one plugin run for many requests");

  await new Promise((r) => setTimeout(r, 3_600)); // into the refresh window, before expiry
  const third = await kubectl(agentKubeconfig, ["get", "pods"], { env });
  assert.equal(third.code, 0, third.stderr);
  await new Promise((r) => setTimeout(r, 300));
  const fourth = await kubectl(agentKubeconfig, ["get", "pods"], { env });
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.equal(readFileSync(join(dir, "count"), "utf8"), "2", "refreshed once, before expiry");

  const users = new Set(cluster.requests.map((r) => r.headers.authorization));
  assert.ok(users.has("Bearer plugin-token-1") && users.has("Bearer plugin-token-2"));
  const agentFile = readFileSync(agentKubeconfig, "utf8");
  assert.ok(!agentFile.includes("plugin-token"), "the agent's kubeconfig holds no upstream token");
  const info = JSON.parse(readFileSync(join(dir, "exec-info.jsonl"), "utf8").split("\n")[0] as string) as {
    kind: string;
    spec: { interactive: boolean };
  };
  assert.equal(info.kind, "ExecCredential");
  assert.equal(info.spec.interactive, false);
});

test("a failing credential plugin gives the agent a Status saying what failed and how to fix it", async (t) => {
  const dir = tempDir(t);
  const cluster = await startTestCluster();
  t.after(() => cluster.stop());
  const kubeconfig = join(dir, "dev.kubeconfig");
  writeFileSync(kubeconfig, pluginKubeconfig(cluster.url, cluster.caPem, dir, 3600, true));
  const dataDir = join(dir, "data");
  const server = await serve(["--data-dir", dataDir, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0"]);
  t.after(() => server.stop());
  const agentKubeconfig = join(dir, "agent.kubeconfig");
  assert.equal((await chaperone(["agent", "add", "a", "--data-dir", dataDir, "--out", agentKubeconfig])).code, 0);
  const result = await kubectl(agentKubeconfig, ["get", "pods"], { env: { HOME: dir } });
  assert.notEqual(result.code, 0);
  // kubectl prints only a generic line when discovery fails, so read the Status itself.
  const agent = readAgentKubeconfig(agentKubeconfig);
  const response = await rawRequest(agent.server, { path: "/api/v1/namespaces/default/pods", headers: { Authorization: `Bearer ${agent.token}` }, ca: agent.caPem });
  assert.equal(response.status, 503);
  const status = JSON.parse(response.body) as { kind: string; message: string };
  assert.equal(status.kind, "Status");
  assert.match(status.message, /credential plugin .* failed \(exit 2\): error: your SSO session has expired; run `aws sso login`/);
  assert.equal(cluster.requests.length, 0, "nothing reached the upstream");
});
