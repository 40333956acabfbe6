// Real kubectl (1.27: SPDY exec; 1.33: WebSocket exec) drives every everyday command through the
// gateway to the stand-in cluster, exactly as an agent would, and the cluster ends up as kubectl
// said. Every request the upstream saw carried the developer's credential.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync, readFileSync, chmodSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { startGatewayFixture, EVERYDAY_POLICY, type GatewayFixture } from "../support/gateway-fixture.js";
import { kubectl } from "../support/kubectl.js";
import { startPtySession } from "../support/pty-session.js";
import { spawnWatched } from "../support/spawned.js";
import { KUBECTL, type KubectlVersion } from "../support/paths.js";
import { cleanupScope } from "../support/cleanup-scope.js";

const VERSIONS: KubectlVersion[] = ["1.27", "1.33"];

for (const version of VERSIONS) {
  describe(`kubectl ${version} through the gateway`, () => {
    let fx: GatewayFixture;
    const scope = cleanupScope();
    after(() => scope.run());
    const k = (args: string[], input?: string) =>
      kubectl(fx.agentKubeconfig, args, { version, env: fx.env, ...(input !== undefined ? { input } : {}) });
    const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: fx.dir, KUBECONFIG: fx.agentKubeconfig });

    before(async () => {
      fx = await startGatewayFixture(scope, { policy: EVERYDAY_POLICY, profile: "everyday" });
    });

    it("get lists pods as a table and get -o yaml shows one", async () => {
      const table = await k(["get", "pods"]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^NAME\s+READY\s+STATUS/m);
      assert.match(table.stdout, /^nginx\s+1\/1\s+Running/m);
      const yaml = await k(["get", "pod", "nginx", "-o", "yaml"]);
      assert.equal(yaml.code, 0, yaml.stderr);
      assert.match(yaml.stdout, /^kind: Pod$/m);
      assert.match(yaml.stdout, /image: nginx:1\.27/);
    });

    it("create, apply (client-side and server-side), patch, edit and delete change the cluster as kubectl reports", async () => {
      const manifest = join(fx.dir, `cm-${version}.yaml`);
      writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  mode: one\n");
      const created = await k(["create", "-f", manifest]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /configmap\/settings created/);

      writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  mode: two\n");
      assert.equal((await k(["apply", "-f", manifest])).code, 0);
      writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  mode: three\n");
      const reapplied = await k(["apply", "-f", manifest]);
      assert.equal(reapplied.code, 0, reapplied.stderr);
      assert.match(reapplied.stdout, /configmap\/app configured/);
      assert.equal(fx.cluster.store.get("configmaps", "default", "app")?.data?.["mode" as never], "three");

      writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  mode: server\n");
      const ssa = await k(["apply", "--server-side", "-f", manifest]);
      assert.equal(ssa.code, 0, ssa.stderr);
      assert.match(ssa.stdout, /configmap\/ssa serverside-applied/);
      assert.equal(fx.cluster.store.get("configmaps", "default", "ssa")?.data?.["mode" as never], "server");

      const patched = await k(["patch", "configmap", "settings", "--type", "merge", "-p", '{"data":{"mode":"patched"}}']);
      assert.equal(patched.code, 0, patched.stderr);
      assert.equal(fx.cluster.store.get("configmaps", "default", "settings")?.data?.["mode" as never], "patched");

      const editor = join(fx.dir, "editor.sh");
      writeFileSync(editor, "#!/bin/sh\nsed -i 's/mode: patched/mode: edited/' \"$1\"\n");
      chmodSync(editor, 0o755);
      const edited = await kubectl(fx.agentKubeconfig, ["edit", "configmap", "settings"], { version, env: { ...fx.env, KUBE_EDITOR: editor } });
      assert.equal(edited.code, 0, edited.stderr);
      assert.match(edited.stdout, /configmap\/settings edited/);
      assert.equal(fx.cluster.store.get("configmaps", "default", "settings")?.data?.["mode" as never], "edited");

      const deleted = await k(["delete", "configmap", "settings", "app", "ssa"]);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(fx.cluster.store.get("configmaps", "default", "settings"), undefined);
    });

    it("get -w streams an event as soon as the object changes", async (t) => {
      const watch = spawnWatched(t, KUBECTL[version], ["get", "configmaps", "-w", "--request-timeout=0"], env());
      await watch.waitFor(/kube-root-ca\.crt/);
      fx.cluster.store.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `watched-${version.replace(".", "-")}`, namespace: "default" }, data: {} });
      await watch.waitFor(/watched-1-\d+/);
      watch.child.kill("SIGTERM");
    });

    it("logs -f delivers lines while the container writes them", async (t) => {
      const logs = spawnWatched(t, KUBECTL[version], ["logs", "-f", "worker", "-c", "main", "--request-timeout=0"], env());
      await logs.waitFor(/worker: started/);
      fx.cluster.appendLog("default", "worker", `marker-${version}`, "main");
      await logs.waitFor(new RegExp(`marker-${version.replace(".", "\\.")}`));
      logs.child.kill("SIGTERM");
    });

    it("exec runs a command, passes stdin and returns the exit code", async () => {
      const echoed = await k(["exec", "nginx", "--", "echo", "hello from exec"]);
      assert.equal(echoed.code, 0, echoed.stderr);
      assert.equal(echoed.stdout, "hello from exec\n");
      const piped = await k(["exec", "-i", "nginx", "--", "cat"], "line one\nline two\n");
      assert.equal(piped.stdout, "line one\nline two\n");
      const failed = await k(["exec", "nginx", "--", "sh", "-c", "exit 3"]);
      assert.equal(failed.code, 3);
    });

    it("exec -it works under a pseudo-terminal", async (t) => {
      const session = startPtySession(t, `${KUBECTL[version]} exec -it nginx -- sh`, { ...env(), TERM: "xterm" });
      await session.waitFor(/# $/);
      session.type("echo tty-$HOSTNAME\r");
      // The terminal echoes what was typed; only the shell's output has the expanded variable.
      await session.waitFor(/tty-nginx/);
      session.type("exit 0\r");
      assert.equal(await session.done, 0, session.output());
    });

    it("cp copies a file into the pod and back, byte for byte", async () => {
      const local = join(fx.dir, `blob-${version}.bin`);
      const content = randomBytes(64 * 1024);
      writeFileSync(local, content);
      const up = await k(["cp", local, `nginx:/tmp/blob-${version}.bin`]);
      assert.equal(up.code, 0, up.stderr);
      const back = join(fx.dir, `back-${version}.bin`);
      const down = await k(["cp", `nginx:/tmp/blob-${version}.bin`, back]);
      assert.equal(down.code, 0, down.stderr);
      assert.ok(readFileSync(back).equals(content));
    });

    it("port-forward carries HTTP to the pod", async (t) => {
      const forward = spawnWatched(t, KUBECTL[version], ["port-forward", "pod/nginx", "0:8080"], env());
      const [, port] = await forward.waitFor(/Forwarding from 127\.0\.0\.1:(\d+)/);
      const response = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal((await response.text()).trim(), "hello from default/nginx");
      forward.child.kill("SIGTERM");
    });

    it("auth can-i and api-resources answer", async () => {
      const can = await k(["auth", "can-i", "delete", "pods"]);
      assert.equal(can.stdout.trim(), "yes", can.stderr);
      const resources = await k(["api-resources"]);
      assert.equal(resources.code, 0, resources.stderr);
      assert.match(resources.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    });

    it("the upstream saw only the developer's credential", () => {
      assert.ok(fx.cluster.requests.length > 20);
      for (const request of fx.cluster.requests) {
        assert.equal(request.user, "developer", `${request.method} ${request.path}`);
      }
    });
  });
}

describe("shutdown", () => {
  it("SIGTERM ends open watches at once and exits 0", async (t) => {
    const fx = await startGatewayFixture(t);
    const watch = spawnWatched(t, KUBECTL["1.33"], ["get", "pods", "-w", "--request-timeout=0"], {
      PATH: process.env.PATH,
      HOME: fx.dir,
      KUBECONFIG: fx.agentKubeconfig,
    });
    await watch.waitFor(/nginx/);
    const started = Date.now();
    assert.equal(await fx.server.stop("SIGTERM"), 0, fx.server.output());
    assert.ok(Date.now() - started < 5_000, "the watch did not hold shutdown for the full drain timeout");
  });
});
