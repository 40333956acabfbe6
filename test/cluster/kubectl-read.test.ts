// Real kubectl (oldest and newest installed) reading from the test cluster directly: discovery, get in
// its Table/YAML forms, selectors, describe, logs, watch, auth checks and the error messages it prints.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startTestCluster, type TestCluster } from "./index.js";
import { KUBECTL_BINARIES, kubectlEnvironment, type KubectlEnvironment } from "./kubectl-harness.js";
import { parse as parseYaml } from "yaml";

for (const kubectl of KUBECTL_BINARIES) {
  describe(`kubectl ${kubectl.version} reading from the test cluster`, () => {
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

    test("get pods prints the server-side table with READY, STATUS and RESTARTS", async () => {
      const r = await k.run(["get", "pods"]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n");
      assert.match(lines[0] ?? "", /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      assert.match(r.stdout, /nginx\s+1\/1\s+Running\s+0\s+/);
      assert.match(r.stdout, /worker\s+2\/2\s+Running\s+0\s+/);
      const accept = cluster.requests.find((q) => q.path.startsWith("/api/v1/namespaces/default/pods?"))?.headers["accept"];
      assert.match(String(accept), /as=Table;v=v1;g=meta.k8s.io/);
    });

    test("get -A -o wide adds the namespace column and the priority-1 columns", async () => {
      const r = await k.run(["get", "pods", "-A", "-o", "wide"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
      assert.match(r.stdout, /kube-system\s+coredns-\S+\s+1\/1\s+Running/);
      assert.match(r.stdout, /10\.244\.0\.\d+\s+chaperone-control-plane/);
    });

    test("get -o yaml returns the full object with server-populated metadata", async () => {
      const r = await k.run(["get", "pod", "nginx", "-o", "yaml"]);
      assert.equal(r.code, 0, r.stderr);
      const pod = parseYaml(r.stdout) as Record<string, any>;
      assert.equal(pod["kind"], "Pod");
      assert.equal(pod["apiVersion"], "v1");
      assert.match(pod["metadata"]["uid"], /^[0-9a-f-]{36}$/);
      assert.match(pod["metadata"]["resourceVersion"], /^\d+$/);
      assert.equal(pod["status"]["phase"], "Running");
      assert.equal(pod["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log");
    });

    test("get nodes, namespaces, secrets and configmaps print their kinds' columns", async () => {
      const nodes = await k.run(["get", "nodes"]);
      assert.match(nodes.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nchaperone-control-plane\s+Ready\s+control-plane/);
      const ns = await k.run(["get", "ns"]);
      assert.match(ns.stdout, /^NAME\s+STATUS\s+AGE/);
      assert.match(ns.stdout, /kube-system\s+Active/);
      await k.run(["create", "secret", "generic", "creds", "--from-literal=user=a", "--from-literal=pw=b"]);
      const secrets = await k.run(["get", "secrets"]);
      assert.match(secrets.stdout, /^NAME\s+TYPE\s+DATA\s+AGE\ncreds\s+Opaque\s+2\s+/);
      const cms = await k.run(["get", "configmaps"]);
      assert.match(cms.stdout, /^NAME\s+DATA\s+AGE\nkube-root-ca\.crt\s+1\s+/);
    });

    test("label selectors (=, !=, in, notin, exists, !exists) filter server-side", async () => {
      const names = async (selector: string) => (await k.run(["get", "pods", "-l", selector, "-o", "name"])).stdout.trim().split("\n").filter(Boolean).sort();
      assert.deepEqual(await names("app=nginx"), ["pod/nginx"]);
      assert.deepEqual(await names("app!=nginx"), ["pod/worker"]);
      assert.deepEqual(await names("app in (nginx,worker)"), ["pod/nginx", "pod/worker"]);
      assert.deepEqual(await names("app notin (nginx)"), ["pod/worker"]);
      assert.deepEqual(await names("app"), ["pod/nginx", "pod/worker"]);
      assert.deepEqual(await names("!app"), []);
    });

    test("field selectors on metadata.name and status.phase filter server-side; unknown fields are rejected", async () => {
      const r = await k.run(["get", "pods", "-A", "--field-selector", "status.phase=Running,metadata.namespace=kube-system", "-o", "name"]);
      assert.equal(r.stdout.trim(), "pod/coredns-7db6d8ff4d-x8k2p");
      const byName = await k.run(["get", "pods", "--field-selector", "metadata.name!=nginx", "-o", "name"]);
      assert.equal(byName.stdout.trim(), "pod/worker");
      const bad = await k.run(["get", "pods", "--field-selector", "spec.bogus=x"]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /field label not supported: spec\.bogus/);
    });

    test("a missing object gives kubectl's NotFound message", async () => {
      const r = await k.run(["get", "pod", "does-not-exist"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "does-not-exist" not found');
    });

    test("a wrong bearer token is refused with 401 and kubectl asks to log in", async () => {
      const r = await k.run(["--token", "not-a-valid-token", "get", "pods"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)/);
      const seen = cluster.requests.filter((q) => q.headers["authorization"] === "Bearer not-a-valid-token");
      assert.ok(seen.length > 0);
      assert.ok(seen.every((q) => q.user === null));
    });

    test("a client certificate authenticates as its CN with O as groups", async () => {
      const certEnv = await kubectlEnvironment(cluster, kubectl.path, { auth: "client-certificate" });
      try {
        const r = await certEnv.run(["get", "pods", "-o", "name"]);
        assert.equal(r.code, 0, r.stderr);
        const last = cluster.requests.filter((q) => q.path.startsWith("/api/v1/namespaces/default/pods")).at(-1);
        assert.equal(last?.user, "developer-cert");
        assert.equal(last?.authMethod, "client-certificate");
      } finally {
        certEnv.cleanup();
      }
    });

    test("api-resources lists the served kinds with short names and verbs", async () => {
      const r = await k.run(["api-resources", "-o", "wide"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /pods\s+po\s+v1\s+true\s+Pod\s+create,delete,deletecollection,get,list,patch,update,watch/);
      assert.match(r.stdout, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
      assert.match(r.stdout, /clusterrolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRoleBinding/);
      assert.match(r.stdout, /selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview\s+create/);
    });

    test("describe pod renders containers, conditions, volumes and (empty) events", async () => {
      const r = await k.run(["describe", "pod", "nginx"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Name:\s+nginx$/m);
      assert.match(r.stdout, /^Status:\s+Running$/m);
      assert.match(r.stdout, /Image:\s+nginx:1\.27/);
      assert.match(r.stdout, /Ready\s+True/);
      assert.match(r.stdout, /kube-api-access-\w+/);
      assert.match(r.stdout, /^Events:\s+<none>$/m);
      assert.ok(cluster.requests.some((q) => q.path.startsWith("/api/v1/namespaces/default/events?fieldSelector=")));
    });

    test("auth can-i answers yes for system:masters and whoami names the user", async () => {
      const can = await k.run(["auth", "can-i", "delete", "deployments", "-n", "kube-system"]);
      assert.equal(can.stdout.trim(), "yes");
      const who = await k.run(["auth", "whoami"]);
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, /Username\s+developer/);
      assert.match(who.stdout, /system:masters/);
    });

    test("auth can-i answers no for a user without RBAC bindings", async () => {
      cluster.addToken("limited-token", "limited-user", []);
      const r = await k.run(["--token", "limited-token", "auth", "can-i", "get", "secrets"]);
      assert.equal(r.stdout.trim(), "no");
      const denied = await k.run(["--token", "limited-token", "get", "secrets"]);
      assert.match(denied.stderr, /secrets is forbidden: User "limited-user" cannot list resource "secrets" in API group "" in the namespace "default"/);
    });

    test("logs prints the pod's scripted lines, honouring --tail and -c", async () => {
      const all = await k.run(["logs", "nginx"]);
      assert.equal(all.stdout, "nginx: starting\nnginx: listening on :80\nnginx: ready\n");
      const tail = await k.run(["logs", "nginx", "--tail=1"]);
      assert.equal(tail.stdout, "nginx: ready\n");
      const sidecar = await k.run(["logs", "worker", "-c", "sidecar"]);
      assert.equal(sidecar.stdout, "sidecar: started\n");
      const stamped = await k.run(["logs", "nginx", "--timestamps", "--tail=1"]);
      assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z nginx: ready\n$/);
    });

    test("logs -f streams lines as the pod emits them until kubectl is killed", async () => {
      const follow = k.start(["logs", "-f", "worker"]);
      try {
        const out = await follow.waitFor(/main tick 3\n/);
        assert.match(out, /^worker: started\nmain tick 1\nmain tick 2\nmain tick 3\n/);
        cluster.appendLog("default", "worker", "pushed by the test", "main");
        await follow.waitFor(/pushed by the test\n/);
      } finally {
        await follow.kill();
      }
    });

    test("get -w prints the initial rows, then a row for an object created meanwhile", async () => {
      const watch = k.start(["get", "configmaps", "-w"]);
      try {
        await watch.waitFor(/kube-root-ca\.crt/);
        const created = await k.run(["create", "configmap", "watched", "--from-literal=a=b"]);
        assert.equal(created.code, 0, created.stderr);
        await watch.waitFor(/watched\s+1\s+\d+s/);
      } finally {
        await watch.kill();
      }
      const watchRequest = cluster.requests.find((q) => q.path.includes("/configmaps?") && q.path.includes("watch=true"));
      assert.ok(watchRequest, "kubectl opened a watch");
      assert.match(String(watchRequest.headers["accept"]), /as=Table/);
    });
  });
}
