// Real kubectl reads Secrets, workloads and tokens through the gateway: every way kubectl shows a
// value (yaml, json, jsonpath, Table, describe, watch) shows a placeholder instead, and the
// cluster's data is never touched.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { runProcess } from "../support/run-process.js";
import { spawnWatched } from "../support/spawned.js";
import { KUBECTL } from "../support/paths.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { MASKING_POLICY, PLACEHOLDER, assertNoLeak, putSecret, secretValue, storedSecretData } from "./masking-fixture.js";

describe("masked reads with kubectl 1.33", { timeout: 120_000 }, () => {
  let fx: GatewayFixture;
  const scope = cleanupScope();
  after(() => scope.run());
  const k = (args: string[]) => kubectl(fx.agentKubeconfig, args, { env: fx.env });
  const password = secretValue("pw");
  const apiKey = secretValue("key");
  const dbPassword = secretValue("db");

  before(async () => {
    fx = await startGatewayFixture(scope, { policy: MASKING_POLICY, profile: "masked" });
    putSecret(fx, "app-credentials", { password, "api-key": apiKey });
  });

  it("get secret -o yaml and -o json show placeholders, valid base64, and no value", async () => {
    for (const format of ["yaml", "json"]) {
      const result = await k(["get", "secret", "app-credentials", "-o", format]);
      assert.equal(result.code, 0, result.stderr);
      assertNoLeak(result.stdout, [password, apiKey], `get -o ${format}`);
      const encoded = Buffer.from("chaperone-masked-", "latin1").toString("base64").slice(0, 20);
      assert.ok(result.stdout.includes(encoded), `no base64 placeholder in:\n${result.stdout}`);
    }
    assert.deepEqual(storedSecretData(fx, "app-credentials"), { password, "api-key": apiKey });
  });

  it("get -o jsonpath | base64 -d prints the placeholder, the same one every time", async () => {
    const decode = async (): Promise<string> => {
      const result = await runProcess("sh", ["-c", `"${KUBECTL["1.33"]}" get secret app-credentials -o jsonpath='{.data.password}' | base64 -d`], {
        env: { PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig },
      });
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };
    const first = await decode();
    assert.match(first, new RegExp(`^${PLACEHOLDER.source}$`));
    assert.equal(await decode(), first);
    assert.notEqual(first, password);
  });

  it("get secrets prints the Table, and describe shows only the placeholder's size", async () => {
    const table = await k(["get", "secrets"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^app-credentials\s+Opaque\s+2\s+/m);
    assertNoLeak(table.stdout, [password, apiKey], "get secrets");
    const wide = await k(["get", "secrets", "-o", "wide", "--show-labels"]);
    assertNoLeak(wide.stdout, [password, apiKey], "get secrets -o wide");

    const described = await k(["describe", "secret", "app-credentials"]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /password:\s+39 bytes/);
    assertNoLeak(described.stdout, [password, apiKey], "describe secret");
  });

  it("get secrets -o json (a List) and get -w stream placeholders only", async (t) => {
    const list = await k(["get", "secrets", "-o", "json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /"kind": "List"/);
    assertNoLeak(list.stdout, [password, apiKey], "get secrets -o json");

    const watch = spawnWatched(t, KUBECTL["1.33"], ["get", "secret", "app-credentials", "-w", "-o", "json", "--request-timeout=0"], {
      PATH: process.env.PATH,
      HOME: fx.dir,
      KUBECONFIG: fx.agentKubeconfig,
    });
    await watch.waitFor(/"name": "app-credentials"/);
    // kubectl prints the object it GETs, then opens the watch: give it time to.
    await new Promise((r) => setTimeout(r, 1500));
    const changed = secretValue("rotated");
    putSecret(fx, "app-credentials", { password: changed, "api-key": apiKey });
    // The second event carries the new value's placeholder (a different one).
    await watch.waitFor(/"resourceVersion"[\s\S]*"resourceVersion"/);
    await new Promise((r) => setTimeout(r, 200));
    watch.child.kill("SIGTERM");
    assertNoLeak(watch.output(), [password, apiKey, changed], "get -w");
    putSecret(fx, "app-credentials", { password, "api-key": apiKey });
  });

  it("get deploy -o yaml masks a sensitive env value and a masked last-applied annotation stays valid JSON", async () => {
    const lastApplied = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "default" },
      spec: { template: { spec: { containers: [{ name: "api", env: [{ name: "DB_PASSWORD", value: dbPassword }] }] } } },
    });
    fx.cluster.store.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "default", annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "api" } },
        template: {
          metadata: { labels: { app: "api" } },
          spec: {
            containers: [
              {
                name: "api",
                image: "example/api:1",
                env: [
                  { name: "DB_PASSWORD", value: dbPassword },
                  { name: "LOG_LEVEL", value: "debug" },
                  { name: "DATABASE_URL", value: `postgres://app:${password}@db:5432/app` },
                ],
              },
            ],
          },
        },
      },
    });
    const result = await k(["get", "deploy", "api", "-o", "yaml"]);
    assert.equal(result.code, 0, result.stderr);
    assertNoLeak(result.stdout, [dbPassword, password], "get deploy -o yaml");
    assert.match(result.stdout, /value: debug/);
    assert.match(result.stdout, /postgres:\/\/app:chaperone-masked-[a-z2-7]{22}@db:5432\/app/);
    const json = await k(["get", "deploy", "api", "-o", "json"]);
    const annotation = (JSON.parse(json.stdout) as { metadata: { annotations: Record<string, string> } }).metadata.annotations[
      "kubectl.kubernetes.io/last-applied-configuration"
    ] as string;
    const inner = JSON.parse(annotation) as { spec: { template: { spec: { containers: { env: { value: string }[] }[] } } } };
    assert.match(inner.spec.template.spec.containers[0]?.env[0]?.value ?? "", new RegExp(`^${PLACEHOLDER.source}$`));
  });

  it("create token prints a placeholder, not a token", async () => {
    const result = await k(["create", "token", "default"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), new RegExp(`^${PLACEHOLDER.source}$`));
    assert.doesNotMatch(result.stdout, /eyJ/);
  });

  it("ConfigMaps keep ordinary values and lose what a detector recognises", async () => {
    const token = `ghp_${secretValue("x").replace(/[^A-Za-z0-9]/g, "")}abcdefghijklmnopqrstuvwxyz0123`;
    fx.cluster.store.put({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "default" },
      data: { "app.yaml": `mode: production\ngithub_token: ${token}\nreplicas: 3\n`, plain: "hello" },
    });
    const result = await k(["get", "configmap", "settings", "-o", "yaml"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(token), result.stdout);
    assert.match(result.stdout, /mode: production/);
    assert.match(result.stdout, /plain: hello/);
  });

  it("pods and events lists still work, and reads of resources that hold no secrets are untouched", async () => {
    const pods = await k(["get", "pods"]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^nginx\s+1\/1\s+Running/m);
    const nodes = await k(["get", "nodes", "-o", "json"]);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /chaperone-control-plane/);
  });
});
