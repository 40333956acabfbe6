// Write-back with real kubectl: an agent reads masked objects, edits them and writes them back by
// every path kubectl has (edit, apply from `get -o yaml`, apply of a manifest whose last-applied
// annotation was masked, server-side apply, replace, json/merge/strategic patches), and the
// cluster keeps its real values. A placeholder that cannot stand for the value at its field is
// refused with a Status naming the field, and nothing reaches the cluster.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { chmodSync, writeFileSync } from "node:fs";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { startGatewayFixture, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { runProcess } from "../support/run-process.js";
import { KUBECTL } from "../support/paths.js";
import { cleanupScope } from "../support/cleanup-scope.js";
import { MASKING_POLICY, PLACEHOLDER, assertNoLeak, putSecret, secretValue, storedSecretData } from "./masking-fixture.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

describe("write-back with kubectl 1.33", { timeout: 180_000 }, () => {
  let fx: GatewayFixture;
  const scope = cleanupScope();
  after(() => scope.run());
  const k = (args: string[], input?: string) => kubectl(fx.agentKubeconfig, args, { env: fx.env, ...(input !== undefined ? { input } : {}) });
  const shell = (script: string) =>
    runProcess("sh", ["-c", script], { env: { PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig, KUBECTL: KUBECTL["1.33"] }, timeoutMs: 30_000 });
  const labels = (name: string, resource = "secrets"): Record<string, string> =>
    ((fx.cluster.store.get(resource, "default", name)?.["metadata"] as { labels?: Record<string, string> } | undefined)?.labels ?? {}) as Record<string, string>;
  /** The base64 placeholder the agent sees for a Secret's key. */
  const seenData = async (name: string, key: string): Promise<string> => {
    const result = await k(["get", "secret", name, "-o", `jsonpath={.data.${key}}`]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };

  before(async () => {
    fx = await startGatewayFixture(scope, { policy: MASKING_POLICY, profile: "masked" });
  });

  it("kubectl edit secret keeps the real data", async () => {
    const password = secretValue("edit");
    putSecret(fx, "edited", { password, user: "admin-user" });
    const editor = join(fx.dir, "add-label.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^metadata:$/metadata:\\n  labels:\\n    edited: "yes"/' "$1"\n`);
    chmodSync(editor, 0o755);
    const result = await kubectl(fx.agentKubeconfig, ["edit", "secret", "edited"], { env: { ...fx.env, KUBE_EDITOR: editor } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /secret\/edited edited/);
    assert.deepEqual(storedSecretData(fx, "edited"), { password, user: "admin-user" });
    assert.equal(labels("edited")["edited"], "yes");
  });

  it("kubectl get secret -o yaml | kubectl apply -f - keeps the real data", async () => {
    const password = secretValue("pipe");
    putSecret(fx, "piped", { password });
    const result = await shell(`"$KUBECTL" get secret piped -o yaml | sed 's/^metadata:$/metadata:\\n  labels:\\n    piped: "yes"/' | "$KUBECTL" apply -f -`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(storedSecretData(fx, "piped"), { password });
    assert.equal(labels("piped")["piped"], "yes");
    // kubectl wrote a last-applied annotation from what it read: the cluster holds the real value there too.
    const annotation = (fx.cluster.store.get("secrets", "default", "piped")?.["metadata"] as { annotations: Record<string, string> }).annotations[LAST_APPLIED] as string;
    assert.doesNotMatch(annotation, PLACEHOLDER);
    assert.equal(Buffer.from((JSON.parse(annotation) as { data: { password: string } }).data.password, "base64").toString("utf8"), password);
  });

  it("kubectl apply of a manifest whose last-applied annotation was masked keeps the real data and annotation", async () => {
    const password = secretValue("applied");
    const token = secretValue("token");
    const manifest = join(fx.dir, "applied.yaml");
    writeFileSync(
      manifest,
      stringifyYaml({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "applied", namespace: "default" },
        stringData: { password, token },
      }),
    );
    // The developer created it with kubectl apply, straight to the cluster: last-applied holds the real values.
    const created = await kubectl(fx.developerKubeconfig, ["apply", "-f", manifest], { env: fx.env });
    assert.equal(created.code, 0, created.stderr);

    // The agent reads it (masked, annotation included), changes a label in the manifest it got, applies it.
    const got = await k(["get", "secret", "applied", "-o", "yaml"]);
    assertNoLeak(got.stdout, [password, token], "get -o yaml");
    const object = parseYaml(got.stdout) as { metadata: Record<string, unknown> };
    assert.match(String((object.metadata["annotations"] as Record<string, string>)[LAST_APPLIED]), PLACEHOLDER);
    object.metadata["labels"] = { tier: "backend" };
    const agentManifest = join(fx.dir, "agent-applied.yaml");
    writeFileSync(agentManifest, stringifyYaml(object));
    const applied = await k(["apply", "-f", agentManifest]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(storedSecretData(fx, "applied"), { password, token });
    assert.equal(labels("applied")["tier"], "backend");
    const annotation = (fx.cluster.store.get("secrets", "default", "applied")?.["metadata"] as { annotations: Record<string, string> }).annotations[LAST_APPLIED] as string;
    assert.doesNotMatch(annotation, PLACEHOLDER);

    // And the plain manifest with the real values applies as before (nothing to restore).
    const reapplied = await kubectl(fx.developerKubeconfig, ["apply", "-f", manifest], { env: fx.env });
    assert.equal(reapplied.code, 0, reapplied.stderr);
    assert.deepEqual(storedSecretData(fx, "applied"), { password, token });
  });

  it("server-side apply of what get -o yaml returned keeps the real data", async () => {
    const password = secretValue("ssa");
    putSecret(fx, "server-applied", { password });
    const got = await k(["get", "secret", "server-applied", "-o", "yaml"]);
    const object = parseYaml(got.stdout) as { metadata: Record<string, unknown> };
    for (const field of ["managedFields", "resourceVersion", "uid", "creationTimestamp"]) delete object.metadata[field];
    object.metadata["labels"] = { ssa: "applied" };
    const file = join(fx.dir, "ssa.yaml");
    writeFileSync(file, stringifyYaml(object));
    const result = await k(["apply", "--server-side", "--force-conflicts", "-f", file]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(storedSecretData(fx, "server-applied"), { password });
    assert.equal(labels("server-applied")["ssa"], "applied");
  });

  it("kubectl replace of what get -o json returned keeps the real data", async () => {
    const password = secretValue("replace");
    putSecret(fx, "replaced", { password });
    const result = await shell(`"$KUBECTL" get secret replaced -o json | sed 's/"type": "Opaque"/"type": "Opaque", "immutable": false/' | "$KUBECTL" replace -f -`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(storedSecretData(fx, "replaced"), { password });
  });

  it("json, merge and strategic patches carrying the placeholder keep the real data", async () => {
    const password = secretValue("patch");
    putSecret(fx, "patched", { password, other: "other-value" });
    const placeholder = await seenData("patched", "password");
    const merge = await k(["patch", "secret", "patched", "--type", "merge", "-p", JSON.stringify({ metadata: { labels: { merge: "1" } }, data: { password: placeholder } })]);
    assert.equal(merge.code, 0, merge.stderr);
    const strategic = await k(["patch", "secret", "patched", "--type", "strategic", "-p", JSON.stringify({ metadata: { labels: { strategic: "1" } }, data: { password: placeholder } })]);
    assert.equal(strategic.code, 0, strategic.stderr);
    const json = await k([
      "patch",
      "secret",
      "patched",
      "--type",
      "json",
      "-p",
      JSON.stringify([
        { op: "replace", path: "/data/password", value: placeholder },
        { op: "add", path: "/metadata/labels/json", value: "1" },
      ]),
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(storedSecretData(fx, "patched"), { password, other: "other-value" });
    assert.deepEqual(labels("patched"), { merge: "1", strategic: "1", json: "1" });

    // stringData.K is data.K: the decoded placeholder written there restores too.
    const decoded = Buffer.from(placeholder, "base64").toString("latin1");
    const stringData = await k(["patch", "secret", "patched", "--type", "merge", "-p", JSON.stringify({ stringData: { password: decoded } })]);
    assert.equal(stringData.code, 0, stringData.stderr);
    assert.deepEqual(storedSecretData(fx, "patched"), { password, other: "other-value" });
  });

  it("a Deployment applied back from get -o yaml keeps its masked env value", async () => {
    const dbPassword = secretValue("db");
    fx.cluster.store.put({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "worker-api", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "worker-api" } },
        template: {
          metadata: { labels: { app: "worker-api" } },
          spec: { containers: [{ name: "api", image: "example/api:1", env: [{ name: "DB_PASSWORD", value: dbPassword }] }] },
        },
      },
    });
    const result = await shell(`"$KUBECTL" get deploy worker-api -o yaml | sed 's/replicas: 1/replicas: 2/' | "$KUBECTL" apply -f -`);
    assert.equal(result.code, 0, result.stderr);
    const stored = fx.cluster.store.get("deployments", "default", "worker-api") as { spec: { replicas: number; template: { spec: { containers: { env: { value: string }[] }[] } } } };
    assert.equal(stored.spec.replicas, 2);
    assert.equal(stored.spec.template.spec.containers[0]?.env[0]?.value, dbPassword);
  });

  it("a placeholder that does not stand for the value at its field is refused, naming the field", async () => {
    const mine = secretValue("mine");
    const theirs = secretValue("theirs");
    putSecret(fx, "target", { password: mine });
    putSecret(fx, "source", { password: theirs });
    const foreign = await seenData("source", "password");

    const moved = await k(["patch", "secret", "target", "--type", "merge", "-p", JSON.stringify({ data: { password: foreign } })]);
    assert.notEqual(moved.code, 0);
    assert.match(moved.stderr, /data\.password holds a masked placeholder .* does not stand for the value the current object holds at data\.password/);
    assert.deepEqual(storedSecretData(fx, "target"), { password: mine });

    // Into a ConfigMap (a field that is masked, but holds no such value) and into a label (never masked).
    fx.cluster.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "copy-target", namespace: "default" }, data: { x: "plain" } });
    const decoded = Buffer.from(foreign, "base64").toString("latin1");
    const intoConfigMap = await k(["patch", "configmap", "copy-target", "--type", "merge", "-p", JSON.stringify({ data: { x: decoded } })]);
    assert.notEqual(intoConfigMap.code, 0);
    assert.match(intoConfigMap.stderr, /data\.x holds a masked placeholder/);
    assert.equal((fx.cluster.store.get("configmaps", "default", "copy-target")?.["data"] as Record<string, string>)["x"], "plain");
    const intoLabel = await k(["label", "secret", "target", `copied=${decoded.slice(0, 63)}`]);
    assert.notEqual(intoLabel.code, 0);
    assert.match(intoLabel.stderr, /metadata\.labels\.copied holds a masked placeholder, but chaperone never masks that field/);

    // A new object cannot receive a placeholder: there is nothing to restore from. kubectl sends
    // this typed create as protobuf, which chaperone cannot rewrite: refused all the same.
    const created = await k(["create", "secret", "generic", "copy", `--from-literal=password=${decoded}`]);
    assert.notEqual(created.code, 0);
    assert.match(created.stderr, /masked placeholder/);
    assert.equal(fx.cluster.store.get("secrets", "default", "copy"), undefined);
    const createdFromYaml = await k(
      ["create", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "copy2", namespace: "default" }, data: { password: foreign } }),
    );
    assert.notEqual(createdFromYaml.code, 0);
    assert.match(createdFromYaml.stderr, /data\.password holds a masked placeholder .* the object does not exist yet/);
    assert.equal(fx.cluster.store.get("secrets", "default", "copy2"), undefined);

    // A JSON patch cannot copy a masked field elsewhere in the object.
    const copied = await k(["patch", "secret", "target", "--type", "json", "-p", JSON.stringify([{ op: "copy", from: "/data/password", path: "/metadata/annotations" }])]);
    assert.notEqual(copied.code, 0);
    assert.match(copied.stderr, /would copy data\.password, which holds masked values/);
  });

  it("a value found by a detector cannot be moved out of the context that made it masked", async () => {
    const password = secretValue("detected");
    fx.cluster.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-config", namespace: "default" }, data: { "app.conf": `password=${password}\nmode=fast\n` } });
    const got = await k(["get", "configmap", "app-config", "-o", "jsonpath={.data.app\\.conf}"]);
    assertNoLeak(got.stdout, [password], "configmap");
    const placeholder = PLACEHOLDER.exec(got.stdout)?.[0] as string;
    // Changing other lines keeps the value in place: restored.
    const edited = await k(["patch", "configmap", "app-config", "--type", "merge", "-p", JSON.stringify({ data: { "app.conf": `password=${placeholder}\nmode=slow\n` } })]);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal((fx.cluster.store.get("configmaps", "default", "app-config")?.["data"] as Record<string, string>)["app.conf"], `password=${password}\nmode=slow\n`);
    // Taking it out of `password=`, where a read would show it: refused.
    const exposed = await k(["patch", "configmap", "app-config", "--type", "merge", "-p", JSON.stringify({ data: { "app.conf": `note ${placeholder}\n` } })]);
    assert.notEqual(exposed.code, 0);
    assert.match(exposed.stderr, /would leave it unmasked there/);
    assert.equal((fx.cluster.store.get("configmaps", "default", "app-config")?.["data"] as Record<string, string>)["app.conf"], `password=${password}\nmode=slow\n`);
  });

  it("no placeholder was ever stored in the cluster, plain or base64-encoded", () => {
    const encodedPrefix = Buffer.from("chaperone-masked-", "latin1").toString("base64").slice(0, 20);
    for (const resource of ["secrets", "configmaps", "deployments"]) {
      for (const object of fx.cluster.store.list(resource)) {
        const text = JSON.stringify(object);
        assert.doesNotMatch(text, PLACEHOLDER, `${resource}: ${text}`);
        assert.ok(!text.includes(encodedPrefix), `${resource}: ${text}`);
      }
    }
  });
});
