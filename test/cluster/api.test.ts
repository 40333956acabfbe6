// The test cluster's HTTP API seen by a raw client: recording, authentication, Status errors, list
// paging, watch semantics, Table and discovery negotiation, dry-run, and restart on the same port.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { connect } from "node:tls";
import { startTestCluster, type TestCluster } from "./index.js";

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

function call(cluster: TestCluster, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string | null; raw?: string } = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (options.token !== null) headers["Authorization"] = `Bearer ${options.token ?? cluster.adminToken}`;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined) {
      headers["Content-Type"] ??= "application/json";
      // Node sends DELETE bodies without framing unless told the length.
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const req = httpsRequest(`${cluster.url}${path}`, { method, headers, ca: cluster.caPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Opens a watch and collects its events line by line. */
function openWatch(cluster: TestCluster, path: string): { events: any[]; next(count: number, timeoutMs?: number): Promise<any[]>; close(): void; ended: Promise<void> } {
  const events: any[] = [];
  let buffer = "";
  const waiters = new Set<() => void>();
  let endResolve: () => void = () => {};
  const ended = new Promise<void>((r) => (endResolve = r));
  const req = httpsRequest(`${cluster.url}${path}`, { headers: { Authorization: `Bearer ${cluster.adminToken}`, Accept: "application/json" }, ca: cluster.caPem }, (res) => {
    res.on("data", (c: Buffer) => {
      buffer += c.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
      for (const w of [...waiters]) w();
    });
    res.on("end", () => endResolve());
    res.on("close", () => endResolve());
  });
  req.on("error", () => endResolve());
  req.end();
  return {
    events,
    ended,
    next(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(events.slice(0, count));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${events.length} events: ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => req.destroy(),
  };
}

const cm = (name: string, data: Record<string, string> = { a: "1" }, labels: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data });

describe("test cluster HTTP API", () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.stop();
  });

  test("every request is recorded with the Authorization header as received and the authenticated user", async () => {
    const before = cluster.requests.length;
    await call(cluster, "GET", "/api/v1/namespaces/default/pods?limit=5");
    const recorded = cluster.requests.slice(before);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]?.method, "GET");
    assert.equal(recorded[0]?.path, "/api/v1/namespaces/default/pods?limit=5");
    assert.equal(recorded[0]?.headers["authorization"], `Bearer ${cluster.adminToken}`);
    assert.equal(recorded[0]?.user, "developer");
    assert.equal(recorded[0]?.authMethod, "token");
  });

  test("requests without credentials get a 401 Status; health endpoints stay public", async () => {
    const r = await call(cluster, "GET", "/api/v1/pods", { token: null });
    assert.equal(r.status, 401);
    assert.equal(r.headers["content-type"], "application/json");
    assert.deepEqual(r.json, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    const health = await call(cluster, "GET", "/readyz", { token: null });
    assert.equal(health.status, 200);
    assert.equal(health.text, "ok");
    const added = await call(cluster, "GET", "/api", { token: "extra-token" });
    assert.equal(added.status, 401);
    cluster.addToken("extra-token", "robot");
    assert.equal((await call(cluster, "GET", "/api", { token: "extra-token" })).status, 200);
  });

  test("errors are Status objects with the real server's codes, reasons and details", async () => {
    const missing = await call(cluster, "GET", "/apis/apps/v1/namespaces/default/deployments/nope");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json.details, { name: "nope", group: "apps", kind: "deployments" });
    assert.equal(missing.json.message, 'deployments.apps "nope" not found');

    assert.equal((await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm("dup") })).status, 201);
    const dup = await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm("dup") });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.reason, "AlreadyExists");

    const current = (await call(cluster, "GET", "/api/v1/namespaces/default/configmaps/dup")).json;
    const update = { ...current, data: { a: "2" } };
    assert.equal((await call(cluster, "PUT", "/api/v1/namespaces/default/configmaps/dup", { body: update })).status, 200);
    const stale = await call(cluster, "PUT", "/api/v1/namespaces/default/configmaps/dup", { body: { ...current, data: { a: "3" } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, "Conflict");
    assert.match(stale.json.message, /^Operation cannot be fulfilled on configmaps "dup": the object has been modified/);

    const invalid = await call(cluster, "POST", "/apis/apps/v1/namespaces/default/deployments", { body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "broken" }, spec: { template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c" }] } } } } });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.json.reason, "Invalid");
    assert.equal(invalid.json.details.kind, "Deployment");
    assert.equal(invalid.json.details.group, "apps");
    assert.ok(invalid.json.details.causes.some((c: any) => c.field === "spec.selector" && c.reason === "FieldValueRequired"));
    assert.ok(invalid.json.details.causes.some((c: any) => c.field === "spec.template.spec.containers[0].image"));
    assert.match(invalid.json.message, /^Deployment\.apps "broken" is invalid: \[/);

    const malformed = await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { raw: "{not json" });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.reason, "BadRequest");

    const wrongMethod = await call(cluster, "PUT", "/api/v1/namespaces/default/configmaps", { body: cm("x") });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json.reason, "MethodNotAllowed");

    const wrongType = await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: { ...cm("typed"), data: { a: 1 } } });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json.message, /^ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number/);
  });

  test("unknown fields warn by default and fail with fieldValidation=Strict", async () => {
    const body = { ...cm("fields"), extra: true };
    const strict = await call(cluster, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", { body });
    assert.equal(strict.status, 400);
    assert.equal(strict.json.message, 'strict decoding error: unknown field "extra"');
    const warn = await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers["warning"], '299 - "unknown field \\"extra\\""');
  });

  test("lists carry a resourceVersion and page with limit/continue", async () => {
    for (const n of ["page-a", "page-b", "page-c"]) await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm(n, { a: "1" }, { paged: "yes" }) });
    const first = await call(cluster, "GET", "/api/v1/namespaces/default/configmaps?labelSelector=paged%3Dyes&limit=2");
    assert.equal(first.json.kind, "ConfigMapList");
    assert.match(first.json.metadata.resourceVersion, /^\d+$/);
    assert.deepEqual(first.json.items.map((i: any) => i.metadata.name), ["page-a", "page-b"]);
    assert.equal(first.json.items[0].kind, undefined, "typed list items carry no kind on the wire");
    const rest = await call(cluster, "GET", `/api/v1/namespaces/default/configmaps?labelSelector=paged%3Dyes&limit=2&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    assert.deepEqual(rest.json.items.map((i: any) => i.metadata.name), ["page-c"]);
    assert.equal(rest.json.metadata.continue, undefined);
    const all = await call(cluster, "GET", "/api/v1/configmaps?limit=1");
    assert.ok(all.json.metadata.remainingItemCount > 0);
  });

  test("a watch from a resourceVersion streams later changes, selector transitions and honours timeoutSeconds", async () => {
    const rv = (await call(cluster, "GET", "/api/v1/namespaces/default/configmaps")).json.metadata.resourceVersion;
    const watch = openWatch(cluster, `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&labelSelector=watched%3Dyes&timeoutSeconds=3`);
    await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm("w1", { a: "1" }, { watched: "yes" }) });
    await call(cluster, "PATCH", "/api/v1/namespaces/default/configmaps/w1", { body: { data: { a: "2" } }, headers: { "Content-Type": "application/merge-patch+json" } });
    await call(cluster, "PATCH", "/api/v1/namespaces/default/configmaps/w1", { body: { metadata: { labels: { watched: "no" } } }, headers: { "Content-Type": "application/merge-patch+json" } });
    const events = await watch.next(3);
    assert.deepEqual(events.map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
    assert.equal(events[0].object.kind, "ConfigMap");
    assert.equal(events[1].object.data.a, "2");
    assert.ok(Number(events[1].object.metadata.resourceVersion) > Number(rv));
    await watch.ended;
  });

  test("a watch without a resourceVersion starts with ADDED for existing objects; a too-old one gets 410 Expired", async () => {
    const watch = openWatch(cluster, "/api/v1/namespaces/kube-system/pods?watch=true");
    const [first] = await watch.next(1);
    assert.equal(first.type, "ADDED");
    assert.equal(first.object.metadata.name, "coredns-7db6d8ff4d-x8k2p");
    watch.close();
    const old = openWatch(cluster, "/api/v1/namespaces/default/pods?watch=true&resourceVersion=5");
    const [error] = await old.next(1);
    assert.equal(error.type, "ERROR");
    assert.equal(error.object.code, 410);
    assert.equal(error.object.reason, "Expired");
    await old.ended;
  });

  test("Table responses follow the Accept header and includeObject", async () => {
    const table = await call(cluster, "GET", "/api/v1/namespaces/default/pods", { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" } });
    assert.equal(table.headers["content-type"], "application/json;as=Table;v=v1;g=meta.k8s.io");
    assert.equal(table.json.kind, "Table");
    assert.deepEqual(table.json.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name), ["Name", "Ready", "Status", "Restarts", "Age"]);
    const nginx = table.json.rows.find((r: any) => r.cells[0] === "nginx");
    assert.deepEqual(nginx.cells.slice(0, 4), ["nginx", "1/1", "Running", "0"]);
    assert.equal(nginx.object.kind, "PartialObjectMetadata");
    const full = await call(cluster, "GET", "/api/v1/namespaces/default/pods/nginx?includeObject=Object", { headers: { Accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io" } });
    assert.equal(full.json.apiVersion, "meta.k8s.io/v1beta1");
    assert.equal(full.json.rows[0].object.kind, "Pod");
    const none = await call(cluster, "GET", "/api/v1/namespaces/default/pods?includeObject=None", { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" } });
    assert.equal(none.json.rows[0].object, undefined);
    const proto = await call(cluster, "GET", "/api/v1/namespaces/default/pods/nginx", { headers: { Accept: "application/vnd.kubernetes.protobuf,application/json" } });
    assert.equal(proto.headers["content-type"], "application/json");
    const onlyProto = await call(cluster, "GET", "/api/v1/namespaces/default/pods/nginx", { headers: { Accept: "application/vnd.kubernetes.protobuf" } });
    assert.equal(onlyProto.status, 406);
  });

  test("discovery answers aggregated (v2, v2beta1) or legacy form by Accept", async () => {
    const v2 = await call(cluster, "GET", "/apis", { headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" } });
    assert.equal(v2.headers["content-type"], "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const apps = v2.json.items.find((g: any) => g.metadata.name === "apps");
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === "deployments");
    assert.deepEqual(deployments.shortNames, ["deploy"]);
    assert.equal(deployments.scope, "Namespaced");
    assert.ok(deployments.subresources.some((s: any) => s.subresource === "scale"));
    const beta = await call(cluster, "GET", "/api", { headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json" } });
    assert.equal(beta.json.apiVersion, "apidiscovery.k8s.io/v2beta1");
    const legacy = await call(cluster, "GET", "/apis");
    assert.equal(legacy.json.kind, "APIGroupList");
    const core = await call(cluster, "GET", "/api/v1");
    const pods = core.json.resources.find((r: any) => r.name === "pods");
    assert.deepEqual(pods.shortNames, ["po"]);
    assert.ok(core.json.resources.some((r: any) => r.name === "serviceaccounts/token" && r.group === "authentication.k8s.io" && r.kind === "TokenRequest"));
    const version = await call(cluster, "GET", "/version");
    assert.equal(version.json.gitVersion, "v1.32.0");
  });

  test("OpenAPI v3 advertises fieldValidation on each kind's PATCH so kubectl validates server-side", async () => {
    const root = await call(cluster, "GET", "/openapi/v3");
    const url = root.json.paths["apis/apps/v1"].serverRelativeURL as string;
    const doc = await call(cluster, "GET", url);
    const patch = doc.json.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    assert.deepEqual(patch["x-kubernetes-group-version-kind"], { group: "apps", version: "v1", kind: "Deployment" });
    assert.ok(patch.parameters.some((p: any) => p.name === "fieldValidation" && p.in === "query"));
    assert.ok("application/strategic-merge-patch+json" in patch.requestBody.content);
  });

  test("dryRun=All validates and answers without storing, on create, update and delete", async () => {
    const rv = cluster.store.resourceVersion;
    const created = await call(cluster, "POST", "/api/v1/namespaces/default/secrets?dryRun=All", { body: { apiVersion: "v1", kind: "Secret", metadata: { name: "dry" }, stringData: { pw: "x" } } });
    assert.equal(created.status, 201);
    assert.equal(created.json.data.pw, Buffer.from("x").toString("base64"));
    assert.equal(created.json.stringData, undefined);
    assert.equal(cluster.store.get("secrets", "default", "dry"), undefined);
    const nginx = (await call(cluster, "GET", "/api/v1/namespaces/default/pods/nginx")).json;
    nginx.metadata.labels.dry = "run";
    const updated = await call(cluster, "PUT", "/api/v1/namespaces/default/pods/nginx?dryRun=All", { body: nginx });
    assert.equal(updated.json.metadata.labels.dry, "run");
    const deleted = await call(cluster, "DELETE", "/api/v1/namespaces/default/pods/nginx?dryRun=All");
    assert.equal(deleted.status, 200);
    assert.equal(cluster.store.resourceVersion, rv);
    assert.equal((cluster.store.get("pods", "default", "nginx") as any).metadata.labels.dry, undefined);
  });

  test("generateName, stringData folding, deletecollection by selector and DELETE bodies behave like the real server", async () => {
    const gen = await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "gen-" } } });
    assert.match(gen.json.metadata.name, /^gen-[a-z0-9]{5}$/);
    for (const n of ["bulk-1", "bulk-2"]) await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm(n, {}, { bulk: "yes" }) });
    const swept = await call(cluster, "DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=bulk%3Dyes");
    assert.equal(swept.json.kind, "ConfigMapList");
    assert.deepEqual(swept.json.items.map((i: any) => i.metadata.name), ["bulk-1", "bulk-2"]);
    assert.equal(cluster.store.list("cm", "default").filter((c: any) => c.metadata.labels?.bulk).length, 0);
    await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm("precondition") });
    const wrongUid = await call(cluster, "DELETE", "/api/v1/namespaces/default/configmaps/precondition", { body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "not-it" } } });
    assert.equal(wrongUid.status, 409);
    const ok = await call(cluster, "DELETE", "/api/v1/namespaces/default/configmaps/precondition", { body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" } });
    assert.equal(ok.json.kind, "Status");
    assert.equal(ok.json.status, "Success");
  });

  test("the token subresource issues a TokenRequest with token and expiry", async () => {
    const r = await call(cluster, "POST", "/api/v1/namespaces/default/serviceaccounts/default/token", { body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } } });
    assert.equal(r.status, 201);
    assert.equal(r.json.kind, "TokenRequest");
    assert.ok(r.json.status.token.length > 20);
    assert.ok(Math.abs(Date.parse(r.json.status.expirationTimestamp) - Date.now() - 600_000) < 5000);
    const tooShort = await call(cluster, "POST", "/api/v1/namespaces/default/serviceaccounts/default/token", { body: { spec: { expirationSeconds: 60 } } });
    assert.equal(tooShort.status, 422);
  });

  test("exec without an upgrade is a 400; an upgrade for a missing pod is a raw 404 Status", async () => {
    const plain = await call(cluster, "POST", "/api/v1/namespaces/default/pods/nginx/exec?command=ls");
    assert.equal(plain.status, 400);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: cluster.port, ca: cluster.caPem, servername: "localhost" }, () => {
        socket.write(`GET /api/v1/namespaces/default/pods/ghost/exec?command=ls HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${cluster.adminToken}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
      });
      let data = "";
      socket.on("data", (d) => (data += d.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    assert.match(raw, /^HTTP\/1\.1 404 Not Found/);
    assert.match(raw, /"message":"pods \\"ghost\\" not found"/);
  });

  test("stop() drops every connection and start() serves the same state on the same port", async () => {
    const watch = openWatch(cluster, "/api/v1/namespaces/default/configmaps?watch=true");
    await watch.next(1);
    await call(cluster, "POST", "/api/v1/namespaces/default/configmaps", { body: cm("survivor") });
    await cluster.stop();
    await watch.ended;
    await assert.rejects(call(cluster, "GET", "/version"), /ECONNREFUSED/);
    await cluster.start();
    const r = await call(cluster, "GET", "/api/v1/namespaces/default/configmaps/survivor");
    assert.equal(r.status, 200);
  });
});
