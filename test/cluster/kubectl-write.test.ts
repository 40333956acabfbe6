// Real kubectl (oldest and newest installed) writing to the test cluster directly: create -f, client-side
// and server-side apply (with default validation), the three patch types, edit, delete, namespace
// deletion, create token, server dry-run, and typed-client writes (protobuf bodies from kubectl >= 1.32).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startTestCluster, type TestCluster } from "./index.js";
import { KUBECTL_BINARIES, kubectlEnvironment, type KubectlEnvironment } from "./kubectl-harness.js";

const deploymentYaml = (image: string, replicas = 1) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    app: shop
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
      - name: app
        image: ${image}
        env:
        - name: MODE
          value: test
`;

for (const kubectl of KUBECTL_BINARIES) {
  describe(`kubectl ${kubectl.version} writing to the test cluster`, () => {
    let cluster: TestCluster;
    let k: KubectlEnvironment;

    before(async () => {
      cluster = await startTestCluster();
      k = await kubectlEnvironment(cluster, kubectl.path);
    });
    after(async () => {
      k.cleanup();
      await cluster.stop();
    });

    test("create -f creates the object with server defaults filled in", async () => {
      const file = k.file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: created\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n");
      const r = await k.run(["create", "-f", file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "pod/created created");
      const pod = cluster.store.get("pods", "default", "created");
      assert.equal((pod?.["spec"] as any).containers[0].imagePullPolicy, "IfNotPresent");
      assert.equal((pod?.["status"] as any).phase, "Running");
      const again = await k.run(["create", "-f", file]);
      assert.match(again.stderr, /Error from server \(AlreadyExists\)(: error when creating ".*pod\.yaml")?: pods "created" already exists/);
    });

    test("create -f with an unknown field fails under kubectl's default (strict, server-side) validation", async () => {
      const file = k.file("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: b\nspelling: mistake\n");
      const r = await k.run(["create", "-f", file]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unknown field "spelling"/);
      assert.equal(cluster.store.get("configmaps", "default", "bad"), undefined);
      assert.ok(cluster.requests.some((q) => q.method === "POST" && q.path.includes("fieldValidation=Strict")));
    });

    test("apply (client-side) creates, then patches with the change on a second run", async () => {
      const file = k.file("deploy.yaml", deploymentYaml("nginx:1.25"));
      const first = await k.run(["apply", "-f", file]);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout.trim(), "deployment.apps/shop created");
      k.file("deploy.yaml", deploymentYaml("nginx:1.26", 2));
      const second = await k.run(["apply", "-f", file]);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout.trim(), "deployment.apps/shop configured");
      assert.equal(second.stderr, "");
      const shop = cluster.store.get("deployments.apps", "default", "shop") as any;
      assert.equal(shop.spec.template.spec.containers[0].image, "nginx:1.26");
      assert.equal(shop.spec.replicas, 2);
      assert.equal(shop.metadata.generation, 2);
      assert.match(shop.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"], /nginx:1\.26/);
      const patch = cluster.requests.filter((q) => q.method === "PATCH" && q.path.includes("/deployments/shop")).at(-1);
      assert.equal(patch?.headers["content-type"], "application/strategic-merge-patch+json");
      const unchanged = await k.run(["apply", "-f", file]);
      assert.equal(unchanged.stdout.trim(), "deployment.apps/shop unchanged");
    });

    test("apply --server-side creates and updates, and reports conflicts with other managers", async () => {
      const file = k.file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: one\n");
      const first = await k.run(["apply", "--server-side", "-f", file]);
      assert.equal(first.stdout.trim(), "configmap/ssa serverside-applied");
      k.file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: two\n  b: new\n");
      const second = await k.run(["apply", "--server-side", "-f", file]);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual((cluster.store.get("cm", "default", "ssa") as any).data, { a: "two", b: "new" });
      await k.run(["patch", "configmap", "ssa", "--type=merge", "-p", '{"data":{"a":"patched"}}']);
      const conflict = await k.run(["apply", "--server-side", "-f", file]);
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.a/);
      const forced = await k.run(["apply", "--server-side", "--force-conflicts", "-f", file]);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal((cluster.store.get("cm", "default", "ssa") as any).data.a, "two");
      k.file("ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: two\n");
      await k.run(["apply", "--server-side", "-f", file]);
      assert.deepEqual((cluster.store.get("cm", "default", "ssa") as any).data, { a: "two" }, "a field no longer applied is pruned");
    });

    test("patch --type json, merge and strategic each change the object as specified", async () => {
      await k.run(["create", "deployment", "patched", "--image=nginx:1.25"]);
      const json = await k.run(["patch", "deployment", "patched", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":3}]']);
      assert.equal(json.stdout.trim(), "deployment.apps/patched patched");
      const merge = await k.run(["patch", "deployment", "patched", "--type=merge", "-p", '{"metadata":{"labels":{"tier":"web"}}}']);
      assert.equal(merge.code, 0, merge.stderr);
      const strategic = await k.run([
        "patch",
        "deployment",
        "patched",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"},{"name":"nginx","env":[{"name":"X","value":"1"}]}]}}}}',
      ]);
      assert.equal(strategic.code, 0, strategic.stderr);
      const d = cluster.store.get("deployments.apps", "default", "patched") as any;
      assert.equal(d.spec.replicas, 3);
      assert.equal(d.metadata.labels.tier, "web");
      assert.deepEqual(
        d.spec.template.spec.containers.map((c: any) => [c.name, c.image, c.env]),
        [
          ["sidecar", "busybox:1.36", undefined],
          ["nginx", "nginx:1.25", [{ name: "X", value: "1" }]],
        ],
      );
      const invalid = await k.run(["patch", "deployment", "patched", "--type=json", "-p", '[{"op":"remove","path":"/spec/nope"}]']);
      assert.notEqual(invalid.code, 0);
    });

    test("edit applies the editor's change through a patch", async () => {
      await k.run(["create", "configmap", "editable", "--from-literal=colour=blue"]);
      const r = await k.run(["edit", "configmap", "editable"], { env: { KUBE_EDITOR: "sed -i s/colour:\\ blue/colour:\\ green/" } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), "configmap/editable edited");
      assert.equal((cluster.store.get("cm", "default", "editable") as any).data.colour, "green");
      const patch = cluster.requests.filter((q) => q.method === "PATCH" && q.path.includes("/configmaps/editable")).at(-1);
      assert.match(patch?.path ?? "", /fieldManager=kubectl-edit/);
    });

    test("delete removes the object and kubectl's wait sees it gone", async () => {
      await k.run(["create", "configmap", "doomed", "--from-literal=a=b"]);
      const r = await k.run(["delete", "configmap", "doomed"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'configmap "doomed" deleted');
      assert.equal(cluster.store.get("cm", "default", "doomed"), undefined);
      const again = await k.run(["delete", "configmap", "doomed"]);
      assert.match(again.stderr, /Error from server \(NotFound\): configmaps "doomed" not found/);
    });

    test("delete namespace removes it and everything in it", async () => {
      await k.run(["create", "namespace", "scratch"]);
      await k.run(["-n", "scratch", "create", "configmap", "inside", "--from-literal=a=b"]);
      await k.run(["-n", "scratch", "run", "p", "--image=busybox:1.36"]);
      const r = await k.run(["delete", "namespace", "scratch"], { timeoutMs: 15_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'namespace "scratch" deleted');
      assert.equal(cluster.store.get("ns", undefined, "scratch"), undefined);
      assert.equal(cluster.store.list("cm", "scratch").length, 0);
      assert.equal(cluster.store.list("pods", "scratch").length, 0);
    });

    test("create token issues a service-account token that then authenticates", async () => {
      const r = await k.run(["create", "token", "default", "--duration=15m"]);
      assert.equal(r.code, 0, r.stderr);
      const token = r.stdout.trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { sub: string; exp: number; iat: number };
      assert.equal(claims.sub, "system:serviceaccount:default:default");
      assert.equal(claims.exp - claims.iat, 900);
      const who = await k.run(["--token", token, "auth", "whoami"]);
      assert.match(who.stdout, /system:serviceaccount:default:default/);
    });

    test("--dry-run=server validates and answers without storing or bumping resourceVersion", async () => {
      const before = cluster.store.resourceVersion;
      const r = await k.run(["create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server", "-o", "yaml"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /name: dry/);
      assert.equal(cluster.store.get("cm", "default", "dry"), undefined);
      assert.equal(cluster.store.resourceVersion, before);
      assert.ok(cluster.requests.some((q) => q.method === "POST" && q.path.includes("dryRun=All")));
      const invalid = await k.run(["run", "Bad_Name", "--image=x", "--dry-run=server"]);
      assert.notEqual(invalid.code, 0);
      assert.match(invalid.stderr, /The Pod "Bad_Name" is invalid: \n\* metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    });

    test("typed-client creates (configmap, secret, deployment, role, rolebinding) round-trip their fields", async () => {
      const runs = [
        ["create", "configmap", "typed", "--from-literal=k=v"],
        ["create", "secret", "generic", "typed", "--from-literal=pw=s3cret"],
        ["create", "deployment", "typed", "--image=nginx:1.25", "--replicas=2", "--port=8080"],
        ["create", "role", "typed", "--verb=get,list", "--resource=pods"],
        ["create", "rolebinding", "typed", "--role=typed", "--user=alice"],
      ];
      for (const args of runs) {
        const r = await k.run(args);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      }
      assert.deepEqual((cluster.store.get("cm", "default", "typed") as any).data, { k: "v" });
      assert.equal((cluster.store.get("secrets", "default", "typed") as any).data.pw, Buffer.from("s3cret").toString("base64"));
      const d = cluster.store.get("deployments.apps", "default", "typed") as any;
      assert.equal(d.spec.replicas, 2);
      assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 8080);
      assert.deepEqual((cluster.store.get("roles", "default", "typed") as any).rules, [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]);
      assert.deepEqual((cluster.store.get("rolebindings", "default", "typed") as any).subjects, [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }]);
    });
  });
}
